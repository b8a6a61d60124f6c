using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Orders;
using Breakwater.Ibkr.Supervision;

namespace Breakwater.Ibkr.Tests.Adapter;

/// <summary>The adapter against the emulator over real loopback sockets.</summary>
public sealed class IbkrBrokerTests
{
    private static BrokerOrder Market(string clientOrderId, long quantity = 10) =>
        new(1, clientOrderId, "AAPL", OrderSide.Buy, quantity, OrderType.Market, null, TimeInForce.Day);

    private static BrokerOrder Limit(string clientOrderId, decimal price = 50m) =>
        new(2, clientOrderId, "AAPL", OrderSide.Buy, 5, OrderType.Limit, price, TimeInForce.Gtc);

    [Fact]
    public async Task PlaceOrderAsync_MarketOrder_ReportsOneFill()
    {
        await using var h = await AdapterHarness.StartAsync();

        var ack = await h.Broker.PlaceOrderAsync(Market("mkt-1"), CancellationToken.None);

        Assert.Equal(OrderStatus.Submitted, ack.Status);
        await h.WaitUntilAsync(() => h.Sink.Updates.Any(u => u.Status == OrderStatus.Filled), "filled");
        var fill = Assert.Single(h.Sink.Updates, u => u.Fill is not null);
        Assert.Equal(ack.BrokerOrderId, fill.BrokerOrderId);
        Assert.Equal("mkt-1", fill.ClientOrderId);
        Assert.Equal(10, fill.Fill!.Quantity);
        Assert.Equal(h.Emulator.GetPrice("AAPL"), fill.Fill.Price);
        Assert.Equal("Filled", h.Emulator.GetOrderStatus(int.Parse(ack.BrokerOrderId)));
    }

    [Fact]
    public async Task PlaceOrderAsync_LimitOrder_RestsAndCancels()
    {
        await using var h = await AdapterHarness.StartAsync();

        var ack = await h.Broker.PlaceOrderAsync(Limit("lmt-1"), CancellationToken.None);
        var open = await h.Broker.GetOpenOrdersAsync(OpenOrderScope.Gateway, CancellationToken.None);
        await h.Broker.CancelOrderAsync(new BrokerOrderReference(2, "lmt-1", ack.BrokerOrderId), CancellationToken.None);

        var resting = Assert.Single(open);
        Assert.Equal(ack.BrokerOrderId, resting.BrokerOrderId);
        Assert.Equal("lmt-1", resting.ClientOrderId);
        Assert.Equal(OrderStatus.Submitted, resting.Status);
        Assert.Equal(50m, resting.LimitPrice);
        await h.WaitUntilAsync(() => h.Sink.Updates.Any(u => u.Status == OrderStatus.Cancelled), "cancelled");
        Assert.Equal("Cancelled", h.Emulator.GetOrderStatus(int.Parse(ack.BrokerOrderId)));
        Assert.Empty(await h.Broker.GetOpenOrdersAsync(OpenOrderScope.Account, CancellationToken.None));
    }

    [Fact]
    public async Task CancelOrderAsync_CancelledOrder_ThrowsAlreadyFinal()
    {
        await using var h = await AdapterHarness.StartAsync();
        var ack = await h.Broker.PlaceOrderAsync(Limit("lmt-2"), CancellationToken.None);
        var reference = new BrokerOrderReference(2, "lmt-2", ack.BrokerOrderId);
        await h.Broker.CancelOrderAsync(reference, CancellationToken.None);

        var error = await Assert.ThrowsAsync<BrokerRejectionException>(
            () => h.Broker.CancelOrderAsync(reference, CancellationToken.None));

        Assert.Equal(BrokerRejectionCode.OrderAlreadyFinal, error.Code);
        Assert.Contains("10148", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelOrderAsync_UnknownOrder_ThrowsNotFound()
    {
        await using var h = await AdapterHarness.StartAsync();

        var error = await Assert.ThrowsAsync<BrokerRejectionException>(
            () => h.Broker.CancelOrderAsync(new BrokerOrderReference(9, "x", "4242"), CancellationToken.None));

        Assert.Equal(BrokerRejectionCode.OrderNotFound, error.Code);
        Assert.Contains("10147", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlaceOrderAsync_EmulatorRejects_ThrowsInvalidOrder()
    {
        await using var h = await AdapterHarness.StartAsync();
        h.Emulator.RejectOrders("Exchange is closed.");

        var error = await Assert.ThrowsAsync<BrokerRejectionException>(
            () => h.Broker.PlaceOrderAsync(Market("rej-1"), CancellationToken.None));

        Assert.Equal(BrokerRejectionCode.InvalidOrder, error.Code);
        Assert.Contains("201", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlaceOrderAsync_UnknownSymbol_ThrowsInvalidSymbol()
    {
        await using var h = await AdapterHarness.StartAsync();
        var order = Market("sym-1") with { Symbol = "NOSUCH" };

        var error = await Assert.ThrowsAsync<BrokerRejectionException>(
            () => h.Broker.PlaceOrderAsync(order, CancellationToken.None));

        Assert.Equal(BrokerRejectionCode.InvalidSymbol, error.Code);
    }

    [Fact]
    public async Task PlaceOrderAsync_ConnectionLostMidCall_ThrowsMayHaveReached()
    {
        await using var h = await AdapterHarness.StartAsync(configureEmulator: o => o.RecordInboundFrames = true);
        h.Emulator.SetSilent(true);

        var place = h.Broker.PlaceOrderAsync(Market("lost-1"), CancellationToken.None);
        await h.WaitUntilAsync(() => h.Emulator.InboundFrames.Any(f => f.Fields[0] == "3"), "placeOrder received");
        h.Emulator.DropConnections();
        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => place);

        Assert.True(error.RequestMayHaveReachedDependency);
        Assert.Equal(DependencyNames.Broker, error.Dependency);
    }

    [Fact]
    public async Task PlaceOrderAsync_OrderIdSpaceExhausted_ThrowsNotReachedBeforeSending()
    {
        await using var h = await AdapterHarness.StartAsync(configureEmulator: o => o.RecordInboundFrames = true);
        h.Broker.RaiseOrderIdFloor((long)int.MaxValue + 1);

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => h.Broker.PlaceOrderAsync(Market("no-id-1"), CancellationToken.None));

        Assert.False(error.RequestMayHaveReachedDependency);
        Assert.Equal(DependencyNames.Broker, error.Dependency);
        Assert.DoesNotContain(h.Emulator.InboundFrames, f => f.Fields[0] == "3");
    }

    [Fact]
    public async Task GetQuoteAsync_Snapshot_ReturnsEmulatorPrice()
    {
        await using var h = await AdapterHarness.StartAsync();
        h.Emulator.SetPrice("MSFT", 412.50m);

        var quote = await h.Broker.GetQuoteAsync("MSFT", CancellationToken.None);

        Assert.Equal(412.49m, quote.Bid);
        Assert.Equal(412.51m, quote.Ask);
        Assert.Equal(412.50m, quote.Last);
        Assert.NotNull(h.Broker.LastQuoteTime);
    }

    [Fact]
    public async Task GetQuoteAsync_UnknownSymbol_ThrowsInvalidSymbol()
    {
        await using var h = await AdapterHarness.StartAsync();

        var error = await Assert.ThrowsAsync<BrokerRejectionException>(
            () => h.Broker.GetQuoteAsync("NOSUCH", CancellationToken.None));

        Assert.Equal(BrokerRejectionCode.InvalidSymbol, error.Code);
    }

    [Fact]
    public async Task PingAsync_Connected_Completes()
    {
        await using var h = await AdapterHarness.StartAsync();

        await h.Broker.PingAsync(CancellationToken.None);

        Assert.Equal(IbkrConnectionStatus.Connected, h.Supervisor.State.Status);
    }

    [Fact]
    public async Task FindOrderAsync_FilledAndResting_FoundByClientOrderId()
    {
        await using var h = await AdapterHarness.StartAsync();
        await h.Broker.PlaceOrderAsync(Market("find-mkt"), CancellationToken.None);
        await h.Broker.PlaceOrderAsync(Limit("find-lmt"), CancellationToken.None);

        var filled = await h.Broker.FindOrderAsync("find-mkt", CancellationToken.None);
        var resting = await h.Broker.FindOrderAsync("find-lmt", CancellationToken.None);
        var missing = await h.Broker.FindOrderAsync("never-sent", CancellationToken.None);

        Assert.Equal(OrderStatus.Filled, filled!.Status);
        Assert.Single(filled.Fills);
        Assert.Equal(OrderStatus.Submitted, resting!.Status);
        Assert.Null(missing);
    }

    [Fact]
    public async Task Reconnect_FillWhileDisconnected_ReportedExactlyOnce()
    {
        await using var h = await AdapterHarness.StartAsync();
        var ack = await h.Broker.PlaceOrderAsync(Limit("recon-1"), CancellationToken.None);
        var orderId = int.Parse(ack.BrokerOrderId);

        h.Emulator.RefuseConnections(true);
        h.Emulator.DropConnections();
        await h.WaitUntilAsync(() => h.Supervisor.State.Status != IbkrConnectionStatus.Connected, "disconnected");
        h.Emulator.FillOrder(orderId, 49.5m);
        Assert.DoesNotContain(h.Sink.Updates, u => u.Fill is not null);
        h.Emulator.RefuseConnections(false);
        await h.WaitUntilAsync(() => h.Sink.Updates.Any(u => u.Fill is not null), "fill reported after reconnect");

        // A second restart replays the same execution; it must not be reported again.
        await h.Emulator.RestartAsync(TimeSpan.Zero, CancellationToken.None);
        await h.WaitUntilAsync(() => h.Supervisor.State.Status == IbkrConnectionStatus.Connected, "reconnected");
        await h.Broker.LastReconciliation;

        var fill = Assert.Single(h.Sink.Updates, u => u.Fill is not null);
        Assert.Equal(OrderStatus.Filled, fill.Status);
        Assert.Equal(49.5m, fill.Fill!.Price);
        Assert.Equal("recon-1", fill.ClientOrderId);
    }

    [Fact]
    public async Task DeliverUpdates_SinkRefusesFillTwice_DeliversItOnceBeforeLaterUpdates()
    {
        await using var h = await AdapterHarness.StartAsync();
        h.Sink.FailFills(2);

        var first = await h.Broker.PlaceOrderAsync(Market("outbox-1"), CancellationToken.None);
        await h.WaitUntilAsync(() => h.Sink.Refused >= 1, "the first fill refused");
        var second = await h.Broker.PlaceOrderAsync(Limit("outbox-2"), CancellationToken.None);
        await h.Broker.CancelOrderAsync(new BrokerOrderReference(2, "outbox-2", second.BrokerOrderId),
            CancellationToken.None);
        await h.WaitUntilAsync(
            () => h.Sink.Updates.Any(u => u.BrokerOrderId == second.BrokerOrderId && u.Status == OrderStatus.Cancelled),
            "the second order's cancel delivered");

        var updates = h.Sink.Updates;
        var fill = Assert.Single(updates, u => u.Fill is not null);
        Assert.Equal(first.BrokerOrderId, fill.BrokerOrderId);
        Assert.Equal(2, h.Sink.Refused);
        var fillIndex = updates.ToList().IndexOf(fill);
        var firstOfSecond = updates.ToList().FindIndex(u => u.BrokerOrderId == second.BrokerOrderId);
        Assert.True(fillIndex < firstOfSecond, $"The fill was delivered at {fillIndex}, after update {firstOfSecond}.");
    }

    [Fact]
    public async Task CancelAllOrdersAsync_TwoResting_CancelsBoth()
    {
        await using var h = await AdapterHarness.StartAsync();
        var first = await h.Broker.PlaceOrderAsync(Limit("all-1"), CancellationToken.None);
        var second = await h.Broker.PlaceOrderAsync(Limit("all-2", 40m), CancellationToken.None);

        await h.Broker.CancelAllOrdersAsync(CancellationToken.None);
        await h.WaitUntilAsync(() => h.Sink.Updates.Count(u => u.Status == OrderStatus.Cancelled) == 2, "both cancelled");

        Assert.Equal("Cancelled", h.Emulator.GetOrderStatus(int.Parse(first.BrokerOrderId)));
        Assert.Equal("Cancelled", h.Emulator.GetOrderStatus(int.Parse(second.BrokerOrderId)));
    }

    [Fact]
    public async Task Execution_OtherOrderIdSamePermId_MatchesTrackedOrder()
    {
        await using var h = await AdapterHarness.StartAsync();
        var ack = await h.Broker.PlaceOrderAsync(Limit("perm-1"), CancellationToken.None);

        // TWS reports the same order under another order id, as it does for another client id. The permId 1000000 is
        // the one the emulator gave this first order.
        h.Broker.OnMessage(new global::Breakwater.Ibkr.Protocol.IbExecution(
            -1, 999, 1, "AAPL", "exec-perm-1", "20261204-15:00:00", "DU1234567", "BOT", 5, 49m, 1_000_000, 0, 5, 49m, ""));
        await h.WaitUntilAsync(() => h.Sink.Updates.Any(u => u.Fill is not null), "fill reported");

        var fill = Assert.Single(h.Sink.Updates, u => u.Fill is not null);
        Assert.Equal(ack.BrokerOrderId, fill.BrokerOrderId);
        Assert.Equal("perm-1", fill.ClientOrderId);
        Assert.Equal(OrderStatus.Filled, fill.Status);
    }

    [Fact]
    public async Task GetQuoteAsync_StreamedSymbol_ServedFromCache()
    {
        await using var h = await AdapterHarness.StartAsync(
            configure: o => o.StreamSymbols.Add("AAPL"),
            configureEmulator: e =>
            {
                e.RecordInboundFrames = true;
                e.QuoteInterval = TimeSpan.FromMilliseconds(20);
            });
        await h.WaitUntilAsync(() => h.Broker.LastQuoteTime is not null, "first streamed tick");

        var quote = await h.Broker.GetQuoteAsync("AAPL", CancellationToken.None);

        var requests = h.Emulator.InboundFrames.Where(f => f.Fields[0] == "1").ToList();
        var subscription = Assert.Single(requests);
        Assert.Equal("0", subscription.Fields[17]);
        Assert.Equal(quote.Last - 0.01m, quote.Bid);
        Assert.Equal(quote.Last + 0.01m, quote.Ask);
    }

    [Fact]
    public async Task PlaceOrderAsync_AfterCode1100_ThrowsNotReached()
    {
        await using var h = await AdapterHarness.StartAsync(configureEmulator: e => e.RecordInboundFrames = true);
        h.Emulator.SendSystemMessage(1100);
        await h.WaitUntilAsync(() => !h.Supervisor.State.BrokerAvailable, "1100 applied");

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => h.Broker.PlaceOrderAsync(Market("down-1"), CancellationToken.None));

        Assert.False(error.RequestMayHaveReachedDependency);
        Assert.DoesNotContain(h.Emulator.InboundFrames, f => f.Fields[0] == "3");
    }
}
