using System.Net;
using Breakwater.Gateway.Tests.Infrastructure;

namespace Breakwater.Gateway.Tests.Api;

/// <summary>Symbols with a slash, such as currency pairs, reach the market data endpoint.</summary>
public sealed class MarketDataRouteTests : IAsyncLifetime
{
    private readonly GatewayFactory _factory = new();
    private HttpClient _client = null!;

    public async Task InitializeAsync() => _client = await _factory.CreateAuthorizedClientAsync();

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Theory]
    [InlineData("/api/market-data/EUR/USD")]
    [InlineData("/api/market-data/EUR%2FUSD")]
    [InlineData("/api/market-data/eur%2fusd")]
    public async Task GetQuote_SymbolWithSlash_ReturnsQuote(string path)
    {
        var response = await _client.GetAsync(path);

        var quote = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("EUR/USD", quote.GetProperty("symbol").GetString());
    }
}
