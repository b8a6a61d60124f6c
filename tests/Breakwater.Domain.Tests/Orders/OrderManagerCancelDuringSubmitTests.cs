using Breakwater.Domain.Brokers;
using Breakwater.Domain.Lifecycle;
using Breakwater.Domain.Orders;
using Breakwater.Tests.Doubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Breakwater.Domain.Tests.Orders;

/// <summary>A cancel that arrives while the order's submit still waits for the broker.</summary>
public sealed class OrderManagerCancelDuringSubmitTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 17, 0, 0, TimeSpan.Zero));
    private readonly InMemoryOrderJournal _journal = new();
    private readonly FakeBroker _broker = new();
    private readonly GatewayLifecycle _lifecycle = new();
    private readonly TaskCompletionSource _placing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static OrderRequest Limit(string clientOrderId) =>
        new(clientOrderId, "NVDA", OrderSide.Buy, 20, OrderType.Limit, 120m, TimeInForce.Day);

    private async Task<OrderManager> StartedAsync()
    {
        var manager = new OrderManager(_journal, _broker, _lifecycle, _time, NullLogger<OrderManager>.Instance);
        _broker.Sink = manager;
        await manager.StartAsync(CancellationToken.None);
        _lifecycle.MarkRunning();
        return manager;
    }

    private async Task<Order> JournaledAsync(string clientOrderId) =>
        (await _journal.FindByClientOrderIdAsync(clientOrderId, CancellationToken.None))!;

    [Fact]
    public async Task CancelAsync_BeforeAck_SentWhenAckArrives()
    {
        var manager = await StartedAsync();
        _broker.OnPlace = async _ =>
        {
            _placing.TrySetResult();
            await _release.Task;
            return null;
        };
        var submit = manager.SubmitAsync(Limit("race-1"), CancellationToken.None);
        await _placing.Task;
        var order = await JournaledAsync("race-1");

        var cancel = await manager.CancelAsync(order.Id, CancellationToken.None);
        var cancelsBeforeAck = _broker.Cancelled.Count;
        _release.SetResult();
        await submit;

        Assert.False(cancel.Journaled);
        Assert.Equal(0, cancelsBeforeAck);
        var sent = Assert.Single(_broker.Cancelled);
        Assert.Equal("race-1", sent.ClientOrderId);
        Assert.NotNull(sent.BrokerOrderId);
        Assert.Equal(OrderStatus.PendingCancel, (await JournaledAsync("race-1")).Status);
    }

    [Fact]
    public async Task CancelAsync_BeforeUncertainSubmit_SentOnceReconcilerFindsOrder()
    {
        var manager = await StartedAsync();
        _broker.OnPlace = async _ =>
        {
            _placing.TrySetResult();
            await _release.Task;
            throw new TimeoutException("The broker did not answer the order in time.");
        };
        var submit = manager.SubmitAsync(Limit("race-2"), CancellationToken.None);
        await _placing.Task;
        var order = await JournaledAsync("race-2");
        await manager.CancelAsync(order.Id, CancellationToken.None);
        _release.SetResult();
        var uncertain = await submit;
        var cancelsBeforeReconcile = _broker.Cancelled.Count;
        _broker.Remember(new BrokerOrderState(
            "B-77", "race-2", "NVDA", OrderSide.Buy, 20, OrderType.Limit, 120m, OrderStatus.Submitted, 0, []));

        await manager.ReconcileUncertainAsync(CancellationToken.None);

        Assert.Equal(SubmitOutcome.Uncertain, uncertain.Outcome);
        Assert.Equal(0, cancelsBeforeReconcile);
        var sent = Assert.Single(_broker.Cancelled);
        Assert.Equal("B-77", sent.BrokerOrderId);
    }
}
