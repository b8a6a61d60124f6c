using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Breakwater.Gateway.Tests.Infrastructure;

namespace Breakwater.Gateway.Tests.Api;

/// <summary>A validation problem lists at most 20 errors, so a bad body cannot make a much larger response.</summary>
public sealed class ErrorCapTests : IAsyncLifetime
{
    private readonly GatewayFactory _factory = new();
    private HttpClient _client = null!;

    public async Task InitializeAsync() => _client = await _factory.CreateAuthorizedClientAsync();

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task PostOrder_ThousandUnknownFields_ListsTwentyWithCount()
    {
        var fields = string.Join(",", Enumerable.Range(0, 1000).Select(i => $"\"f{i}\":{i}"));
        var body = "{" + fields + ",\"symbol\":\"AAPL\",\"side\":\"buy\",\"quantity\":1,\"type\":\"market\"}";

        var response = await PostAsync(Encoding.UTF8.GetBytes(body), "application/json");

        var problem = await response.ReadJsonAsync();
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(20, problem.GetProperty("errors").GetArrayLength());
        Assert.Equal(1000, problem.GetProperty("errorCount").GetInt32());
        Assert.True(text.Length < body.Length, $"The response has {text.Length} characters for a {body.Length}-byte body.");
    }

    [Fact]
    public async Task PostOrder_FewErrors_OmitsErrorCount()
    {
        var response = await PostAsync(Encoding.UTF8.GetBytes("""{"symbol":"AAPL"}"""), "application/json");

        var problem = await response.ReadJsonAsync();
        Assert.Equal(3, problem.GetProperty("errors").GetArrayLength());
        Assert.False(problem.TryGetProperty("errorCount", out _));
    }

    private Task<HttpResponseMessage> PostAsync(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return _client.PostAsync("/api/orders", content);
    }
}
