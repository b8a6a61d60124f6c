using Breakwater.Domain.Brokers;
using Breakwater.Domain.Orders;

namespace Breakwater.Paper.Tests.Broker;

public sealed class PaperBrokerPacingTests
{
    [Fact]
    public async Task PingAsync_AboveMessageRate_WaitsForItsTurnOnFakeClock()
    {
        await using var harness = PaperHarness.Create(o => o.MaxMessagesPerSecond = 10);

        var first = harness.Broker.PingAsync(CancellationToken.None);
        var second = harness.Broker.PingAsync(CancellationToken.None);
        var third = harness.Broker.PingAsync(CancellationToken.None);
        var firstDone = first.IsCompleted;
        var secondDoneAtStart = second.IsCompleted;
        harness.Time.Advance(TimeSpan.FromMilliseconds(100));
        await second.WaitAsync(TimeSpan.FromSeconds(10));
        var thirdDoneAfterOnePeriod = third.IsCompleted;
        harness.Time.Advance(TimeSpan.FromMilliseconds(100));
        await third.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(firstDone);
        Assert.False(secondDoneAtStart);
        Assert.False(thirdDoneAfterOnePeriod);
    }

    [Fact]
    public async Task CancelOrderAsync_HundredAtFiftyPerSecond_LastWaitsFullTwoSeconds()
    {
        await using var harness = PaperHarness.Create(o => o.MaxMessagesPerSecond = 50);
        var acks = new List<BrokerAck>();
        for (var i = 0; i < 100; i++)
        {
            var place = harness.PlaceAsync($"paced-{i}", OrderSide.Sell, 1, limitPrice: 100_000m);
            while (!place.IsCompleted)
            {
                harness.Time.Advance(TimeSpan.FromMilliseconds(20));
                await Task.Yield();
            }

            acks.Add(await place);
        }

        // An idle second frees the pacer, so the 100 cancels get the slots 0 ms, 20 ms, ..., 1980 ms from now.
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        var cancels = acks
            .Select((ack, i) => harness.Broker.CancelOrderAsync(
                new BrokerOrderReference(i, $"paced-{i}", ack.BrokerOrderId),
                CancellationToken.None))
            .ToList();
        var firstDoneAtOnce = cancels[0].IsCompleted;
        harness.Time.Advance(TimeSpan.FromMilliseconds(1960));
        await Task.WhenAll(cancels.Take(99)).WaitAsync(TimeSpan.FromSeconds(10));
        var lastDoneBeforeItsSlot = cancels[99].IsCompleted;
        harness.Time.Advance(TimeSpan.FromMilliseconds(20));
        await cancels[99].WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(firstDoneAtOnce);
        Assert.False(lastDoneBeforeItsSlot);
    }

    [Fact]
    public async Task PingAsync_QueuedAndCallerCancels_ThrowsCancellation()
    {
        await using var harness = PaperHarness.Create(o => o.MaxMessagesPerSecond = 1);
        await harness.Broker.PingAsync(CancellationToken.None);
        using var caller = new CancellationTokenSource();

        var queued = harness.Broker.PingAsync(caller.Token);
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
    }
}
