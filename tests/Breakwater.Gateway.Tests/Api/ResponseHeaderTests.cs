using Breakwater.Gateway.Tests.Infrastructure;

namespace Breakwater.Gateway.Tests.Api;

/// <summary>API responses forbid caching and content sniffing.</summary>
public sealed class ResponseHeaderTests : IAsyncLifetime
{
    private readonly GatewayFactory _factory = new();
    private HttpClient _client = null!;

    public async Task InitializeAsync() => _client = await _factory.CreateAuthorizedClientAsync();

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Theory]
    [InlineData("/api/orders")]
    [InlineData("/api/orders/999")]
    [InlineData("/api/status")]
    [InlineData("/api/health")]
    [InlineData("/api/market-data/AAPL")]
    public async Task ApiResponse_Any_HasNoStoreAndNosniff(string path)
    {
        var response = await _client.GetAsync(path);

        Assert.True(response.Headers.CacheControl?.NoStore, $"{path} has Cache-Control '{response.Headers.CacheControl}'.");
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }
}
