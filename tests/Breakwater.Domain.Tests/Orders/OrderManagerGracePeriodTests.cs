using Breakwater.Domain.Lifecycle;
using Breakwater.Domain.Orders;
using Breakwater.Tests.Doubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Breakwater.Domain.Tests.Orders;

/// <summary>The uncertain-submit grace period counts from when the submit became uncertain.</summary>
public sealed class OrderManagerGracePeriodTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 17, 5, 0, TimeSpan.Zero));
    private readonly InMemoryOrderJournal _journal = new();
    private readonly FakeBroker _broker = new();
    private readonly GatewayLifecycle _lifecycle = new();

    [Fact]
    public async Task ReconcileUncertainAsync_SlowSubmitTurnedUncertain_WaitsFullGraceFromThen()
    {
        var manager = new OrderManager(
            _journal, _broker, _lifecycle, _time, NullLogger<OrderManager>.Instance,
            new OrderManagerOptions { SubmitUncertainGracePeriod = TimeSpan.FromSeconds(30) });
        _broker.Sink = manager;
        await manager.StartAsync(CancellationToken.None);
        _lifecycle.MarkRunning();
        _broker.OnPlace = _ =>
        {
            // The broker call takes longer than the grace period before it fails.
            _time.Advance(TimeSpan.FromSeconds(40));
            throw new TimeoutException("The broker did not answer the order in time.");
        };
        var submit = await manager.SubmitAsync(
            new OrderRequest("slow-1", "AMD", OrderSide.Buy, 5, OrderType.Limit, 150m, TimeInForce.Day),
            CancellationToken.None);

        await manager.ReconcileUncertainAsync(CancellationToken.None);
        var rightAfter = await _journal.GetOrderAsync(submit.Order.Id, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(30));
        await manager.ReconcileUncertainAsync(CancellationToken.None);
        var afterGrace = await _journal.GetOrderAsync(submit.Order.Id, CancellationToken.None);

        Assert.Equal(SubmitOutcome.Uncertain, submit.Outcome);
        Assert.Equal(OrderStatus.PendingSubmit, rightAfter!.Status);
        Assert.Equal(OrderStatus.Rejected, afterGrace!.Status);
    }
}
