using Breakwater.Domain.Brokers;
using Breakwater.Domain.Orders;

namespace Breakwater.Paper.Tests.Broker;

public sealed class PaperBrokerOrderTests
{
    [Fact]
    public async Task PlaceOrderAsync_MarketBuy_FillsAtAskAfterAck()
    {
        await using var harness = PaperHarness.Create();

        var ack = await harness.PlaceAsync("buy-1", OrderSide.Buy, 10);
        var deliveredBeforeTick = harness.Sink.Attempts;
        harness.Tick();
        var quote = harness.Quote("AAPL");
        var update = await harness.Sink.NextAsync();

        Assert.Equal(OrderStatus.Submitted, ack.Status);
        Assert.Equal(0, deliveredBeforeTick);
        Assert.Equal(ack.BrokerOrderId, update.BrokerOrderId);
        Assert.Equal("buy-1", update.ClientOrderId);
        Assert.Equal(OrderStatus.Filled, update.Status);
        Assert.Equal(10, update.FilledQuantity);
        Assert.NotNull(update.Fill);
        Assert.Equal(quote.Ask, update.Fill.Price);
        Assert.Equal(10, update.Fill.Quantity);
        Assert.Equal(harness.Time.GetUtcNow(), update.Fill.Time);
    }

    [Fact]
    public async Task PlaceOrderAsync_JustBeforeTick_FillsOnFollowingTick()
    {
        await using var harness = PaperHarness.Create();
        harness.Time.Advance(TimeSpan.FromMilliseconds(80));

        await harness.PlaceAsync("late-1", OrderSide.Buy, 1);
        harness.Time.Advance(TimeSpan.FromMilliseconds(20));
        var attemptsAfterFirstTick = harness.Sink.Attempts;
        var pendingAfterFirstTick = harness.Broker.PendingUpdateCount;
        harness.Tick();
        var update = await harness.Sink.NextAsync();

        Assert.Equal(0, attemptsAfterFirstTick);
        Assert.Equal(0, pendingAfterFirstTick);
        Assert.Equal(OrderStatus.Filled, update.Status);
    }

    [Fact]
    public async Task PlaceOrderAsync_MarketSell_FillsAtBid()
    {
        await using var harness = PaperHarness.Create();

        await harness.PlaceAsync("sell-1", OrderSide.Sell, 5, symbol: "MSFT");
        harness.Tick();
        var quote = harness.Quote("MSFT");
        var update = await harness.Sink.NextAsync();

        Assert.Equal(OrderStatus.Filled, update.Status);
        Assert.Equal(quote.Bid, update.Fill!.Price);
    }

    [Fact]
    public async Task PlaceOrderAsync_MarketBuy_CashDropsByNotional()
    {
        await using var harness = PaperHarness.Create(o => o.StartingCash = 100_000m);

        await harness.PlaceAsync("buy-cash", OrderSide.Buy, 10);
        harness.Tick();
        var update = await harness.Sink.NextAsync();

        Assert.Equal(100_000m - (10 * update.Fill!.Price), harness.Broker.Cash);
    }

    [Fact]
    public async Task PlaceOrderAsync_LimitAwayFromMarket_RestsAsSubmitted()
    {
        await using var harness = PaperHarness.Create();
        var ask = harness.Quote("AAPL").Ask;

        var ack = await harness.PlaceAsync("rest-1", OrderSide.Buy, 10, limitPrice: ask / 2);
        harness.Tick(10);
        var open = await harness.Broker.GetOpenOrdersAsync(OpenOrderScope.Gateway, CancellationToken.None);

        var state = Assert.Single(open);
        Assert.Equal(ack.BrokerOrderId, state.BrokerOrderId);
        Assert.Equal(OrderStatus.Submitted, state.Status);
        Assert.Equal(0, state.FilledQuantity);
        Assert.Empty(state.Fills);
        Assert.Equal(0, harness.Sink.Attempts);
    }

    [Fact]
    public async Task PlaceOrderAsync_BuyLimitAtOrAboveAsk_FillsAtAsk()
    {
        await using var harness = PaperHarness.Create(o => o.Volatility = 0);
        var quote = harness.Quote("SPY");

        await harness.PlaceAsync("cross-buy", OrderSide.Buy, 3, limitPrice: quote.Ask + 1m, symbol: "SPY");
        harness.Tick();
        var update = await harness.Sink.NextAsync();

        Assert.Equal(OrderStatus.Filled, update.Status);
        Assert.Equal(quote.Ask, update.Fill!.Price);
    }

    [Fact]
    public async Task PlaceOrderAsync_SellLimitAtBid_FillsAtBid()
    {
        await using var harness = PaperHarness.Create(o => o.Volatility = 0);
        var quote = harness.Quote("SPY");

        await harness.PlaceAsync("cross-sell", OrderSide.Sell, 3, limitPrice: quote.Bid, symbol: "SPY");
        harness.Tick();
        var update = await harness.Sink.NextAsync();

        Assert.Equal(OrderStatus.Filled, update.Status);
        Assert.Equal(quote.Bid, update.Fill!.Price);
    }

    [Fact]
    public async Task PlaceOrderAsync_SellLimitAboveBid_Rests()
    {
        await using var harness = PaperHarness.Create(o => o.Volatility = 0);
        var quote = harness.Quote("SPY");

        await harness.PlaceAsync("rest-sell", OrderSide.Sell, 3, limitPrice: quote.Bid + 0.01m, symbol: "SPY");
        harness.Tick(5);
        var found = await harness.Broker.FindOrderAsync("rest-sell", CancellationToken.None);

        Assert.Equal(OrderStatus.Submitted, found!.Status);
        Assert.Equal(0, harness.Sink.Attempts);
    }

    [Fact]
    public async Task PlaceOrderAsync_QuantityAboveTickMaximum_FillsPartiallyAcrossTicks()
    {
        await using var harness = PaperHarness.Create(o => o.MaxFillQuantityPerTick = 100);

        var ack = await harness.PlaceAsync("big-1", OrderSide.Buy, 250);
        harness.Tick();
        var first = await harness.Sink.NextAsync();
        var afterFirst = await harness.Broker.GetOpenOrdersAsync(OpenOrderScope.Gateway, CancellationToken.None);
        harness.Tick();
        var second = await harness.Sink.NextAsync();
        harness.Tick();
        var third = await harness.Sink.NextAsync();
        harness.Tick(3);
        var open = await harness.Broker.GetOpenOrdersAsync(OpenOrderScope.Gateway, CancellationToken.None);

        Assert.Equal([OrderStatus.PartiallyFilled, OrderStatus.PartiallyFilled, OrderStatus.Filled],
            new[] { first.Status, second.Status, third.Status });
        Assert.Equal([100L, 200L, 250L], new[] { first.FilledQuantity, second.FilledQuantity, third.FilledQuantity });
        Assert.Equal([100L, 100L, 50L], new[] { first.Fill!.Quantity, second.Fill!.Quantity, third.Fill!.Quantity });
        Assert.Equal(3, new[] { first, second, third }.Select(u => u.Fill!.ExecutionId).Distinct().Count());
        Assert.Equal(OrderStatus.PartiallyFilled, Assert.Single(afterFirst).Status);
        Assert.Single(Assert.Single(afterFirst).Fills);
        Assert.Empty(open);
        Assert.Equal(3, harness.Sink.All.Count);
        Assert.All(harness.Sink.All, u => Assert.Equal(ack.BrokerOrderId, u.BrokerOrderId));
    }

    [Fact]
    public async Task PlaceOrderAsync_UnknownSymbol_ThrowsInvalidSymbol()
    {
        await using var harness = PaperHarness.Create();

        var error = await Assert.ThrowsAsync<BrokerRejectionException>(
            () => harness.PlaceAsync("bad-symbol", OrderSide.Buy, 1, symbol: "ZZZZ"));

        Assert.Equal(BrokerRejectionCode.InvalidSymbol, error.Code);
        Assert.Null(await harness.Broker.FindOrderAsync("bad-symbol", CancellationToken.None));
    }

    [Fact]
    public async Task PlaceOrderAsync_NotionalAboveBuyingPower_ThrowsInsufficientFunds()
    {
        await using var harness = PaperHarness.Create(o => o.StartingCash = 10_000m);

        var error = await Assert.ThrowsAsync<BrokerRejectionException>(
            () => harness.PlaceAsync("too-big", OrderSide.Buy, 100, limitPrice: 200m));

        Assert.Equal(BrokerRejectionCode.InsufficientFunds, error.Code);
        Assert.Contains("20000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlaceOrderAsync_WorkingBuysReserveCash_SecondBuyThrowsInsufficientFunds()
    {
        await using var harness = PaperHarness.Create(o => o.StartingCash = 10_000m);
        await harness.PlaceAsync("reserve-1", OrderSide.Buy, 60, limitPrice: 100m);

        var error = await Assert.ThrowsAsync<BrokerRejectionException>(
            () => harness.PlaceAsync("reserve-2", OrderSide.Buy, 50, limitPrice: 100m));

        Assert.Equal(BrokerRejectionCode.InsufficientFunds, error.Code);
    }

    [Fact]
    public async Task PlaceOrderAsync_AfterReservingBuyCancelled_FundsAreFreed()
    {
        await using var harness = PaperHarness.Create(o => o.StartingCash = 10_000m);
        var first = await harness.PlaceAsync("free-1", OrderSide.Buy, 60, limitPrice: 100m);
        await harness.Broker.CancelOrderAsync(
            new BrokerOrderReference(1, "free-1", first.BrokerOrderId),
            CancellationToken.None);
        harness.Tick();
        await harness.Sink.NextAsync();

        var second = await harness.PlaceAsync("free-2", OrderSide.Buy, 90, limitPrice: 100m);

        Assert.Equal(OrderStatus.Submitted, second.Status);
    }

    [Fact]
    public async Task PlaceOrderAsync_WorkingMarketBuyReservesAtAsk_SecondBuyThrowsInsufficientFunds()
    {
        await using var harness = PaperHarness.Create(o => o.StartingCash = 1_000m);
        var ask = harness.Quote("AAPL").Ask;
        var affordable = (long)Math.Floor(1_000m / ask);
        await harness.PlaceAsync("market-reserve", OrderSide.Buy, affordable);

        var error = await Assert.ThrowsAsync<BrokerRejectionException>(
            () => harness.PlaceAsync("market-reserve-2", OrderSide.Buy, 1, limitPrice: ask));

        Assert.Equal(BrokerRejectionCode.InsufficientFunds, error.Code);
    }

    [Fact]
    public async Task PlaceOrderAsync_SellAboveCash_IsAccepted()
    {
        await using var harness = PaperHarness.Create(o => o.StartingCash = 100m);

        var ack = await harness.PlaceAsync("short-1", OrderSide.Sell, 100, limitPrice: 1_000m);

        Assert.Equal(OrderStatus.Submitted, ack.Status);
    }

    [Fact]
    public async Task PlaceOrderAsync_QuantityAboveMaximum_ThrowsInvalidOrder()
    {
        await using var harness = PaperHarness.Create(o => o.MaxOrderQuantity = 500);

        var error = await Assert.ThrowsAsync<BrokerRejectionException>(
            () => harness.PlaceAsync("huge", OrderSide.Sell, 501, limitPrice: 1m));

        Assert.Equal(BrokerRejectionCode.InvalidOrder, error.Code);
        Assert.Contains("MaxOrderQuantity", error.Message, StringComparison.Ordinal);
        Assert.Contains("501", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L, null)]
    [InlineData(-5L, null)]
    [InlineData(10L, 0.0)]
    [InlineData(10L, -1.0)]
    public async Task PlaceOrderAsync_InvalidQuantityOrLimit_ThrowsInvalidOrder(long quantity, double? limit)
    {
        await using var harness = PaperHarness.Create();
        var order = new BrokerOrder(
            1,
            "invalid",
            "AAPL",
            OrderSide.Buy,
            quantity,
            limit is null ? OrderType.Market : OrderType.Limit,
            limit is null ? null : (decimal)limit.Value,
            TimeInForce.Day);

        var error = await Assert.ThrowsAsync<BrokerRejectionException>(
            () => harness.Broker.PlaceOrderAsync(order, CancellationToken.None));

        Assert.Equal(BrokerRejectionCode.InvalidOrder, error.Code);
    }

    [Fact]
    public async Task PlaceOrderAsync_SameClientOrderIdAndFields_ReturnsFirstAck()
    {
        await using var harness = PaperHarness.Create();

        var first = await harness.PlaceAsync("repeat-1", OrderSide.Buy, 1, limitPrice: 1m);
        var second = await harness.PlaceAsync("repeat-1", OrderSide.Buy, 1, limitPrice: 1m);
        var open = await harness.Broker.GetOpenOrdersAsync(OpenOrderScope.Gateway, CancellationToken.None);

        Assert.Equal(first.BrokerOrderId, second.BrokerOrderId);
        Assert.Single(open);
    }

    [Fact]
    public async Task PlaceOrderAsync_SameClientOrderIdOtherFields_ThrowsInvalidOrder()
    {
        await using var harness = PaperHarness.Create();
        await harness.PlaceAsync("repeat-2", OrderSide.Buy, 1, limitPrice: 1m);

        var error = await Assert.ThrowsAsync<BrokerRejectionException>(
            () => harness.PlaceAsync("repeat-2", OrderSide.Buy, 2, limitPrice: 1m));

        Assert.Equal(BrokerRejectionCode.InvalidOrder, error.Code);
    }

    [Fact]
    public async Task CancelOrderAsync_WorkingOrder_SendsCancelledUpdate()
    {
        await using var harness = PaperHarness.Create();
        var ack = await harness.PlaceAsync("cancel-1", OrderSide.Buy, 10, limitPrice: 1m);

        await harness.Broker.CancelOrderAsync(
            new BrokerOrderReference(1, "cancel-1", ack.BrokerOrderId),
            CancellationToken.None);
        var attemptsBeforeTick = harness.Sink.Attempts;
        harness.Tick();
        var update = await harness.Sink.NextAsync();
        var found = await harness.Broker.FindOrderAsync("cancel-1", CancellationToken.None);

        Assert.Equal(0, attemptsBeforeTick);
        Assert.Equal(OrderStatus.Cancelled, update.Status);
        Assert.Equal(ack.BrokerOrderId, update.BrokerOrderId);
        Assert.Null(update.Fill);
        Assert.NotNull(update.Reason);
        Assert.Equal(OrderStatus.Cancelled, found!.Status);
    }

    [Fact]
    public async Task CancelOrderAsync_ByClientOrderIdOnly_FindsOrder()
    {
        await using var harness = PaperHarness.Create();
        await harness.PlaceAsync("cancel-2", OrderSide.Sell, 10, limitPrice: 100_000m);

        await harness.Broker.CancelOrderAsync(new BrokerOrderReference(1, "cancel-2", null), CancellationToken.None);
        harness.Tick();
        var update = await harness.Sink.NextAsync();

        Assert.Equal(OrderStatus.Cancelled, update.Status);
    }

    [Fact]
    public async Task CancelOrderAsync_FilledOrder_ThrowsOrderAlreadyFinal()
    {
        await using var harness = PaperHarness.Create();
        var ack = await harness.PlaceAsync("final-1", OrderSide.Buy, 1);
        harness.Tick();
        await harness.Sink.NextAsync();

        var error = await Assert.ThrowsAsync<BrokerRejectionException>(
            () => harness.Broker.CancelOrderAsync(
                new BrokerOrderReference(1, "final-1", ack.BrokerOrderId),
                CancellationToken.None));

        Assert.Equal(BrokerRejectionCode.OrderAlreadyFinal, error.Code);
        Assert.Contains("Filled", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelOrderAsync_UnknownOrder_ThrowsOrderNotFound()
    {
        await using var harness = PaperHarness.Create();

        var error = await Assert.ThrowsAsync<BrokerRejectionException>(
            () => harness.Broker.CancelOrderAsync(
                new BrokerOrderReference(1, "missing", "PB999"),
                CancellationToken.None));

        Assert.Equal(BrokerRejectionCode.OrderNotFound, error.Code);
    }

    [Fact]
    public async Task CancelOrderAsync_SameStepAsCross_CancelWinsOverFill()
    {
        await using var harness = PaperHarness.Create(o => o.Volatility = 0);
        var ack = await harness.PlaceAsync("race-1", OrderSide.Buy, 5);

        await harness.Broker.CancelOrderAsync(
            new BrokerOrderReference(1, "race-1", ack.BrokerOrderId),
            CancellationToken.None);
        harness.Tick();
        var update = await harness.Sink.NextAsync();

        Assert.Equal(OrderStatus.Cancelled, update.Status);
        Assert.Equal(0, update.FilledQuantity);
    }

    [Fact]
    public async Task FindOrderAsync_FilledOrder_ReturnsFinalStateWithFills()
    {
        await using var harness = PaperHarness.Create();
        await harness.PlaceAsync("find-1", OrderSide.Buy, 4);
        harness.Tick();
        var update = await harness.Sink.NextAsync();

        var found = await harness.Broker.FindOrderAsync("find-1", CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(OrderStatus.Filled, found.Status);
        Assert.Equal(4, found.FilledQuantity);
        Assert.Equal(update.Fill, Assert.Single(found.Fills));
    }

    [Fact]
    public async Task FindOrderAsync_UnknownClientOrderId_ReturnsNull()
    {
        await using var harness = PaperHarness.Create();

        var found = await harness.Broker.FindOrderAsync("never-sent", CancellationToken.None);

        Assert.Null(found);
    }

    [Fact]
    public async Task GetOpenOrdersAsync_ExternalOrder_OnlyInAccountScope()
    {
        await using var harness = PaperHarness.Create();
        await harness.PlaceAsync("mine-1", OrderSide.Buy, 1, limitPrice: 1m);
        var external = harness.Broker.AddExternalOrder("IBM", OrderSide.Sell, 7, 10_000m);

        var gateway = await harness.Broker.GetOpenOrdersAsync(OpenOrderScope.Gateway, CancellationToken.None);
        var account = await harness.Broker.GetOpenOrdersAsync(OpenOrderScope.Account, CancellationToken.None);

        Assert.Equal("mine-1", Assert.Single(gateway).ClientOrderId);
        Assert.Equal(2, account.Count);
        Assert.Contains(account, o => o.BrokerOrderId == external.BrokerOrderId && o.ClientOrderId is null);
    }

    [Fact]
    public async Task RunStep_SessionEndCrossed_CancelsDayOrdersOnly()
    {
        var sessionEnd = TimeOnly.FromDateTime(PaperHarness.Start.UtcDateTime.AddMilliseconds(250));
        await using var harness = PaperHarness.Create(o => o.SessionEndUtc = sessionEnd);
        await harness.PlaceAsync("day-1", OrderSide.Buy, 1, limitPrice: 1m, timeInForce: TimeInForce.Day);
        await harness.PlaceAsync("gtc-1", OrderSide.Buy, 1, limitPrice: 1m, timeInForce: TimeInForce.Gtc);

        harness.Tick(2);
        var beforeEnd = harness.Sink.Attempts;
        harness.Tick();
        var update = await harness.Sink.NextAsync();
        var open = await harness.Broker.GetOpenOrdersAsync(OpenOrderScope.Gateway, CancellationToken.None);

        Assert.Equal(0, beforeEnd);
        Assert.Equal(("day-1", OrderStatus.Cancelled), (update.ClientOrderId, update.Status));
        Assert.Equal("gtc-1", Assert.Single(open).ClientOrderId);
    }
}
