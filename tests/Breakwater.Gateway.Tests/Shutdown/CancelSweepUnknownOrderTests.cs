using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Orders;
using Breakwater.Gateway.Shutdown;

namespace Breakwater.Gateway.Tests.Shutdown;

/// <summary>The sweep when the broker answers a cancel with "order not found" (IBKR error 10147).</summary>
public sealed class CancelSweepUnknownOrderTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    private static void AnswerNotFound(SweepHarness harness, List<string> attempts) =>
        harness.Broker.OnCancel = reference =>
        {
            attempts.Add(reference.ClientOrderId);
            throw new BrokerRejectionException(
                BrokerRejectionCode.OrderNotFound, "TWS rejected the request with error 10147: order not found.");
        };

    [Fact]
    public async Task RunAsync_BrokerReportsFilledState_JournalsItWithoutRetrying()
    {
        var harness = await SweepHarness.CreateAsync();
        var id = (await harness.PlaceRestingAsync(1)).Single();
        var order = harness.Journal.AllOrders().Single(o => o.Id == id);
        var fill = new Fill("exec-1", 10, 1.00m, harness.Time.GetUtcNow());
        harness.Broker.Remember(new BrokerOrderState(
            order.BrokerOrderId!, order.ClientOrderId, "AAPL", OrderSide.Buy, 10, OrderType.Limit, 1.00m,
            OrderStatus.Filled, 10, [fill]));
        var attempts = new List<string>();
        AnswerNotFound(harness, attempts);

        var result = await harness.DriveAsync(
            harness.Sweep.RunAsync(new CancelSweepRequest(TimeSpan.FromSeconds(5)), CancellationToken.None),
            Step,
            TimeSpan.FromSeconds(10));

        var stored = harness.Journal.AllOrders().Single(o => o.Id == id);
        Assert.True(result.AllConfirmed);
        Assert.Single(attempts);
        Assert.Equal(OrderStatus.Filled, stored.Status);
        Assert.Equal(10, stored.FilledQuantity);
    }

    [Fact]
    public async Task RunAsync_LookupFails_FlagsCancelUnconfirmedWithoutRetrying()
    {
        var harness = await SweepHarness.CreateAsync();
        var id = (await harness.PlaceRestingAsync(1)).Single();
        harness.Broker.LookupFailure = new DependencyUnavailableException(DependencyNames.Broker, "TWS is down.");
        var attempts = new List<string>();
        AnswerNotFound(harness, attempts);

        var result = await harness.DriveAsync(
            harness.Sweep.RunAsync(new CancelSweepRequest(TimeSpan.FromSeconds(2)), CancellationToken.None),
            Step,
            TimeSpan.FromSeconds(4));

        var stored = harness.Journal.AllOrders().Single(o => o.Id == id);
        Assert.False(result.AllConfirmed);
        Assert.Single(attempts);
        Assert.Equal(OrderAttention.CancelUnconfirmed, stored.Attention);
        Assert.Contains(harness.SweepLog.Values, e => e.EventName == "ShutdownCancelTargetFlagged");
    }
}
