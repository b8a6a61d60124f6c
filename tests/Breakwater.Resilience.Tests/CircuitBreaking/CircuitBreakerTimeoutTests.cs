using Breakwater.Domain.Brokers;
using Breakwater.Resilience.CircuitBreaking;
using static Breakwater.Resilience.Tests.CircuitBreaking.TestBreakers;

namespace Breakwater.Resilience.Tests.CircuitBreaking;

public sealed class CircuitBreakerTimeoutTests
{
    [Fact]
    public async Task Execute_CallTimeoutElapses_CancelsAndCountsFailure()
    {
        var time = NewClock();
        var breaker = Create(time, o => o.CallTimeout = TimeSpan.FromSeconds(2));
        CancellationToken seen = default;

        var call = breaker.ExecuteAsync(
            token =>
            {
                seen = token;
                return new ValueTask<int>(WaitForCancellation(token));
            },
            CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(2));
        var thrown = await Assert.ThrowsAsync<BreakerTimeoutException>(() => call);
        var snapshot = breaker.GetSnapshot();

        Assert.True(seen.IsCancellationRequested);
        Assert.Equal(TimeSpan.FromSeconds(2), thrown.Timeout);
        Assert.Equal("broker", thrown.BreakerName);
        Assert.Equal(1, snapshot.TotalFailures);
        Assert.Equal(1, snapshot.ConsecutiveFailures);
    }

    [Fact]
    public async Task Execute_CallIgnoresTokenPastTimeout_CallerStillGetsTimeout()
    {
        var time = NewClock();
        var breaker = Create(time, o => o.CallTimeout = TimeSpan.FromSeconds(2));
        var never = new TaskCompletionSource<int>();

        var call = breaker.ExecuteAsync(_ => new ValueTask<int>(never.Task), CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(2));

        await Assert.ThrowsAsync<BreakerTimeoutException>(() => call);
        Assert.Equal(1, breaker.GetSnapshot().TotalFailures);
    }

    [Fact]
    public async Task Execute_CallerCancels_NotCountedAsFailure()
    {
        var time = NewClock();
        var breaker = Create(time, o => o.CallTimeout = TimeSpan.FromSeconds(2));
        using var caller = new CancellationTokenSource();

        var call = breaker.ExecuteAsync(token => new ValueTask<int>(WaitForCancellation(token)), caller.Token).AsTask();
        await caller.CancelAsync();
        var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        var snapshot = breaker.GetSnapshot();

        Assert.Equal(caller.Token, thrown.CancellationToken);
        Assert.Equal(0, snapshot.TotalFailures);
        Assert.Equal(1, snapshot.TotalIgnored);
        Assert.Equal(0, snapshot.ConsecutiveFailures);
    }

    [Fact]
    public async Task Execute_CallerCancelsWithoutCallTimeout_NotCountedAsFailure()
    {
        var time = NewClock();
        var breaker = Create(time);
        using var caller = new CancellationTokenSource();

        var call = breaker.ExecuteAsync(token => new ValueTask<int>(WaitForCancellation(token)), caller.Token).AsTask();
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        Assert.Equal(0, breaker.GetSnapshot().TotalFailures);
        Assert.Equal(1, breaker.GetSnapshot().TotalIgnored);
    }

    [Fact]
    public async Task Execute_OwnCancellationNotFromCaller_CountsFailure()
    {
        var time = NewClock();
        var breaker = Create(time);

        await FailAsync(breaker, new TaskCanceledException("The HTTP request timed out."));

        Assert.Equal(1, breaker.GetSnapshot().TotalFailures);
    }

    [Fact]
    public async Task Lease_HungProbeNeverReported_OpensAgainAfterProbeTimeout()
    {
        var time = NewClock();
        var breaker = Create(time, o => o.ProbeTimeout = TimeSpan.FromSeconds(5));
        await TripAsync(breaker);
        time.Advance(TimeSpan.FromSeconds(30));
        var probe = breaker.TryAcquire();
        var other = breaker.TryAcquire();

        time.Advance(TimeSpan.FromSeconds(5));
        var snapshot = breaker.GetSnapshot();
        probe.RecordSuccess();

        Assert.True(probe.IsProbe);
        Assert.False(other.IsAcquired);
        Assert.Equal(TimeSpan.FromSeconds(5), other.RetryAfter);
        Assert.Equal(BreakerState.Open, snapshot.State);
        Assert.Equal(BreakerTransitionReason.ProbeTimedOut, snapshot.LastTransitionReason);
        Assert.Equal(BreakerState.Open, breaker.State);
    }

    [Fact]
    public async Task Execute_HungProbe_TimesOutAndOpensAgain()
    {
        var time = NewClock();
        var breaker = Create(time, o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(5);
            o.CallTimeout = TimeSpan.FromSeconds(20);
        });
        await TripAsync(breaker);
        time.Advance(TimeSpan.FromSeconds(30));
        var never = new TaskCompletionSource<int>();

        var probe = breaker.ExecuteAsync(_ => new ValueTask<int>(never.Task), CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(5));
        var thrown = await Assert.ThrowsAsync<BreakerTimeoutException>(() => probe);

        Assert.Equal(TimeSpan.FromSeconds(5), thrown.Timeout);
        Assert.Equal(BreakerState.Open, breaker.State);
    }

    [Fact]
    public async Task Execute_ProbeCancelledByCaller_GivesSlotBack()
    {
        var time = NewClock();
        var breaker = Create(time);
        await TripAsync(breaker);
        time.Advance(TimeSpan.FromSeconds(30));
        using var caller = new CancellationTokenSource();

        var probe = breaker.ExecuteAsync(token => new ValueTask<int>(WaitForCancellation(token)), caller.Token)
            .AsTask();
        var whileRunning = breaker.TryAcquire();
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe);
        var next = breaker.TryAcquire();

        Assert.False(whileRunning.IsAcquired);
        Assert.True(next.IsProbe);
        Assert.Equal(BreakerState.HalfOpen, breaker.State);
    }

    [Fact]
    public async Task Execute_ProbeThrowsIgnoredException_GivesSlotBack()
    {
        var time = NewClock();
        var breaker = Create(time);
        await TripAsync(breaker);
        time.Advance(TimeSpan.FromSeconds(30));

        var outcome = await FailAsync(breaker, new BrokerRejectionException(BrokerRejectionCode.InvalidSymbol, "No."));
        var next = breaker.TryAcquire();

        Assert.IsType<BrokerRejectionException>(outcome.Exception);
        Assert.True(next.IsProbe);
        Assert.Equal(BreakerState.HalfOpen, breaker.State);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Execute_HundredConcurrentCallsAtHalfOpen_LetsConfiguredProbesThrough(int probes)
    {
        var time = NewClock();
        var breaker = Create(time, o => o.HalfOpenProbes = probes);
        await TripAsync(breaker);
        time.Advance(TimeSpan.FromSeconds(30));
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        int started = 0;
        var calls = new Task<BreakerOutcome<int>>[100];
        using var ready = new Barrier(calls.Length);

        // Dedicated threads released together by a barrier, so the acquisitions really race.
        var threads = Enumerable.Range(0, calls.Length).Select(index => new Thread(() =>
        {
            ready.SignalAndWait();
            calls[index] = breaker.ExecuteOutcomeAsync(
                (_, _) =>
                {
                    Interlocked.Increment(ref started);
                    return new ValueTask<int>(gate.Task);
                },
                0,
                CancellationToken.None).AsTask();
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        var stateWhileProbing = breaker.State;
        gate.SetResult(1);
        var outcomes = await Task.WhenAll(calls);

        Assert.Equal(probes, started);
        Assert.Equal(100 - probes, outcomes.Count(o => o.IsRejected));
        Assert.Equal(BreakerState.HalfOpen, stateWhileProbing);
        Assert.Equal(BreakerState.Closed, breaker.State);
    }
}
