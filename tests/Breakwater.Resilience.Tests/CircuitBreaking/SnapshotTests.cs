using Breakwater.Resilience.CircuitBreaking;
using static Breakwater.Resilience.Tests.CircuitBreaking.TestBreakers;

namespace Breakwater.Resilience.Tests.CircuitBreaking;

public sealed class SnapshotTests
{
    [Fact]
    public async Task GetSnapshot_Open_ReportsCountersTimesAndReason()
    {
        var time = NewClock();
        var breaker = Create(time, o => o.FailureRatio = 0.9);
        var openedAt = time.GetUtcNow();

        await SucceedAsync(breaker);
        await RejectAsync(breaker);
        await TripAsync(breaker);
        time.Advance(TimeSpan.FromSeconds(4));
        await SucceedAsync(breaker);
        var snapshot = breaker.GetSnapshot();

        Assert.Equal("broker", snapshot.Name);
        Assert.Equal(BreakerState.Open, snapshot.State);
        Assert.Equal(3, snapshot.ConsecutiveFailures);
        Assert.Equal(4, snapshot.WindowCalls);
        Assert.Equal(3, snapshot.WindowFailures);
        Assert.Equal(1, snapshot.TotalSuccesses);
        Assert.Equal(3, snapshot.TotalFailures);
        Assert.Equal(1, snapshot.TotalIgnored);
        Assert.Equal(1, snapshot.TotalRejections);
        Assert.Equal(openedAt, snapshot.OpenedAt);
        Assert.Equal(TimeSpan.FromSeconds(26), snapshot.RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(30), snapshot.CurrentBreakDuration);
        Assert.Equal(BreakerTransitionReason.ConsecutiveFailures, snapshot.LastTransitionReason);
        Assert.Equal(1, snapshot.Generation);
    }

    [Fact]
    public async Task Reset_WithWindow_ClearsWindowButKeepsTotals()
    {
        var time = NewClock();
        var breaker = Create(time, o => o.FailureRatio = 0.9);
        await SucceedAsync(breaker);
        await FailAsync(breaker);

        breaker.Reset();
        var snapshot = breaker.GetSnapshot();

        Assert.Equal(0, snapshot.WindowCalls);
        Assert.Equal(0, snapshot.WindowFailures);
        Assert.Equal(0, snapshot.ConsecutiveFailures);
        Assert.Equal(1, snapshot.TotalSuccesses);
        Assert.Equal(1, snapshot.TotalFailures);
        Assert.Equal(0, snapshot.Generation);
    }

    [Fact]
    public async Task GetSnapshot_ProbeRunning_CountsProbesInFlight()
    {
        var time = NewClock();
        var breaker = Create(time, o => o.HalfOpenProbes = 2);
        await TripAsync(breaker);
        time.Advance(TimeSpan.FromSeconds(30));

        var first = breaker.TryAcquire();
        var second = breaker.TryAcquire();
        var third = breaker.TryAcquire();
        var snapshot = breaker.GetSnapshot();
        first.RecordSuccess();
        var afterOne = breaker.GetSnapshot();
        second.RecordSuccess();

        Assert.True(first.IsProbe);
        Assert.True(second.IsProbe);
        Assert.False(third.IsAcquired);
        Assert.Equal(2, snapshot.ProbesInFlight);
        Assert.Equal(BreakerState.HalfOpen, afterOne.State);
        Assert.Equal(1, afterOne.ProbesInFlight);
        Assert.Equal(BreakerState.Closed, breaker.State);
    }
}
