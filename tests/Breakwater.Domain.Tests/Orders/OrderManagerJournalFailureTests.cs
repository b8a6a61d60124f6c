using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Lifecycle;
using Breakwater.Domain.Orders;
using Breakwater.Tests.Doubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Breakwater.Domain.Tests.Orders;

/// <summary>Journal calls that fail, or that committed although they reported a failure.</summary>
public sealed class OrderManagerJournalFailureTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 15, 0, 0, TimeSpan.Zero));
    private readonly InMemoryOrderJournal _journal = new();
    private readonly FakeBroker _broker = new();
    private readonly GatewayLifecycle _lifecycle = new();

    private static OrderRequest Limit(string clientOrderId, decimal price = 99.5m) =>
        new(clientOrderId, "AAPL", OrderSide.Buy, 100, OrderType.Limit, price, TimeInForce.Gtc);

    private async Task<OrderManager> StartedManagerAsync()
    {
        var manager = new OrderManager(_journal, _broker, _lifecycle, _time, NullLogger<OrderManager>.Instance);
        _broker.Sink = manager;
        await manager.StartAsync(CancellationToken.None);
        _lifecycle.MarkRunning();
        return manager;
    }

    [Fact]
    public async Task SubmitAsync_InsertCommittedThenFailed_NotSent()
    {
        var manager = await StartedManagerAsync();
        _journal.FailAfterInsert = true;

        await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => manager.SubmitAsync(Limit("c-1"), CancellationToken.None));

        Assert.Empty(_broker.Placed);
        Assert.Equal(1, _journal.InsertedCount);
    }

    [Fact]
    public async Task SubmitAsync_RepeatAfterFailedInsert_SendsJournaledOrder()
    {
        var manager = await StartedManagerAsync();
        _journal.FailAfterInsert = true;
        await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => manager.SubmitAsync(Limit("c-1"), CancellationToken.None));
        _journal.FailAfterInsert = false;

        var repeat = await manager.SubmitAsync(Limit("c-1"), CancellationToken.None);

        Assert.Equal(SubmitOutcome.Created, repeat.Outcome);
        Assert.Equal(OrderStatus.Submitted, repeat.Order.Status);
        Assert.Equal(1, repeat.Order.Id);
        Assert.Single(_broker.Placed);
        Assert.Equal(1, _journal.InsertedCount);
    }

    [Fact]
    public async Task SubmitAsync_RepeatWithOtherFieldsAfterFailedInsert_Conflicts()
    {
        var manager = await StartedManagerAsync();
        _journal.FailAfterInsert = true;
        await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => manager.SubmitAsync(Limit("c-1"), CancellationToken.None));
        _journal.FailAfterInsert = false;

        await Assert.ThrowsAsync<OrderConflictException>(
            () => manager.SubmitAsync(Limit("c-1", price: 98m), CancellationToken.None));

        Assert.Empty(_broker.Placed);
    }

    [Fact]
    public async Task SubmitAsync_InsertRetriedAfterLostReply_SendsOrder()
    {
        var manager = await StartedManagerAsync();
        _journal.RepeatInsert = true;

        var result = await manager.SubmitAsync(Limit("c-1"), CancellationToken.None);

        Assert.Equal(SubmitOutcome.Created, result.Outcome);
        Assert.Equal(OrderStatus.Submitted, result.Order.Status);
        Assert.Single(_broker.Placed);
    }

    [Fact]
    public async Task SubmitAsync_RepeatOfSentOrder_AnswersExisting()
    {
        var manager = await StartedManagerAsync();
        await manager.SubmitAsync(Limit("c-1"), CancellationToken.None);

        var repeat = await manager.SubmitAsync(Limit("c-1"), CancellationToken.None);

        Assert.Equal(SubmitOutcome.Existing, repeat.Outcome);
        Assert.Single(_broker.Placed);
    }

    [Fact]
    public async Task OnOrderUpdateAsync_UntrackedOrderWhileJournalDown_Completes()
    {
        var manager = await StartedManagerAsync();
        _journal.FailReads = true;
        var update = new BrokerOrderUpdate(
            "B-unknown", "c-unknown", OrderStatus.Cancelled, 0, null, null, _time.GetUtcNow());

        var exception = await Record.ExceptionAsync(
            () => manager.OnOrderUpdateAsync(update, CancellationToken.None).AsTask());

        Assert.Null(exception);
    }
}
