using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Lifecycle;
using Breakwater.Domain.Orders;
using Breakwater.Tests.Doubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Breakwater.Domain.Tests.Orders;

public sealed class OrderManagerTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 15, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly InMemoryOrderJournal _journal = new();
    private readonly FakeBroker _broker = new();
    private readonly GatewayLifecycle _lifecycle = new();

    private static OrderRequest Market(string clientOrderId, long quantity = 100) =>
        new(clientOrderId, "AAPL", OrderSide.Buy, quantity, OrderType.Market, null, TimeInForce.Day);

    private static OrderRequest Limit(string clientOrderId, decimal price = 99.5m) =>
        new(clientOrderId, "AAPL", OrderSide.Buy, 100, OrderType.Limit, price, TimeInForce.Gtc);

    private async Task<OrderManager> StartedManagerAsync(
        OrderManagerOptions? options = null, IDependencyAvailability? availability = null)
    {
        var manager = new OrderManager(
            _journal, _broker, _lifecycle, _time, NullLogger<OrderManager>.Instance, options, availability);
        _broker.Sink = manager;
        await manager.StartAsync(CancellationToken.None);
        _lifecycle.MarkRunning();
        return manager;
    }

    [Fact]
    public async Task SubmitAsync_JournalDown_BrokerNeverCalled()
    {
        var manager = await StartedManagerAsync();
        _journal.FailWrites = true;

        await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => manager.SubmitAsync(Market("c-1"), CancellationToken.None));

        Assert.Empty(_broker.Placed);
        Assert.Equal(0, _journal.InsertedCount);
    }

    [Fact]
    public async Task SubmitAsync_BrokerCalled_OnlyAfterInsertCommitted()
    {
        var manager = await StartedManagerAsync();
        var journaledWhenPlaced = false;
        _broker.OnPlace = async order =>
        {
            journaledWhenPlaced = await _journal.FindByClientOrderIdAsync(order.ClientOrderId, CancellationToken.None) is not null;
            return null;
        };

        await manager.SubmitAsync(Limit("c-1"), CancellationToken.None);

        Assert.True(journaledWhenPlaced);
    }

    [Fact]
    public async Task SubmitAsync_MarketOrderFillRacesAck_JournalsFilledOnce()
    {
        var manager = await StartedManagerAsync();

        var result = await manager.SubmitAsync(Market("c-1", quantity: 300), CancellationToken.None);

        var stored = await _journal.GetOrderAsync(result.Order.Id, CancellationToken.None);
        var history = await _journal.GetHistoryAsync(result.Order.Id, CancellationToken.None);
        Assert.Equal(OrderStatus.Filled, stored!.Status);
        Assert.Equal(300, stored.FilledQuantity);
        Assert.Equal(100.25m, stored.AverageFillPrice);
        Assert.Equal("B1", stored.BrokerOrderId);
        Assert.Single(history, e => e.Kind == OrderEventKind.Filled);
        Assert.Equal(history.Count, stored.Version);
        Assert.Equal(0, manager.OpenOrderCount);
    }

    [Fact]
    public async Task SubmitAsync_LimitOrder_RestsAsSubmitted()
    {
        var manager = await StartedManagerAsync();

        var result = await manager.SubmitAsync(Limit("c-1"), CancellationToken.None);

        Assert.Equal(SubmitOutcome.Created, result.Outcome);
        Assert.Equal(OrderStatus.Submitted, result.Order.Status);
        Assert.Equal(2, result.Order.Version);
        Assert.Equal(1, manager.OpenOrderCount);
    }

    [Fact]
    public async Task SubmitAsync_BusinessRejection_JournaledRejectedWithReason()
    {
        var manager = await StartedManagerAsync();
        _broker.OnPlace = _ => throw new BrokerRejectionException(BrokerRejectionCode.InvalidSymbol, "Unknown symbol AAPL.");

        var result = await manager.SubmitAsync(Limit("c-1"), CancellationToken.None);

        var stored = await _journal.GetOrderAsync(result.Order.Id, CancellationToken.None);
        Assert.Equal(SubmitOutcome.Created, result.Outcome);
        Assert.Equal(OrderStatus.Rejected, stored!.Status);
        Assert.Equal("Unknown symbol AAPL.", stored.Reason);
    }

    [Fact]
    public async Task SubmitAsync_TimeoutAfterSend_NotRetriedAndMarkedUncertain()
    {
        var manager = await StartedManagerAsync();
        _broker.OnPlace = _ => throw new DependencyUnavailableException(
            DependencyNames.Broker, "Timed out.", requestMayHaveReachedDependency: true);

        var result = await manager.SubmitAsync(Limit("c-1"), CancellationToken.None);
        await manager.ReconcileUncertainAsync(CancellationToken.None);

        Assert.Equal(SubmitOutcome.Uncertain, result.Outcome);
        Assert.Equal(OrderAttention.SubmitUncertain, result.Order.Attention);
        Assert.Equal(OrderStatus.PendingSubmit, result.Order.Status);
        Assert.Single(_broker.Placed);
    }

    [Fact]
    public async Task ReconcileUncertainAsync_BrokerHasOrder_AdoptsStateByClientOrderId()
    {
        var manager = await StartedManagerAsync();
        _broker.OnPlace = _ => throw new TimeoutException("No acknowledgement.");
        var result = await manager.SubmitAsync(Limit("c-1"), CancellationToken.None);
        var fill = new Fill("X1", 40, 99.5m, Start);
        _broker.Remember(new BrokerOrderState(
            "B77", "c-1", "AAPL", OrderSide.Buy, 100, OrderType.Limit, 99.5m, OrderStatus.PartiallyFilled, 40, [fill]));

        var resolved = await manager.ReconcileUncertainAsync(CancellationToken.None);

        var stored = await _journal.GetOrderAsync(result.Order.Id, CancellationToken.None);
        Assert.Equal(1, resolved);
        Assert.Equal(OrderStatus.PartiallyFilled, stored!.Status);
        Assert.Equal("B77", stored.BrokerOrderId);
        Assert.Equal(40, stored.FilledQuantity);
        Assert.Equal(OrderAttention.None, stored.Attention);
        Assert.Single(_broker.Placed);
    }

    [Fact]
    public async Task ReconcileUncertainAsync_BrokerLacksOrderAfterGrace_RejectsIt()
    {
        var manager = await StartedManagerAsync(new OrderManagerOptions { SubmitUncertainGracePeriod = TimeSpan.FromSeconds(30) });
        _broker.OnPlace = _ => throw new IOException("Connection reset.");
        var result = await manager.SubmitAsync(Limit("c-1"), CancellationToken.None);

        await manager.ReconcileUncertainAsync(CancellationToken.None);
        var beforeGrace = await _journal.GetOrderAsync(result.Order.Id, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(31));
        await manager.ReconcileUncertainAsync(CancellationToken.None);
        var afterGrace = await _journal.GetOrderAsync(result.Order.Id, CancellationToken.None);

        Assert.Equal(OrderStatus.PendingSubmit, beforeGrace!.Status);
        Assert.Equal(OrderStatus.Rejected, afterGrace!.Status);
        Assert.Contains("no record", afterGrace.Reason, StringComparison.Ordinal);
        Assert.Single(_broker.Placed);
    }

    [Fact]
    public async Task SubmitAsync_BrokerUnavailableBeforeSend_JournaledRejected()
    {
        var manager = await StartedManagerAsync();
        _broker.OnPlace = _ => throw new DependencyUnavailableException(
            DependencyNames.Broker, "Breaker open.", TimeSpan.FromSeconds(3));

        var exception = await Assert.ThrowsAsync<OrderNotSentException>(
            () => manager.SubmitAsync(Limit("c-1"), CancellationToken.None));

        var stored = await _journal.GetOrderAsync(exception.Order!.Id, CancellationToken.None);
        Assert.Equal(OrderStatus.Rejected, stored!.Status);
        Assert.Equal("broker unavailable", stored.Reason);
        Assert.Equal(TimeSpan.FromSeconds(3), exception.RetryAfter);
    }

    [Fact]
    public async Task SubmitAsync_AvailabilityGateClosed_NothingJournaled()
    {
        var manager = await StartedManagerAsync(availability: new ClosedGate(TimeSpan.FromSeconds(7)));

        var exception = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => manager.SubmitAsync(Limit("c-1"), CancellationToken.None));

        Assert.Equal(DependencyNames.Broker, exception.Dependency);
        Assert.Equal(TimeSpan.FromSeconds(7), exception.RetryAfter);
        Assert.Equal(0, _journal.InsertedCount);
        Assert.Empty(_broker.Placed);
    }

    [Fact]
    public async Task SubmitAsync_SameIdSameFields_ReturnsExisting()
    {
        var manager = await StartedManagerAsync();
        var first = await manager.SubmitAsync(Limit("c-1"), CancellationToken.None);

        var second = await manager.SubmitAsync(Limit("c-1"), CancellationToken.None);

        Assert.Equal(SubmitOutcome.Existing, second.Outcome);
        Assert.Equal(first.Order.Id, second.Order.Id);
        Assert.Single(_broker.Placed);
    }

    [Fact]
    public async Task SubmitAsync_SameIdOtherFields_ThrowsConflict()
    {
        var manager = await StartedManagerAsync();
        await manager.SubmitAsync(Limit("c-1"), CancellationToken.None);

        var conflict = await Assert.ThrowsAsync<OrderConflictException>(
            () => manager.SubmitAsync(Limit("c-1", price: 98m), CancellationToken.None));

        Assert.Equal(OrderConflictKind.ClientOrderIdReused, conflict.Kind);
    }

    [Fact]
    public async Task SubmitAsync_ThirtyTwoConcurrentRepeats_OneOrderPlaced()
    {
        var manager = await StartedManagerAsync();
        var gate = new TaskCompletionSource();
        _broker.OnPlace = async _ =>
        {
            await gate.Task;
            return null;
        };

        var submits = Enumerable.Range(0, 32)
            .Select(_ => Task.Run(() => manager.SubmitAsync(Limit("c-1"), CancellationToken.None)))
            .ToList();
        gate.SetResult();
        var results = await Task.WhenAll(submits);

        Assert.Single(_broker.Placed);
        Assert.Equal(1, _journal.InsertedCount);
        Assert.Single(results.Select(r => r.Order.Id).Distinct());
        Assert.Single(results, r => r.Outcome == SubmitOutcome.Created);
    }

    [Fact]
    public async Task SubmitAsync_RepeatsJoinConflictingSubmit_GetExistingOrder()
    {
        var manager = await StartedManagerAsync();
        var stored = await manager.SubmitAsync(Limit("c-1"), CancellationToken.None);
        var inserting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _journal.BeforeInsert = async _ =>
        {
            inserting.TrySetResult();
            await gate.Task;
        };

        var conflicting = manager.SubmitAsync(Limit("c-1", price: 98m), CancellationToken.None);
        await inserting.Task;
        var repeats = Enumerable.Range(0, 8)
            .Select(_ => manager.SubmitAsync(Limit("c-1"), CancellationToken.None))
            .ToList();
        gate.SetResult();

        var conflict = await Assert.ThrowsAsync<OrderConflictException>(() => conflicting);
        var results = await Task.WhenAll(repeats);
        Assert.Equal(OrderConflictKind.ClientOrderIdReused, conflict.Kind);
        Assert.All(results, r => Assert.Equal(SubmitOutcome.Existing, r.Outcome));
        Assert.All(results, r => Assert.Equal(stored.Order.Id, r.Order.Id));
        Assert.Single(_broker.Placed);
    }

    [Fact]
    public async Task SubmitAsync_ConflictingRequestJoinsConflictingSubmit_GetsConflict()
    {
        var manager = await StartedManagerAsync();
        await manager.SubmitAsync(Limit("c-1"), CancellationToken.None);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _journal.BeforeInsert = _ => gate.Task;

        var first = manager.SubmitAsync(Limit("c-1", price: 98m), CancellationToken.None);
        var joiner = manager.SubmitAsync(Limit("c-1", price: 97m), CancellationToken.None);
        gate.SetResult();

        await Assert.ThrowsAsync<OrderConflictException>(() => first);
        var conflict = await Assert.ThrowsAsync<OrderConflictException>(() => joiner);
        Assert.Equal(OrderConflictKind.ClientOrderIdReused, conflict.Kind);
    }

    [Fact]
    public async Task CancelAsync_JournalDown_ReturnsPendingCancel()
    {
        var manager = await StartedManagerAsync();
        var submitted = await manager.SubmitAsync(Limit("c-1"), CancellationToken.None);
        _journal.FailWrites = true;

        var result = await manager.CancelAsync(submitted.Order.Id, CancellationToken.None);

        var stored = await _journal.GetOrderAsync(submitted.Order.Id, CancellationToken.None);
        Assert.False(result.Journaled);
        Assert.Equal(OrderStatus.PendingCancel, result.Order.Status);
        Assert.Equal(OrderStatus.Submitted, stored!.Status);
        Assert.Single(_broker.Cancelled);
    }

    [Fact]
    public async Task SubmitAsync_Stopping_Rejected()
    {
        var manager = await StartedManagerAsync();
        _lifecycle.MarkStopping();

        var exception = await Assert.ThrowsAsync<GatewayNotAcceptingOrdersException>(
            () => manager.SubmitAsync(Limit("c-1"), CancellationToken.None));

        Assert.Equal(LifecycleState.Stopping, exception.State);
        Assert.Equal(0, _journal.InsertedCount);
    }

    [Fact]
    public async Task StartAsync_ExistingJournal_ContinuesOrderIds()
    {
        var seeded = Order.Create(41, Limit("old"), Start) with { Status = OrderStatus.Submitted, BrokerOrderId = "B0", Version = 2 };
        _journal.Seed(seeded);
        var manager = await StartedManagerAsync();

        var result = await manager.SubmitAsync(Limit("c-1"), CancellationToken.None);

        Assert.Equal(42, result.Order.Id);
        Assert.Equal(2, manager.OpenOrderCount);
    }

    [Fact]
    public async Task CancelAsync_JournalDown_StillReachesBroker()
    {
        var manager = await StartedManagerAsync();
        var order = (await manager.SubmitAsync(Limit("c-1"), CancellationToken.None)).Order;
        _journal.FailWrites = true;
        _journal.FailReads = true;

        var result = await manager.CancelAsync(order.Id, CancellationToken.None);

        Assert.Single(_broker.Cancelled);
        Assert.False(result.Journaled);
        Assert.Equal(OrderStatus.PendingCancel, result.Order.Status);
    }

    [Fact]
    public async Task CancelAsync_Confirmed_OrderBecomesCancelled()
    {
        var manager = await StartedManagerAsync();
        var order = (await manager.SubmitAsync(Limit("c-1"), CancellationToken.None)).Order;

        var result = await manager.CancelAsync(order.Id, CancellationToken.None);
        var final = manager.WaitForFinalAsync(order.Id, CancellationToken.None);
        await _broker.ConfirmCancelAsync("c-1");

        Assert.Equal(OrderStatus.PendingCancel, result.Order.Status);
        Assert.Equal(OrderStatus.Cancelled, (await final).Status);
        Assert.Equal(0, manager.OpenOrderCount);
    }

    [Fact]
    public async Task CancelAsync_FinalOrder_ThrowsConflict()
    {
        var manager = await StartedManagerAsync();
        var order = (await manager.SubmitAsync(Market("c-1"), CancellationToken.None)).Order;

        var conflict = await Assert.ThrowsAsync<OrderConflictException>(
            () => manager.CancelAsync(order.Id, CancellationToken.None));

        Assert.Equal(OrderConflictKind.AlreadyFinal, conflict.Kind);
        Assert.Empty(_broker.Cancelled);
    }

    [Fact]
    public async Task CancelAsync_UnknownId_ThrowsNotFound()
    {
        var manager = await StartedManagerAsync();

        await Assert.ThrowsAsync<OrderNotFoundException>(() => manager.CancelAsync(999, CancellationToken.None));
    }

    [Fact]
    public async Task CancelAllAsync_ThreeRestingOrders_RequestsThreeCancels()
    {
        var manager = await StartedManagerAsync();
        for (var i = 0; i < 3; i++)
        {
            await manager.SubmitAsync(Limit("c-" + i), CancellationToken.None);
        }

        await manager.SubmitAsync(Market("m-1"), CancellationToken.None);

        var result = await manager.CancelAllAsync(CancellationToken.None);

        Assert.Equal(3, result.CancelRequested);
        Assert.Empty(result.Failures);
        Assert.Equal(3, _broker.Cancelled.Count);
    }

    [Fact]
    public async Task OnOrderUpdateAsync_PartialFills_AveragePriceExact()
    {
        var manager = await StartedManagerAsync();
        var order = (await manager.SubmitAsync(Limit("c-1"), CancellationToken.None)).Order;

        await _broker.FillAsync("c-1", 30, 99.10m);
        await _broker.FillAsync("c-1", 70, 99.20m);

        var stored = await _journal.GetOrderAsync(order.Id, CancellationToken.None);
        Assert.Equal(OrderStatus.Filled, stored!.Status);
        Assert.Equal(100, stored.FilledQuantity);
        Assert.Equal(99.17m, stored.AverageFillPrice);
    }

    [Fact]
    public async Task OnOrderUpdateAsync_DuplicateExecution_JournaledOnce()
    {
        var manager = await StartedManagerAsync();
        var order = (await manager.SubmitAsync(Limit("c-1"), CancellationToken.None)).Order;
        var fill = new Fill("X9", 10, 99m, Start);
        var update = new BrokerOrderUpdate("B1", "c-1", OrderStatus.PartiallyFilled, 10, fill, null, Start);

        await manager.OnOrderUpdateAsync(update, CancellationToken.None);
        await manager.OnOrderUpdateAsync(update, CancellationToken.None);

        var stored = await _journal.GetOrderAsync(order.Id, CancellationToken.None);
        var history = await _journal.GetHistoryAsync(order.Id, CancellationToken.None);
        Assert.Equal(10, stored!.FilledQuantity);
        Assert.Single(history, e => e.Kind == OrderEventKind.Filled);
    }

    [Fact]
    public async Task ReconcileAsync_FillsDuringOutage_JournaledAndOrphansReported()
    {
        var seeded = Order.Create(5, Limit("c-5"), Start) with { Status = OrderStatus.Submitted, BrokerOrderId = "B5", Version = 2 };
        _journal.Seed(seeded);
        _broker.Remember(new BrokerOrderState(
            "B5", "c-5", "AAPL", OrderSide.Buy, 100, OrderType.Limit, 99.5m, OrderStatus.Filled, 100,
            [new Fill("X1", 60, 99.5m, Start), new Fill("X2", 40, 99.4m, Start)]));
        _broker.Remember(new BrokerOrderState(
            "B9", "stranger", "MSFT", OrderSide.Sell, 5, OrderType.Limit, 300m, OrderStatus.Submitted, 0, []));
        var manager = await StartedManagerAsync();

        var report = await manager.ReconcileAsync(CancellationToken.None);

        var stored = await _journal.GetOrderAsync(5, CancellationToken.None);
        Assert.Equal(1, report.Updated);
        Assert.Equal(OrderStatus.Filled, stored!.Status);
        Assert.Equal(99.46m, stored.AverageFillPrice);
        Assert.Equal("B9", Assert.Single(report.Orphans).BrokerOrderId);
    }

    [Fact]
    public async Task AdoptAsync_Orphan_JournaledAndTracked()
    {
        var manager = await StartedManagerAsync();
        var orphan = new BrokerOrderState(
            "B9", null, "MSFT", OrderSide.Sell, 5, OrderType.Limit, 300m, OrderStatus.Submitted, 0, []);

        var adopted = await manager.AdoptAsync(orphan, CancellationToken.None);

        Assert.Equal("adopted-B9", adopted.ClientOrderId);
        Assert.Equal(OrderStatus.Submitted, adopted.Status);
        Assert.Equal(1, manager.OpenOrderCount);
    }

    private sealed class ClosedGate(TimeSpan retryAfter) : IDependencyAvailability
    {
        public bool IsAvailable(string dependency, out TimeSpan? retry)
        {
            retry = retryAfter;
            return false;
        }
    }
}
