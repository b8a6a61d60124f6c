using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Orders;
using Breakwater.Gateway.Shutdown;

namespace Breakwater.Gateway.Tests.Shutdown;

public sealed class CancelSweepTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    [Fact]
    public async Task RunAsync_BrokerConfirms_EveryOrderFinal()
    {
        var harness = await SweepHarness.CreateAsync();
        harness.ConfirmCancels();
        await harness.PlaceRestingAsync(5);

        var result = await harness.DriveAsync(
            harness.Sweep.RunAsync(new CancelSweepRequest(TimeSpan.FromSeconds(10)), CancellationToken.None),
            Step,
            TimeSpan.FromSeconds(10));

        Assert.True(result.AllConfirmed);
        Assert.Equal(5, result.CancelsSent);
        Assert.Equal(0, harness.Orders.OpenOrderCount);
        Assert.All(harness.Journal.AllOrders(), order => Assert.Equal(OrderStatus.Cancelled, order.Status));
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(1), $"The sweep took {result.Elapsed} of fake time.");
    }

    [Fact]
    public async Task RunAsync_BrokerFailsTwice_RetriesWithDoublingBackoff()
    {
        var harness = await SweepHarness.CreateAsync(new ShutdownOptions
        {
            CancelRetryInitialDelay = TimeSpan.FromMilliseconds(200),
            CancelRetryMaxDelay = TimeSpan.FromSeconds(5),
        });
        await harness.PlaceRestingAsync(1);
        var attempts = new List<TimeSpan>();
        harness.Broker.OnCancel = async reference =>
        {
            attempts.Add(harness.Now);
            if (attempts.Count <= 2)
            {
                throw new DependencyUnavailableException(DependencyNames.Broker, "The broker did not answer.");
            }

            await harness.Broker.ConfirmCancelAsync(reference.ClientOrderId);
            return true;
        };

        var result = await harness.DriveAsync(
            harness.Sweep.RunAsync(new CancelSweepRequest(TimeSpan.FromSeconds(10)), CancellationToken.None),
            Step,
            TimeSpan.FromSeconds(10));

        var delays = harness.SweepLog.Values
            .Where(entry => entry.EventName == "ShutdownCancelAttemptFailed")
            .Select(entry => (TimeSpan)entry.Values["Delay"]!)
            .ToList();

        Assert.True(result.AllConfirmed);
        Assert.Equal(3, attempts.Count);
        Assert.Equal([TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)], delays);
        Assert.True(attempts[1] - attempts[0] >= TimeSpan.FromMilliseconds(200), $"Second attempt at {attempts[1]}.");
        Assert.True(attempts[2] - attempts[1] >= TimeSpan.FromMilliseconds(400), $"Third attempt at {attempts[2]}.");
    }

    [Fact]
    public async Task RunAsync_BrokerNeverConfirms_ReturnsUnconfirmedAtDeadline()
    {
        var harness = await SweepHarness.CreateAsync(new ShutdownOptions
        {
            CancelAttemptTimeout = TimeSpan.FromMilliseconds(500),
        });
        harness.AcceptCancelsWithoutConfirming();
        var ids = await harness.PlaceRestingAsync(3);

        // The fake-time limit only stops a broken sweep from hanging the test. It is wide because on a busy machine the
        // sweep may arm its deadline timer a few clock steps late. The assertions below still check the deadline.
        var result = await harness.DriveAsync(
            harness.Sweep.RunAsync(new CancelSweepRequest(TimeSpan.FromSeconds(2)), CancellationToken.None),
            Step,
            TimeSpan.FromSeconds(20));

        Assert.False(result.AllConfirmed);
        Assert.Equal(ids, result.Unconfirmed.Select(order => order.Id));
        Assert.True(result.Elapsed >= TimeSpan.FromSeconds(2), $"The sweep ended after {result.Elapsed}.");
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(10), $"The sweep ended after {result.Elapsed}.");
        Assert.All(
            harness.CancelTimes.GroupBy(cancel => cancel.ClientOrderId),
            group => Assert.True(group.Count() >= 3, $"{group.Key} was sent {group.Count()} times in 2 s."));
    }

    [Fact]
    public async Task RunAsync_BrokerCallIgnoresToken_AbandonsItAtDeadline()
    {
        var harness = await SweepHarness.CreateAsync(new ShutdownOptions
        {
            CancelAttemptTimeout = TimeSpan.FromMilliseconds(300),
        });
        await harness.PlaceRestingAsync(2);
        var attempts = 0;
        var never = new TaskCompletionSource<bool>();
        harness.Broker.OnCancel = _ =>
        {
            Interlocked.Increment(ref attempts);
            return never.Task;
        };

        var result = await harness.DriveAsync(
            harness.Sweep.RunAsync(new CancelSweepRequest(TimeSpan.FromSeconds(1)), CancellationToken.None),
            Step,
            TimeSpan.FromSeconds(5));

        Assert.Equal(2, result.Unconfirmed.Count);
        Assert.Equal(0, result.CancelsSent);
        Assert.True(attempts >= 4, $"The broker saw {attempts} cancel attempts; each stuck one should be retried.");
    }

    [Fact]
    public async Task RunAsync_JournalDown_StillSendsEveryCancel()
    {
        var harness = await SweepHarness.CreateAsync();
        harness.ConfirmCancels();
        await harness.PlaceRestingAsync(4);
        harness.Journal.FailWrites = true;

        var result = await harness.DriveAsync(
            harness.Sweep.RunAsync(new CancelSweepRequest(TimeSpan.FromSeconds(1)), CancellationToken.None),
            Step,
            TimeSpan.FromSeconds(5));

        Assert.Equal(4, harness.CancelTimes.Select(cancel => cancel.ClientOrderId).Distinct().Count());
        Assert.Equal(4, result.Unconfirmed.Count);
    }

    [Fact]
    public async Task RunAsync_Filter_CancelsOnlySelectedOrders()
    {
        var harness = await SweepHarness.CreateAsync();
        harness.ConfirmCancels();
        var ids = await harness.PlaceRestingAsync(4);
        var selected = ids.Take(2).ToHashSet();

        var result = await harness.DriveAsync(
            harness.Sweep.RunAsync(
                new CancelSweepRequest(TimeSpan.FromSeconds(5), Filter: order => selected.Contains(order.Id)),
                CancellationToken.None),
            Step,
            TimeSpan.FromSeconds(5));

        Assert.True(result.AllConfirmed);
        Assert.Equal(2, result.CancelsSent);
        Assert.Equal(ids.Skip(2), harness.Orders.GetOpenOrders().Select(order => order.Id));
    }

    [Fact]
    public async Task RunAsync_AccountScope_CancelsUntrackedBrokerOrders()
    {
        var harness = await SweepHarness.CreateAsync(new ShutdownOptions
        {
            AccountScanInterval = TimeSpan.FromMilliseconds(100),
        });
        harness.Broker.Remember(new BrokerOrderState(
            "EXT-1", "other-client-1", "MSFT", OrderSide.Sell, 5, OrderType.Limit, 900m, OrderStatus.Submitted, 0, []));
        await harness.PlaceRestingAsync(2);

        // Confirms the gateway's own orders, then lets the default path mark every cancelled order final at the broker.
        harness.Broker.OnCancel = async reference =>
        {
            if (reference.ClientOrderId.StartsWith("rest-", StringComparison.Ordinal))
            {
                await harness.Broker.ConfirmCancelAsync(reference.ClientOrderId);
            }

            return false;
        };

        var gatewayOnly = await harness.DriveAsync(
            harness.Sweep.RunAsync(new CancelSweepRequest(TimeSpan.FromSeconds(5)), CancellationToken.None),
            Step,
            TimeSpan.FromSeconds(5));
        var account = await harness.DriveAsync(
            harness.Sweep.RunAsync(
                new CancelSweepRequest(TimeSpan.FromSeconds(5), ShutdownCancelScope.Account), CancellationToken.None),
            Step,
            TimeSpan.FromSeconds(5));
        var external = await harness.Broker.FindOrderAsync("other-client-1", CancellationToken.None);

        Assert.Equal(2, gatewayOnly.CancelsSent);
        Assert.True(account.AllConfirmed);
        Assert.Equal(1, account.CancelsSent);
        Assert.Equal(OrderStatus.Cancelled, external!.Status);
        Assert.Contains(harness.Broker.Cancelled, reference => reference.BrokerOrderId == "EXT-1");
    }
}
