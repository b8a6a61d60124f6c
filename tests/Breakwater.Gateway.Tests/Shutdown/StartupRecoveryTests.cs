using Breakwater.Domain.Brokers;
using Breakwater.Domain.Orders;
using Breakwater.Gateway.Shutdown;

namespace Breakwater.Gateway.Tests.Shutdown;

public sealed class StartupRecoveryTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    [Fact]
    public async Task RunAsync_CancelPolicy_CancelsOrdersLeftOpen()
    {
        var harness = SweepHarness.CreateStopped();
        harness.SeedLeftOpen(1, "left-1", "B-OLD-1");
        harness.SeedLeftOpen(2, "left-2", "B-OLD-2");
        harness.ConfirmCancels();
        await harness.Orders.StartAsync(CancellationToken.None);
        var recovery = harness.CreateRecovery(new StartupRecoveryOptions());

        var reconciled = await harness.DriveAsync(recovery.RunAsync(CancellationToken.None), Step, TimeSpan.FromSeconds(30));

        Assert.True(reconciled);
        Assert.Equal(0, harness.Orders.OpenOrderCount);
        Assert.All(harness.Journal.AllOrders(), order => Assert.Equal(OrderStatus.Cancelled, order.Status));
        Assert.Empty(harness.Broker.Placed);
    }

    [Fact]
    public async Task RunAsync_AdoptPolicy_KeepsOrdersWorking()
    {
        var harness = SweepHarness.CreateStopped();
        harness.SeedLeftOpen(1, "left-1", "B-OLD-1");
        harness.ConfirmCancels();
        await harness.Orders.StartAsync(CancellationToken.None);
        var recovery = harness.CreateRecovery(new StartupRecoveryOptions { OrphanedOrders = OrphanedOrderPolicy.Adopt });

        var reconciled = await harness.DriveAsync(recovery.RunAsync(CancellationToken.None), Step, TimeSpan.FromSeconds(30));

        Assert.True(reconciled);
        Assert.Equal(1, harness.Orders.OpenOrderCount);
        Assert.Empty(harness.CancelTimes);
        Assert.Empty(harness.Broker.Placed);
    }

    [Fact]
    public async Task RunAsync_UnknownBrokerOrder_ReportedAndLeftAlone()
    {
        var harness = SweepHarness.CreateStopped();
        harness.Broker.Remember(new BrokerOrderState(
            "B-UNKNOWN", "not-journaled", "MSFT", OrderSide.Sell, 3, OrderType.Limit, 900m, OrderStatus.Submitted, 0, []));
        harness.ConfirmCancels();
        await harness.Orders.StartAsync(CancellationToken.None);
        var recovery = harness.CreateRecovery(new StartupRecoveryOptions());

        var reconciled = await harness.DriveAsync(recovery.RunAsync(CancellationToken.None), Step, TimeSpan.FromSeconds(30));
        var reports = harness.RecoveryLog.Entries.Where(entry => entry.EventName == "UnknownBrokerOrder").ToList();

        Assert.True(reconciled);
        Assert.Single(reports);
        Assert.Contains("B-UNKNOWN", reports[0].Message, StringComparison.Ordinal);
        Assert.Empty(harness.CancelTimes);
        Assert.Empty(harness.Journal.AllOrders());
    }

    [Fact]
    public async Task RunAsync_BrokerCannotList_GivesUpAtTimeout()
    {
        var harness = SweepHarness.CreateStopped();
        harness.SeedLeftOpen(1, "left-1", "B-OLD-1");
        await harness.Orders.StartAsync(CancellationToken.None);
        harness.Broker.LookupFailure = new IOException("The broker connection was refused.");
        var recovery = harness.CreateRecovery(new StartupRecoveryOptions { Timeout = TimeSpan.FromSeconds(2) });

        var reconciled = await harness.DriveAsync(recovery.RunAsync(CancellationToken.None), Step, TimeSpan.FromSeconds(10));

        Assert.False(reconciled);
        Assert.True(harness.RecoveryLog.Contains("StartupReconcileTimedOut"));
        Assert.True(harness.RecoveryLog.Entries.Count(entry => entry.EventName == "StartupReconcileAttemptFailed") >= 2);
    }
}
