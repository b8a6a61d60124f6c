using System.Runtime.InteropServices;
using Breakwater.Domain.Lifecycle;
using Breakwater.Domain.Orders;
using Breakwater.Gateway.Shutdown;

namespace Breakwater.Gateway.Tests.Shutdown;

public sealed class ShutdownCoordinatorTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    [Fact]
    public async Task RunAsync_DrainDelay_SendsNoCancelBeforeItEnds()
    {
        var harness = await SweepHarness.CreateAsync(new ShutdownOptions { DrainDelay = TimeSpan.FromSeconds(5) });
        harness.ConfirmCancels();
        await harness.PlaceRestingAsync(3);
        var coordinator = harness.CreateCoordinator();

        var run = coordinator.RunAsync(CancellationToken.None);
        await SweepHarness.SettleAsync();
        var stateAtOnce = harness.Lifecycle.State;
        harness.Time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromMilliseconds(1));
        await SweepHarness.SettleAsync();
        var cancelsBeforeEnd = harness.CancelTimes.Count;
        await harness.DriveAsync(run, Step, TimeSpan.FromSeconds(5));

        Assert.Equal(LifecycleState.Stopping, stateAtOnce);
        Assert.Equal(0, cancelsBeforeEnd);
        Assert.Equal(3, harness.CancelTimes.Count);
        Assert.All(harness.CancelTimes, cancel => Assert.True(cancel.At >= TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task RunAsync_AllConfirmed_ExitCodeZero()
    {
        var harness = await SweepHarness.CreateAsync();
        harness.ConfirmCancels();
        await harness.PlaceRestingAsync(3);
        var coordinator = harness.CreateCoordinator();

        await harness.DriveAsync(coordinator.RunAsync(CancellationToken.None), Step, TimeSpan.FromSeconds(5));

        Assert.Equal(ShutdownExitCodes.Clean, coordinator.ExitCode);
        Assert.Equal([ShutdownExitCodes.Clean], harness.ExitCodes);
        Assert.All(harness.Journal.AllOrders(), order => Assert.Equal(OrderStatus.Cancelled, order.Status));
    }

    [Fact]
    public async Task RunAsync_CancelsUnconfirmed_ExitCode3AndMarksJournal()
    {
        var harness = await SweepHarness.CreateAsync(new ShutdownOptions { CancelTimeout = TimeSpan.FromSeconds(1) });
        harness.AcceptCancelsWithoutConfirming();
        var ids = await harness.PlaceRestingAsync(2);
        var coordinator = harness.CreateCoordinator();

        await harness.DriveAsync(coordinator.RunAsync(CancellationToken.None), Step, TimeSpan.FromSeconds(5));
        var messages = harness.CoordinatorLog.Entries
            .Where(entry => entry.EventName == "ShutdownCancelUnconfirmed")
            .Select(entry => entry.Message)
            .ToList();

        Assert.Equal(ShutdownExitCodes.CancelsUnconfirmed, coordinator.ExitCode);
        Assert.Equal([ShutdownExitCodes.CancelsUnconfirmed], harness.ExitCodes);
        Assert.All(harness.Journal.AllOrders(), order => Assert.Equal(OrderAttention.CancelUnconfirmed, order.Attention));
        Assert.Equal(2, messages.Count);
        Assert.Contains(messages, message => message.StartsWith($"Cancel of order {ids[0]} (", StringComparison.Ordinal));
        Assert.Contains(messages, message => message.StartsWith($"Cancel of order {ids[1]} (", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_NoOpenOrders_ExitCodeZeroWithoutBrokerCalls()
    {
        var harness = await SweepHarness.CreateAsync();
        var coordinator = harness.CreateCoordinator();

        await harness.DriveAsync(coordinator.RunAsync(CancellationToken.None), Step, TimeSpan.FromSeconds(5));

        Assert.Equal(ShutdownExitCodes.Clean, coordinator.ExitCode);
        Assert.Empty(harness.Broker.Cancelled);
    }

    [Fact]
    public async Task RunAsync_HostTokenCancelledDuringDrain_ExitCode4()
    {
        var harness = await SweepHarness.CreateAsync(new ShutdownOptions { DrainDelay = TimeSpan.FromSeconds(5) });
        var coordinator = harness.CreateCoordinator();
        using var hostStop = new CancellationTokenSource();

        var run = coordinator.RunAsync(hostStop.Token);
        await hostStop.CancelAsync();
        await harness.DriveAsync(run, Step, TimeSpan.FromSeconds(1));

        Assert.Equal(ShutdownExitCodes.SequenceFailed, coordinator.ExitCode);
    }

    [Fact]
    public async Task HandleSignal_RepeatedDuringSweep_CancelsEveryOrderAndLogsRepeat()
    {
        var harness = await SweepHarness.CreateAsync(new ShutdownOptions { DrainDelay = TimeSpan.FromSeconds(1) });
        harness.ConfirmCancels();
        await harness.PlaceRestingAsync(3);
        var coordinator = harness.CreateCoordinator();
        var first = new PosixSignalContext(PosixSignal.SIGTERM);
        var second = new PosixSignalContext(PosixSignal.SIGINT);

        coordinator.HandleSignal(first);
        var run = coordinator.RunAsync(CancellationToken.None);
        coordinator.HandleSignal(second);
        await harness.DriveAsync(run, Step, TimeSpan.FromSeconds(5));

        Assert.True(first.Cancel);
        Assert.True(second.Cancel);
        Assert.Equal(2, coordinator.SignalCount);
        Assert.True(harness.CoordinatorLog.Contains("ShutdownSignalRepeated"));
        Assert.Equal(3, harness.CancelTimes.Count);
        Assert.Equal(ShutdownExitCodes.Clean, coordinator.ExitCode);
    }

    [Fact]
    public async Task RunAsync_CalledTwice_RunsSequenceOnce()
    {
        var harness = await SweepHarness.CreateAsync();
        harness.ConfirmCancels();
        await harness.PlaceRestingAsync(2);
        var coordinator = harness.CreateCoordinator();

        var first = coordinator.RunAsync(CancellationToken.None);
        var second = coordinator.RunAsync(CancellationToken.None);
        await harness.DriveAsync(Task.WhenAll(first, second), Step, TimeSpan.FromSeconds(5));

        Assert.Single(harness.ExitCodes);
        Assert.Equal(2, harness.CancelTimes.Count);
    }

    [Fact]
    public async Task StartingAsync_HostTimeoutTooShort_Throws()
    {
        var harness = await SweepHarness.CreateAsync(new ShutdownOptions
        {
            DrainDelay = TimeSpan.FromSeconds(5),
            CancelTimeout = TimeSpan.FromSeconds(20),
        });
        using var coordinator = harness.CreateCoordinator(hostTimeout: TimeSpan.FromSeconds(10));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => coordinator.StartingAsync(CancellationToken.None));

        Assert.Equal(
            "HostOptions.ShutdownTimeout must be at least Breakwater:Shutdown:DrainDelay + CancelTimeout + 2 s " +
            "(00:00:27), but it is 00:00:10; set Breakwater:Shutdown:HostTimeout instead of changing it elsewhere.",
            error.Message);
    }
}
