using Breakwater.Resilience.CircuitBreaking;
using static Breakwater.Resilience.Tests.CircuitBreaking.TestBreakers;

namespace Breakwater.Resilience.Tests.CircuitBreaking;

public sealed class CircuitBreakerStateTests
{
    [Fact]
    public async Task Execute_ThreeConsecutiveFailures_Opens()
    {
        var time = NewClock();
        var breaker = Create(time);

        await FailAsync(breaker);
        await FailAsync(breaker);
        var stateAfterTwo = breaker.State;
        await FailAsync(breaker);

        Assert.Equal(BreakerState.Closed, stateAfterTwo);
        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(BreakerTransitionReason.ConsecutiveFailures, breaker.GetSnapshot().LastTransitionReason);
    }

    [Fact]
    public async Task Execute_SuccessBetweenFailures_ResetsCount()
    {
        var time = NewClock();
        var breaker = Create(time);

        await FailAsync(breaker);
        await FailAsync(breaker);
        await SucceedAsync(breaker);
        await FailAsync(breaker);
        await FailAsync(breaker);

        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal(2, breaker.GetSnapshot().ConsecutiveFailures);
    }

    [Fact]
    public async Task Execute_WhileOpen_RejectsWithRetryAfterWithoutRunning()
    {
        var time = NewClock();
        var breaker = Create(time);
        await TripAsync(breaker);
        time.Advance(TimeSpan.FromSeconds(10));
        int runs = 0;

        var outcome = await breaker.ExecuteOutcomeAsync(
            (_, _) => ValueTask.FromResult(Interlocked.Increment(ref runs)), 0, CancellationToken.None);
        var thrown = await Assert.ThrowsAsync<BreakerOpenException>(async () =>
            await breaker.ExecuteAsync(_ => ValueTask.FromResult(Interlocked.Increment(ref runs)), default));

        Assert.True(outcome.IsRejected);
        Assert.Equal(BreakerState.Open, outcome.RejectedState);
        Assert.Equal(TimeSpan.FromSeconds(20), outcome.RetryAfter);
        Assert.Equal("broker", thrown.BreakerName);
        Assert.Equal(TimeSpan.FromSeconds(20), thrown.RetryAfter);
        Assert.Equal(0, runs);
        Assert.Equal(2, breaker.GetSnapshot().TotalRejections);
    }

    [Fact]
    public async Task State_BreakElapsedWithoutTraffic_ReadsHalfOpen()
    {
        var time = NewClock();
        var breaker = Create(time);
        await TripAsync(breaker);

        time.Advance(TimeSpan.FromSeconds(29));
        var beforeBreakElapsed = breaker.State;
        time.Advance(TimeSpan.FromSeconds(1));
        var snapshot = breaker.GetSnapshot();

        Assert.Equal(BreakerState.Open, beforeBreakElapsed);
        Assert.Equal(BreakerState.HalfOpen, snapshot.State);
        Assert.Equal(BreakerTransitionReason.BreakElapsed, snapshot.LastTransitionReason);
        Assert.Null(snapshot.RetryAfter);
    }

    [Fact]
    public async Task Probe_Succeeds_Closes()
    {
        var time = NewClock();
        var breaker = Create(time);
        await TripAsync(breaker);
        time.Advance(TimeSpan.FromSeconds(30));

        var probe = await SucceedAsync(breaker);

        Assert.True(probe.IsSuccess);
        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal(0, breaker.GetSnapshot().ConsecutiveFailures);
    }

    [Fact]
    public async Task Probe_Fails_OpensAgain()
    {
        var time = NewClock();
        var breaker = Create(time, o => o.BreakDurationMultiplier = 1);
        await TripAsync(breaker);
        time.Advance(TimeSpan.FromSeconds(30));

        await FailAsync(breaker);
        var snapshot = breaker.GetSnapshot();

        Assert.Equal(BreakerState.Open, snapshot.State);
        Assert.Equal(BreakerTransitionReason.ProbeFailed, snapshot.LastTransitionReason);
        Assert.Equal(TimeSpan.FromSeconds(30), snapshot.RetryAfter);
    }

    [Fact]
    public async Task Transitioned_FullCycle_RaisesEventsInOrderWithReasons()
    {
        var time = NewClock();
        var breaker = Create(time);
        var events = new List<BreakerTransition>();
        breaker.Transitioned += (_, transition) => events.Add(transition);
        var start = time.GetUtcNow();

        await TripAsync(breaker);
        time.Advance(TimeSpan.FromSeconds(30));
        _ = breaker.State;
        await SucceedAsync(breaker);

        Assert.Equal(3, events.Count);
        Assert.Equal((BreakerState.Closed, BreakerState.Open), (events[0].From, events[0].To));
        Assert.Equal(BreakerTransitionReason.ConsecutiveFailures, events[0].Reason);
        Assert.Equal("3 consecutive failures.", events[0].Detail);
        Assert.Equal(start, events[0].Time);
        Assert.Equal(TimeSpan.FromSeconds(30), events[0].BreakDuration);
        Assert.Equal((BreakerState.Open, BreakerState.HalfOpen), (events[1].From, events[1].To));
        Assert.Equal(BreakerTransitionReason.BreakElapsed, events[1].Reason);
        Assert.Equal(start.AddSeconds(30), events[1].Time);
        Assert.Equal((BreakerState.HalfOpen, BreakerState.Closed), (events[2].From, events[2].To));
        Assert.Equal(BreakerTransitionReason.ProbesSucceeded, events[2].Reason);
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Generation));
        Assert.All(events, e => Assert.Equal("broker", e.BreakerName));
    }

    [Fact]
    public async Task Transitioned_HandlerThrows_BreakerKeepsWorking()
    {
        var time = NewClock();
        var breaker = Create(time);
        breaker.Transitioned += (_, _) => throw new InvalidOperationException("The subscriber failed.");

        await TripAsync(breaker);

        Assert.Equal(BreakerState.Open, breaker.State);
    }

    [Fact]
    public async Task Transitioned_HandlerResetsBreaker_EventsStayInOrder()
    {
        var time = NewClock();
        var breaker = Create(time);
        var events = new List<(BreakerState From, BreakerState To)>();
        breaker.Transitioned += (sender, transition) =>
        {
            events.Add((transition.From, transition.To));
            if (transition.To == BreakerState.Open)
            {
                ((CircuitBreaker)sender!).Reset();
            }
        };

        await TripAsync(breaker);

        Assert.Equal([(BreakerState.Closed, BreakerState.Open), (BreakerState.Open, BreakerState.Closed)], events);
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public async Task Execute_BusinessRejections_NeverTrip()
    {
        var time = NewClock();
        var breaker = Create(time);

        for (int i = 0; i < 10; i++)
        {
            await RejectAsync(breaker);
        }

        var snapshot = breaker.GetSnapshot();
        Assert.Equal(BreakerState.Closed, snapshot.State);
        Assert.Equal(0, snapshot.TotalFailures);
        Assert.Equal(10, snapshot.TotalIgnored);
        Assert.Equal(0, snapshot.ConsecutiveFailures);
    }

    [Fact]
    public async Task Execute_ResultPredicateMatches_CountsFailure()
    {
        var time = NewClock();
        var breaker = Create(time);

        for (int i = 0; i < 3; i++)
        {
            var result = await breaker.ExecuteAsync(
                static (_, _) => ValueTask.FromResult(503), 0, CancellationToken.None, status => status >= 500);
            Assert.Equal(503, result);
        }

        Assert.Equal(BreakerState.Open, breaker.State);
    }

    [Fact]
    public async Task Lease_StartedBeforeOpening_SuccessDoesNotCloseHalfOpenBreaker()
    {
        var time = NewClock();
        var breaker = Create(time);
        var early = breaker.TryAcquire();
        await TripAsync(breaker);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(BreakerState.HalfOpen, breaker.State);

        early.RecordSuccess();
        var probe = breaker.TryAcquire();

        Assert.Equal(BreakerState.HalfOpen, breaker.State);
        Assert.True(probe.IsProbe);
    }

    [Fact]
    public async Task Lease_StartedBeforeOpening_FailureDoesNotCountInLaterClosedPeriod()
    {
        var time = NewClock();
        var breaker = Create(time);
        var early = breaker.TryAcquire();
        await TripAsync(breaker);
        time.Advance(TimeSpan.FromSeconds(30));
        await SucceedAsync(breaker);

        early.RecordFailure();
        var snapshot = breaker.GetSnapshot();

        Assert.Equal(BreakerState.Closed, snapshot.State);
        Assert.Equal(0, snapshot.ConsecutiveFailures);
        Assert.Equal(4, snapshot.TotalFailures);
    }

    [Fact]
    public async Task IsolateAndReset_OperatorActions_ForceOpenThenClose()
    {
        var time = NewClock();
        var breaker = Create(time);
        await FailAsync(breaker);

        breaker.Isolate("Broker maintenance window.");
        time.Advance(TimeSpan.FromHours(1));
        var isolated = breaker.GetSnapshot();
        var lease = breaker.TryAcquire();
        var thrown = await Assert.ThrowsAsync<BreakerOpenException>(async () =>
            await breaker.ExecuteAsync(_ => ValueTask.FromResult(1), default));
        breaker.Reset();
        var reset = breaker.GetSnapshot();

        Assert.Equal(BreakerState.Isolated, isolated.State);
        Assert.Equal(BreakerTransitionReason.Isolated, isolated.LastTransitionReason);
        Assert.Equal("Broker maintenance window.", isolated.LastTransitionDetail);
        Assert.False(lease.IsAcquired);
        Assert.Null(lease.RetryAfter);
        Assert.Equal(BreakerState.Isolated, thrown.State);
        Assert.Null(thrown.RetryAfter);
        Assert.Equal(BreakerState.Closed, reset.State);
        Assert.Equal(BreakerTransitionReason.Reset, reset.LastTransitionReason);
        Assert.Equal(0, reset.ConsecutiveFailures);
        Assert.Equal(0, reset.WindowCalls);
    }

    [Fact]
    public async Task Execute_Disabled_RunsEveryCallAndRecordsNothing()
    {
        var time = NewClock();
        var breaker = Create(time, o => o.Enabled = false);
        int runs = 0;

        for (int i = 0; i < 10; i++)
        {
            await breaker.ExecuteOutcomeAsync(
                (_, _) =>
                {
                    Interlocked.Increment(ref runs);
                    return ValueTask.FromException<int>(new IOException("down"));
                },
                0,
                CancellationToken.None);
        }

        var snapshot = breaker.GetSnapshot();
        Assert.Equal(BreakerState.Disabled, snapshot.State);
        Assert.Equal(10, runs);
        Assert.Equal(0, snapshot.TotalFailures);
        Assert.Equal(0, snapshot.WindowCalls);
    }

    [Fact]
    public void Lease_Rejected_RecordThrows()
    {
        var time = NewClock();
        var breaker = Create(time);
        breaker.Isolate("Test.");

        var lease = breaker.TryAcquire();

        Assert.Throws<InvalidOperationException>(lease.RecordSuccess);
    }
}
