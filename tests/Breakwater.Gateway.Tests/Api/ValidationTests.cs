using System.Net;
using System.Text;
using Breakwater.Gateway.Tests.Infrastructure;

namespace Breakwater.Gateway.Tests.Api;

/// <summary>Every kind of invalid order body gets problem details naming the field, rule and value, and journals nothing.</summary>
public sealed class ValidationTests : IAsyncLifetime
{
    private readonly GatewayFactory _factory = new();
    private HttpClient _client = null!;

    public async Task InitializeAsync() => _client = await _factory.CreateAuthorizedClientAsync();

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    public static TheoryData<string, string, string, string?> InvalidBodies => new()
    {
        { """{"symbol":"AAPL","side":"buy","quantity":1,"type":"market","colour":"red"}""", "colour", "unknown", "\"red\"" },
        { """{"side":"buy","quantity":1,"type":"market"}""", "symbol", "required", null },
        { """{"symbol":"AAPL$","side":"buy","quantity":1,"type":"market"}""", "symbol", "pattern", "AAPL$" },
        { """{"symbol":"../../ETC","side":"buy","quantity":1,"type":"market"}""", "symbol", "pattern", "../../ETC" },
        { """{"symbol":"BRK..B","side":"buy","quantity":1,"type":"market"}""", "symbol", "pattern", "BRK..B" },
        { """{"symbol":"EUR/","side":"buy","quantity":1,"type":"market"}""", "symbol", "pattern", "EUR/" },
        { """{"symbol":"ABCDEFGHIJKLM","side":"buy","quantity":1,"type":"market"}""", "symbol", "length", "ABCDEFGHIJKLM" },
        { """{"symbol":"AAPL","side":"hold","quantity":1,"type":"market"}""", "side", "enum", "hold" },
        { """{"symbol":"AAPL","side":"buy","quantity":0,"type":"market"}""", "quantity", "range", "0" },
        { """{"symbol":"AAPL","side":"buy","quantity":1000001,"type":"market"}""", "quantity", "range", "1000001" },
        { """{"symbol":"AAPL","side":"buy","quantity":1.5,"type":"market"}""", "quantity", "integer", "1.5" },
        { """{"symbol":"AAPL","side":"buy","quantity":"10","type":"market"}""", "quantity", "type", "\"10\"" },
        { """{"symbol":"AAPL","side":"buy","quantity":1,"type":"stop"}""", "type", "enum", "stop" },
        { """{"symbol":"AAPL","side":"buy","quantity":1,"type":"limit"}""", "limitPrice", "required", null },
        { """{"symbol":"AAPL","side":"buy","quantity":1,"type":"limit","limitPrice":-1}""", "limitPrice", "range", "-1" },
        { """{"symbol":"AAPL","side":"buy","quantity":1,"type":"limit","limitPrice":1.123456789}""", "limitPrice", "precision", "1.123456789" },
        { """{"symbol":"AAPL","side":"buy","quantity":1,"type":"market","limitPrice":10}""", "limitPrice", "forbidden", "10" },
        { """{"symbol":"AAPL","side":"buy","quantity":1,"type":"market","timeInForce":"ioc"}""", "timeInForce", "enum", "ioc" },
        { """{"clientOrderId":"has space","symbol":"AAPL","side":"buy","quantity":1,"type":"market"}""", "clientOrderId", "pattern", "has space" },
        { """{"clientOrderId":"","symbol":"AAPL","side":"buy","quantity":1,"type":"market"}""", "clientOrderId", "length", "" },
        { """{"symbol":"AAPL","side":"buy","quantity":1,"type":"market""", "$", "json", null },
        { """[1,2]""", "$", "type", "[1,2]" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task PostOrder_InvalidBody_Returns400NamingFieldRuleValue(string body, string field, string rule, string? value)
    {
        var response = await _client.PostOrderAsync(body);

        var problem = await response.ReadJsonAsync();
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.ContentType()?.MediaType);
        Assert.Equal("urn:breakwater:problem:validation", problem.GetProperty("type").GetString());
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Equal(rule, error.GetProperty("rule").GetString());
        Assert.Equal(value, error.TryGetProperty("value", out var sent) ? sent.GetString() : null);
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.Equal(0, _factory.Journal.InsertCalls);
        Assert.Empty(_factory.Broker.Placed);
    }

    [Fact]
    public async Task PostOrder_SeveralInvalidFields_ReportsAllAtOnce()
    {
        var response = await _client.PostOrderAsync(
            """{"symbol":"", "side":"up","quantity":-4,"type":"limit","extra":true}""");

        var problem = await response.ReadJsonAsync();
        var fields = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToList();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["extra", "symbol", "side", "quantity", "limitPrice"], fields);
        Assert.Equal(0, _factory.Journal.InsertCalls);
    }

    [Fact]
    public async Task PostOrder_LongValue_TruncatedInError()
    {
        var longSymbol = new string('A', 500);

        var response = await _client.PostOrderAsync(
            $$"""{"symbol":"{{longSymbol}}","side":"buy","quantity":1,"type":"market"}""");

        var problem = await response.ReadJsonAsync();
        var value = problem.GetProperty("errors")[0].GetProperty("value").GetString()!;
        Assert.Equal(64, value.Length);
        Assert.EndsWith("…", value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostOrder_WrongContentType_Returns415()
    {
        var content = new StringContent(ApiTestHelpers.Market("x"), Encoding.UTF8, "text/plain");

        var response = await _client.PostAsync("/api/orders", content);

        var problem = await response.ReadJsonAsync();
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("Content-Type", error.GetProperty("field").GetString());
        Assert.Equal("mediaType", error.GetProperty("rule").GetString());
        Assert.Equal("text/plain; charset=utf-8", error.GetProperty("value").GetString());
        Assert.Equal(0, _factory.Journal.InsertCalls);
    }

    [Fact]
    public async Task PostOrder_OversizedBody_Returns413()
    {
        var padding = new string(' ', 20 * 1024);

        var response = await _client.PostOrderAsync(ApiTestHelpers.Market("big") + padding);

        var problem = await response.ReadJsonAsync();
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("maxBytes", error.GetProperty("rule").GetString());
        Assert.Equal(0, _factory.Journal.InsertCalls);
    }

    [Fact]
    public async Task PostOrder_EmptyBody_Returns400()
    {
        var response = await _client.PostAsync("/api/orders", ApiTestHelpers.JsonBody(""));

        var problem = await response.ReadJsonAsync();
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("required", error.GetProperty("rule").GetString());
        Assert.Equal(0, _factory.Journal.InsertCalls);
    }
}
