using Breakwater.Domain.Brokers;
using Breakwater.Domain.MarketData;
using Breakwater.Paper.Faults;

namespace Breakwater.Paper.Tests.MarketData;

public sealed class SimulatedMarketDataTests
{
    [Fact]
    public async Task Tick_SameSeed_SameQuotes()
    {
        await using var first = PaperHarness.Create(o => o.Volatility = 0.01, start: false);
        await using var second = PaperHarness.Create(o => o.Volatility = 0.01, start: false);

        for (var i = 0; i < 200; i++)
        {
            first.MarketData.Tick();
            second.MarketData.Tick();
            foreach (var symbol in first.MarketData.Symbols)
            {
                Assert.Equal(Prices(first.Quote(symbol)), Prices(second.Quote(symbol)));
            }
        }
    }

    [Fact]
    public async Task Tick_DifferentSeed_DifferentQuotes()
    {
        await using var first = PaperHarness.Create(o => (o.Seed, o.Volatility) = (1, 0.01), start: false);
        await using var second = PaperHarness.Create(o => (o.Seed, o.Volatility) = (2, 0.01), start: false);

        for (var i = 0; i < 50; i++)
        {
            first.MarketData.Tick();
            second.MarketData.Tick();
        }

        Assert.NotEqual(Prices(first.Quote("SPY")), Prices(second.Quote("SPY")));
    }

    [Fact]
    public async Task Tick_ManyStepsAtMaximumVolatility_QuotesStayValid()
    {
        await using var harness = PaperHarness.Create(o => o.Volatility = 0.1, start: false);
        var moved = false;
        var startMid = harness.Quote("NVDA").Last;

        for (var i = 0; i < 2000; i++)
        {
            harness.MarketData.Tick();
            foreach (var symbol in harness.MarketData.Symbols)
            {
                var quote = harness.Quote(symbol);
                Assert.True(quote.Bid > 0, $"{symbol} bid {quote.Bid} is not positive at tick {i}.");
                Assert.True(quote.Ask > quote.Bid, $"{symbol} ask {quote.Ask} is not above bid {quote.Bid}.");
                Assert.Equal(0m, quote.Bid % 0.01m);
                Assert.Equal(0m, quote.Ask % 0.01m);
                Assert.InRange(quote.Last, quote.Bid, quote.Ask);
            }

            moved |= harness.Quote("NVDA").Last != startMid;
        }

        Assert.True(moved, "The NVDA price never moved.");
    }

    [Fact]
    public async Task GetQuoteAsync_ConfiguredSpread_AskIsBidPlusSpread()
    {
        await using var harness = PaperHarness.Create(o => o.Spread = 0.05m, start: false);

        var quote = await harness.MarketData.GetQuoteAsync("MSFT", CancellationToken.None);

        Assert.Equal(0.05m, quote.Ask - quote.Bid);
    }

    [Fact]
    public async Task GetQuoteAsync_UnknownSymbol_ThrowsInvalidSymbol()
    {
        await using var harness = PaperHarness.Create(start: false);

        var error = await Assert.ThrowsAsync<BrokerRejectionException>(
            () => harness.MarketData.GetQuoteAsync("NOPE", CancellationToken.None));

        Assert.Equal(BrokerRejectionCode.InvalidSymbol, error.Code);
        Assert.Contains("'NOPE'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BRK.B")]
    [InlineData("EUR/USD")]
    [InlineData("aapl")]
    public async Task GetQuoteAsync_DefaultSymbol_ReturnsConfiguredSpelling(string symbol)
    {
        await using var harness = PaperHarness.Create(start: false);

        var quote = await harness.MarketData.GetQuoteAsync(symbol, CancellationToken.None);

        Assert.Equal(symbol.ToUpperInvariant(), quote.Symbol);
    }

    [Fact]
    public async Task LastQuoteTime_BeforeStart_IsNull()
    {
        await using var harness = PaperHarness.Create(start: false);

        Assert.Null(harness.MarketData.LastQuoteTime);
    }

    [Fact]
    public async Task LastQuoteTime_AfterTicks_IsTimeOfLastTick()
    {
        await using var harness = PaperHarness.Create();

        harness.Tick(3);

        Assert.Equal(harness.Time.GetUtcNow(), harness.MarketData.LastQuoteTime);
        Assert.Equal(3, harness.MarketData.TickCount);
    }

    [Fact]
    public async Task LastQuoteTime_WhileMarketDataDown_StopsAdvancing()
    {
        await using var harness = PaperHarness.Create();
        harness.Tick();
        var before = harness.MarketData.LastQuoteTime;

        harness.Faults.SetFault(PaperFaultTarget.MarketData, new PaperFault(PaperFaultMode.Down));
        harness.Tick(5);

        Assert.Equal(before, harness.MarketData.LastQuoteTime);
    }

    private static (decimal Bid, decimal Ask, decimal Last) Prices(Quote quote) => (quote.Bid, quote.Ask, quote.Last);
}
