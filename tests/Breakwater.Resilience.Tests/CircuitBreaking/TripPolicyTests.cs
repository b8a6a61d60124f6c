using Breakwater.Resilience.CircuitBreaking;
using static Breakwater.Resilience.Tests.CircuitBreaking.TestBreakers;

namespace Breakwater.Resilience.Tests.CircuitBreaking;

public sealed class TripPolicyTests
{
    [Fact]
    public async Task FailureRatio_ReachedBelowMinimumThroughput_StaysClosed()
    {
        var time = NewClock();
        var breaker = Create(time, RatioOnly);

        for (int i = 0; i < 4; i++)
        {
            await SucceedAsync(breaker);
            await FailAsync(breaker);
        }

        await SucceedAsync(breaker);

        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal(9, breaker.GetSnapshot().WindowCalls);
        Assert.Equal(4, breaker.GetSnapshot().WindowFailures);
    }

    [Fact]
    public async Task FailureRatio_ReachedAtMinimumThroughput_Opens()
    {
        var time = NewClock();
        var breaker = Create(time, RatioOnly);

        for (int i = 0; i < 5; i++)
        {
            await SucceedAsync(breaker);
            await FailAsync(breaker);
        }

        var snapshot = breaker.GetSnapshot();
        Assert.Equal(BreakerState.Open, snapshot.State);
        Assert.Equal(BreakerTransitionReason.FailureRatio, snapshot.LastTransitionReason);
        Assert.Equal("5 of 10 calls in the sampling window failed (ratio 0.5).", snapshot.LastTransitionDetail);
    }

    [Fact]
    public async Task FailureRatio_FailuresOlderThanWindow_DoNotCount()
    {
        var time = NewClock();
        var breaker = Create(time, o =>
        {
            RatioOnly(o);
            o.MinimumThroughput = 4;
        });

        await FailAsync(breaker);
        await FailAsync(breaker);
        await FailAsync(breaker);
        time.Advance(TimeSpan.FromSeconds(31));
        await SucceedAsync(breaker);
        await SucceedAsync(breaker);
        await SucceedAsync(breaker);
        await FailAsync(breaker);

        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal(4, breaker.GetSnapshot().WindowCalls);
        Assert.Equal(1, breaker.GetSnapshot().WindowFailures);
    }

    [Fact]
    public async Task SlowCallRatio_ReachedAtMinimumThroughput_Opens()
    {
        var time = NewClock();
        var breaker = Create(time, o =>
        {
            o.FailureThreshold = 0;
            o.SlowCallDuration = TimeSpan.FromSeconds(1);
            o.SlowCallRatio = 0.5;
            o.MinimumThroughput = 4;
        });

        RunSlowCall(breaker, time);
        await SucceedAsync(breaker);
        await SucceedAsync(breaker);
        var afterThree = breaker.State;
        RunSlowCall(breaker, time);
        var snapshot = breaker.GetSnapshot();

        Assert.Equal(BreakerState.Closed, afterThree);
        Assert.Equal(BreakerState.Open, snapshot.State);
        Assert.Equal(BreakerTransitionReason.SlowCallRatio, snapshot.LastTransitionReason);
        Assert.Equal(0, snapshot.TotalFailures);
    }

    [Fact]
    public async Task SlowCallRatio_SlowCallsBelowMinimumThroughput_StaysClosed()
    {
        var time = NewClock();
        var breaker = Create(time, o =>
        {
            o.FailureThreshold = 0;
            o.SlowCallDuration = TimeSpan.FromSeconds(1);
            o.MinimumThroughput = 4;
        });

        RunSlowCall(breaker, time);
        RunSlowCall(breaker, time);
        RunSlowCall(breaker, time);

        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal(3, breaker.GetSnapshot().WindowSlowCalls);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task SlowProbe_CountsAsFailedProbe()
    {
        var time = NewClock();
        var breaker = Create(time, o => o.SlowCallDuration = TimeSpan.FromSeconds(1));
        await TripAsync(breaker);
        time.Advance(TimeSpan.FromSeconds(30));

        RunSlowCall(breaker, time);

        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(BreakerTransitionReason.ProbeFailed, breaker.GetSnapshot().LastTransitionReason);
    }

    [Fact]
    public async Task BreakDuration_FailedProbes_GrowsToCapAndResetsOnClose()
    {
        var time = NewClock();
        var breaker = Create(time, o =>
        {
            o.BreakDuration = TimeSpan.FromSeconds(10);
            o.BreakDurationMultiplier = 2;
            o.MaxBreakDuration = TimeSpan.FromSeconds(35);
        });
        var durations = new List<TimeSpan>();

        await TripAsync(breaker);
        durations.Add(breaker.GetSnapshot().CurrentBreakDuration);
        for (int i = 0; i < 3; i++)
        {
            time.Advance(durations[^1]);
            await FailAsync(breaker);
            durations.Add(breaker.GetSnapshot().CurrentBreakDuration);
        }

        time.Advance(durations[^1]);
        await SucceedAsync(breaker);
        var afterClose = breaker.GetSnapshot();
        await TripAsync(breaker);

        Assert.Equal(
            [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(35), TimeSpan.FromSeconds(35)],
            durations);
        Assert.Equal(BreakerState.Closed, afterClose.State);
        Assert.Equal(TimeSpan.FromSeconds(10), breaker.GetSnapshot().CurrentBreakDuration);
        Assert.Equal(TimeSpan.FromSeconds(10), breaker.GetSnapshot().RetryAfter);
    }

    [Fact]
    public async Task BreakDuration_Jitter_StaysWithinSpreadAndCap()
    {
        var time = NewClock();
        var breaker = Create(
            time,
            o =>
            {
                o.BreakDuration = TimeSpan.FromSeconds(10);
                o.BreakDurationJitter = 0.5;
                o.MaxBreakDuration = TimeSpan.FromSeconds(12);
            },
            random: new Random(7));
        var durations = new List<TimeSpan>();

        for (int i = 0; i < 20; i++)
        {
            await TripAsync(breaker);
            durations.Add(breaker.GetSnapshot().CurrentBreakDuration);
            breaker.Reset();
        }

        Assert.All(durations, d => Assert.InRange(d, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(12)));
        Assert.True(durations.Distinct().Count() > 1, "Jitter produced the same break duration 20 times.");
    }

    private static void RatioOnly(BreakerOptions options)
    {
        options.FailureThreshold = 0;
        options.FailureRatio = 0.5;
        options.MinimumThroughput = 10;
    }

    private static void RunSlowCall(CircuitBreaker breaker, Microsoft.Extensions.Time.Testing.FakeTimeProvider time)
    {
        var lease = breaker.TryAcquire();
        Assert.True(lease.IsAcquired);
        time.Advance(TimeSpan.FromSeconds(2));
        lease.RecordSuccess();
    }
}
