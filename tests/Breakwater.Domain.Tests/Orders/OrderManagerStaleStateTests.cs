using Breakwater.Domain.Brokers;
using Breakwater.Domain.Journal;
using Breakwater.Domain.Lifecycle;
using Breakwater.Domain.Orders;
using Breakwater.Tests.Doubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Breakwater.Domain.Tests.Orders;

/// <summary>
/// Broker updates that arrive while the in-memory state is behind the journal (a write reported a failure but
/// committed), and fills of orders that are already final.
/// </summary>
public sealed class OrderManagerStaleStateTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 16, 0, 0, TimeSpan.Zero));
    private readonly InMemoryOrderJournal _journal = new();
    private readonly FakeBroker _broker = new();
    private readonly GatewayLifecycle _lifecycle = new();

    private static OrderRequest Limit(string clientOrderId) =>
        new(clientOrderId, "MSFT", OrderSide.Sell, 100, OrderType.Limit, 410m, TimeInForce.Gtc);

    private static BrokerOrderUpdate FillUpdate(Order order, string executionId, long quantity, decimal price,
        long cumulative) =>
        new(order.BrokerOrderId!, order.ClientOrderId,
            cumulative >= order.Quantity ? OrderStatus.Filled : OrderStatus.PartiallyFilled, cumulative,
            new Fill(executionId, quantity, price, DateTimeOffset.UnixEpoch), null, DateTimeOffset.UnixEpoch);

    private static BrokerOrderUpdate Cancelled(Order order) =>
        new(order.BrokerOrderId!, order.ClientOrderId, OrderStatus.Cancelled, order.FilledQuantity, null,
            "cancelled by request", DateTimeOffset.UnixEpoch);

    private OrderManager NewManager() =>
        new(_journal, _broker, _lifecycle, _time, NullLogger<OrderManager>.Instance);

    private async Task<(OrderManager Manager, Order Order)> SubmittedAsync(string clientOrderId)
    {
        var manager = NewManager();
        _broker.Sink = manager;
        await manager.StartAsync(CancellationToken.None);
        _lifecycle.MarkRunning();
        var result = await manager.SubmitAsync(Limit(clientOrderId), CancellationToken.None);
        return (manager, result.Order);
    }

    private async Task<Order> StoredAsync(long id) => (await _journal.GetOrderAsync(id, CancellationToken.None))!;

    [Fact]
    public async Task OnOrderUpdateAsync_CancelAfterLostWriteReply_JournalsCancelled()
    {
        var (manager, order) = await SubmittedAsync("stale-1");
        _broker.OnCancel = _ => Task.FromResult(true);
        _journal.FailAfterNextAppend = true;
        await manager.CancelAsync(order.Id, CancellationToken.None);

        await manager.OnOrderUpdateAsync(Cancelled(order), CancellationToken.None);

        Assert.Equal(OrderStatus.Cancelled, (await StoredAsync(order.Id)).Status);
        Assert.Equal(0, manager.OpenOrderCount);
    }

    [Fact]
    public async Task OnOrderUpdateAsync_FillAfterLostWriteReply_JournalsFill()
    {
        var (manager, order) = await SubmittedAsync("stale-2");
        _broker.OnCancel = _ => Task.FromResult(true);
        _journal.FailAfterNextAppend = true;
        await manager.CancelAsync(order.Id, CancellationToken.None);

        await manager.OnOrderUpdateAsync(FillUpdate(order, "X-1", 100, 410m, 100), CancellationToken.None);

        var stored = await StoredAsync(order.Id);
        Assert.Equal(100, stored.FilledQuantity);
        Assert.Equal(OrderStatus.Filled, stored.Status);
    }

    [Fact]
    public async Task OnOrderUpdateAsync_JournalAhead_RecomputesFill()
    {
        var (manager, order) = await SubmittedAsync("stale-3");
        var ahead = order with { Version = order.Version + 1, Status = OrderStatus.PendingCancel };
        await _journal.AppendChangeAsync(
            new OrderChange(ahead, new OrderEvent(ahead.Id, ahead.Version, OrderEventKind.StatusChanged,
                ahead.Status, ahead.UpdatedAt, null, "written by a call whose reply was lost")),
            CancellationToken.None);

        await manager.OnOrderUpdateAsync(FillUpdate(order, "X-1", 40, 410m, 40), CancellationToken.None);

        var stored = await StoredAsync(order.Id);
        Assert.Equal(40, stored.FilledQuantity);
        Assert.Equal(order.Version + 2, stored.Version);
        Assert.Contains(
            await _journal.GetHistoryAsync(order.Id, CancellationToken.None),
            e => e.Fill?.ExecutionId == "X-1");
    }

    [Fact]
    public async Task OnOrderUpdateAsync_FillRedeliveredAfterLostReply_KeepsAveragePrice()
    {
        var (manager, order) = await SubmittedAsync("stale-4");
        _journal.FailAfterNextAppend = true;
        await Assert.ThrowsAsync<TimeoutException>(
            async () => await manager.OnOrderUpdateAsync(
                FillUpdate(order, "X-1", 50, 100m, 50), CancellationToken.None));

        await manager.OnOrderUpdateAsync(FillUpdate(order, "X-1", 50, 100m, 50), CancellationToken.None);
        await manager.OnOrderUpdateAsync(FillUpdate(order, "X-2", 50, 110m, 100), CancellationToken.None);

        var stored = await StoredAsync(order.Id);
        Assert.Equal(100, stored.FilledQuantity);
        Assert.Equal(105m, stored.AverageFillPrice);
    }

    [Fact]
    public async Task StartAsync_ThenFill_AveragesJournaledFills()
    {
        var (manager, order) = await SubmittedAsync("stale-5");
        await manager.OnOrderUpdateAsync(FillUpdate(order, "X-1", 50, 100m, 50), CancellationToken.None);
        var restarted = NewManager();
        await restarted.StartAsync(CancellationToken.None);

        await restarted.OnOrderUpdateAsync(FillUpdate(order, "X-2", 50, 120m, 100), CancellationToken.None);

        Assert.Equal(110m, (await StoredAsync(order.Id)).AverageFillPrice);
    }

    [Fact]
    public async Task OnOrderUpdateAsync_FillOfCancelledOrder_JournalsAndFlags()
    {
        var (manager, order) = await SubmittedAsync("late-1");
        await manager.OnOrderUpdateAsync(Cancelled(order), CancellationToken.None);

        await manager.OnOrderUpdateAsync(FillUpdate(order, "X-9", 30, 409m, 30), CancellationToken.None);

        var stored = await StoredAsync(order.Id);
        Assert.Equal(OrderStatus.Cancelled, stored.Status);
        Assert.Equal(30, stored.FilledQuantity);
        Assert.Equal(409m, stored.AverageFillPrice);
        Assert.Equal(OrderAttention.LateFill, stored.Attention);
        Assert.Equal(1, manager.LateFillCount);
    }

    [Fact]
    public async Task OnOrderUpdateAsync_LateFillRedelivered_JournaledOnce()
    {
        var (manager, order) = await SubmittedAsync("late-2");
        await manager.OnOrderUpdateAsync(Cancelled(order), CancellationToken.None);
        await manager.OnOrderUpdateAsync(FillUpdate(order, "X-9", 30, 409m, 30), CancellationToken.None);

        await manager.OnOrderUpdateAsync(FillUpdate(order, "X-9", 30, 409m, 30), CancellationToken.None);

        Assert.Equal(30, (await StoredAsync(order.Id)).FilledQuantity);
        Assert.Equal(1, manager.LateFillCount);
    }

    [Fact]
    public async Task OnOrderUpdateAsync_StatusOfCancelledOrder_Ignored()
    {
        var (manager, order) = await SubmittedAsync("late-3");
        await manager.OnOrderUpdateAsync(Cancelled(order), CancellationToken.None);
        var before = await StoredAsync(order.Id);

        await manager.OnOrderUpdateAsync(Cancelled(order), CancellationToken.None);

        Assert.Equal(before.Version, (await StoredAsync(order.Id)).Version);
        Assert.Equal(0, manager.LateFillCount);
    }

    [Fact]
    public async Task OnOrderUpdateAsync_BeforeStart_Throws()
    {
        var (_, order) = await SubmittedAsync("early-1");
        var restarted = NewManager();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(
            async () => await restarted.OnOrderUpdateAsync(
                FillUpdate(order, "X-1", 100, 410m, 100), CancellationToken.None));
        await restarted.StartAsync(CancellationToken.None);
        await restarted.OnOrderUpdateAsync(FillUpdate(order, "X-1", 100, 410m, 100), CancellationToken.None);

        Assert.Contains(nameof(OrderManager.StartAsync), refused.Message, StringComparison.Ordinal);
        Assert.Equal(OrderStatus.Filled, (await StoredAsync(order.Id)).Status);
    }
}
