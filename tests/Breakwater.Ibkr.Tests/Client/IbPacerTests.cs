using Breakwater.Ibkr.Client;
using Microsoft.Extensions.Time.Testing;

namespace Breakwater.Ibkr.Tests.Client;

public sealed class IbPacerTests
{
    [Fact]
    public void WaitAsync_FiftyPerSecond_ReleasesFiftyInOneSecond()
    {
        var time = new FakeTimeProvider();
        var pacer = new IbPacer(time, new IbPacerOptions { MessagesPerSecond = 50 });

        var waits = Enumerable.Range(0, 120).Select(_ => pacer.WaitAsync(CancellationToken.None).AsTask()).ToList();
        var atStart = waits.Count(w => w.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(999));
        var afterOneSecond = waits.Count(w => w.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1000));
        var afterTwoSeconds = waits.Count(w => w.IsCompleted);

        Assert.Equal(1, atStart);
        Assert.Equal(50, afterOneSecond);
        Assert.Equal(100, afterTwoSeconds);
    }

    [Fact]
    public void SlowDown_AfterPacingViolation_HalvesRateUntilExpiry()
    {
        var time = new FakeTimeProvider();
        var pacer = new IbPacer(time, new IbPacerOptions
        {
            MessagesPerSecond = 50,
            SlowdownFactor = 0.5,
            SlowdownDuration = TimeSpan.FromSeconds(10),
        });

        pacer.SlowDown();
        var slowed = pacer.CurrentRate;
        var waits = Enumerable.Range(0, 60).Select(_ => pacer.WaitAsync(CancellationToken.None).AsTask()).ToList();
        time.Advance(TimeSpan.FromMilliseconds(999));
        var inFirstSecond = waits.Count(w => w.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(10));
        var restored = pacer.CurrentRate;

        Assert.Equal(25, slowed);
        Assert.Equal(25, inFirstSecond);
        Assert.Equal(50, restored);
    }

    [Fact]
    public void SlowDown_Repeated_NeverBelowOnePerSecond()
    {
        var pacer = new IbPacer(new FakeTimeProvider(), new IbPacerOptions { MessagesPerSecond = 4 });

        for (var i = 0; i < 10; i++)
        {
            pacer.SlowDown();
        }

        Assert.Equal(1, pacer.CurrentRate);
    }

    [Fact]
    public async Task WaitAsync_Cancelled_Throws()
    {
        var time = new FakeTimeProvider();
        var pacer = new IbPacer(time, new IbPacerOptions { MessagesPerSecond = 1 });
        await pacer.WaitAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var wait = pacer.WaitAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }
}
