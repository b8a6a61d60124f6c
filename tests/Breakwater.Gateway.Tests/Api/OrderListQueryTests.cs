using System.Net;
using Breakwater.Gateway.Tests.Infrastructure;

namespace Breakwater.Gateway.Tests.Api;

/// <summary>Each order list query parameter may appear once and must be one valid value.</summary>
public sealed class OrderListQueryTests : IAsyncLifetime
{
    private readonly GatewayFactory _factory = new();
    private HttpClient _client = null!;

    public async Task InitializeAsync() => _client = await _factory.CreateAuthorizedClientAsync();

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Theory]
    [InlineData("status=open,filled", "status", "enum", "open,filled")]
    [InlineData("status=open&status=all", "status", "repeated", "status=open&status=all")]
    [InlineData("status=1", "status", "enum", "1")]
    [InlineData("limit=-1", "limit", "range", "-1")]
    [InlineData("limit=0", "limit", "range", "0")]
    [InlineData("limit=ten", "limit", "integer", "ten")]
    [InlineData("limit=5&limit=6", "limit", "repeated", "limit=5&limit=6")]
    public async Task ListOrders_InvalidQuery_Returns400NamingFieldRuleValue(
        string query, string field, string rule, string value)
    {
        var response = await _client.GetAsync("/api/orders?" + query);

        var problem = await response.ReadJsonAsync();
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Equal(rule, error.GetProperty("rule").GetString());
        Assert.Equal(value, error.GetProperty("value").GetString());
    }

    [Theory]
    [InlineData("status=FILLED&limit=10")]
    [InlineData("status=all")]
    public async Task ListOrders_ValidQuery_Returns200(string query)
    {
        var response = await _client.GetAsync("/api/orders?" + query);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
