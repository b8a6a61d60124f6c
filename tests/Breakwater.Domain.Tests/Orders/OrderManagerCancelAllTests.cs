using Breakwater.Domain.Lifecycle;
using Breakwater.Domain.Orders;
using Breakwater.Tests.Doubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Breakwater.Domain.Tests.Orders;

/// <summary>Cancel-all finishes every cancel whatever happens to its caller or to one of the cancels.</summary>
public sealed class OrderManagerCancelAllTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 16, 30, 0, TimeSpan.Zero));
    private readonly InMemoryOrderJournal _journal = new();
    private readonly FakeBroker _broker = new();
    private readonly GatewayLifecycle _lifecycle = new();

    private async Task<OrderManager> WithRestingOrdersAsync(int count, int parallelism)
    {
        var manager = new OrderManager(
            _journal, _broker, _lifecycle, _time, NullLogger<OrderManager>.Instance,
            new OrderManagerOptions { CancelAllParallelism = parallelism });
        _broker.Sink = manager;
        await manager.StartAsync(CancellationToken.None);
        _lifecycle.MarkRunning();
        for (var i = 1; i <= count; i++)
        {
            await manager.SubmitAsync(
                new OrderRequest($"rest-{i}", "AAPL", OrderSide.Buy, 10, OrderType.Limit, 90m, TimeInForce.Gtc),
                CancellationToken.None);
        }

        return manager;
    }

    [Fact]
    public async Task CancelAllAsync_CallerGoneMidway_CancelsEveryOrder()
    {
        var manager = await WithRestingOrdersAsync(count: 3, parallelism: 1);
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var allSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = 0;
        _broker.OnCancel = async _ =>
        {
            firstStarted.TrySetResult();
            await release.Task;
            if (Interlocked.Increment(ref sent) == 3)
            {
                allSent.TrySetResult();
            }

            return false;
        };
        using var caller = new CancellationTokenSource();

        var cancelAll = manager.CancelAllAsync(caller.Token);
        await firstStarted.Task;
        await caller.CancelAsync();
        release.SetResult();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelAll);
        await allSent.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, _broker.Cancelled.Count);
    }

    [Fact]
    public async Task CancelAllAsync_OneCancelThrowsUnexpectedly_OthersStillRequested()
    {
        var manager = await WithRestingOrdersAsync(count: 3, parallelism: 1);
        _broker.OnCancel = reference => reference.ClientOrderId == "rest-2"
            ? throw new NotSupportedException("The adapter cannot cancel this order type.")
            : Task.FromResult(false);

        var result = await manager.CancelAllAsync(CancellationToken.None);

        Assert.Equal(2, result.CancelRequested);
        var failure = Assert.Single(result.Failures);
        Assert.Equal("rest-2", failure.ClientOrderId);
        Assert.Equal("The adapter cannot cancel this order type.", failure.Error);
    }
}
