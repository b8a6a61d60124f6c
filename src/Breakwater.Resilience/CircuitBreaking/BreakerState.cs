namespace Breakwater.Resilience.CircuitBreaking;

/// <summary>The state of a <see cref="CircuitBreaker"/>.</summary>
public enum BreakerState
{
    /// <summary>Calls run and their outcomes are counted against the trip policies.</summary>
    Closed = 0,

    /// <summary>Calls are rejected without running until the break duration has elapsed.</summary>
    Open = 1,

    /// <summary>A limited number of probe calls run; their outcomes decide between closed and open.</summary>
    HalfOpen = 2,

    /// <summary>Forced open by an operator; every call is rejected until <see cref="CircuitBreaker.Reset"/>.</summary>
    Isolated = 3,

    /// <summary>Disabled by configuration: every call runs and nothing is recorded.</summary>
    Disabled = 4,
}

/// <summary>Why a <see cref="CircuitBreaker"/> changed state.</summary>
public enum BreakerTransitionReason
{
    /// <summary>The consecutive-failure threshold was reached.</summary>
    ConsecutiveFailures,

    /// <summary>The failure ratio in the sliding window reached the configured ratio.</summary>
    FailureRatio,

    /// <summary>The slow-call ratio in the sliding window reached the configured ratio.</summary>
    SlowCallRatio,

    /// <summary>The break duration elapsed, so probe calls may run.</summary>
    BreakElapsed,

    /// <summary>Every probe call succeeded.</summary>
    ProbesSucceeded,

    /// <summary>A probe call failed or was slow.</summary>
    ProbeFailed,

    /// <summary>A probe call ran past the probe timeout.</summary>
    ProbeTimedOut,

    /// <summary>An operator isolated the breaker.</summary>
    Isolated,

    /// <summary>An operator reset the breaker.</summary>
    Reset,
}
