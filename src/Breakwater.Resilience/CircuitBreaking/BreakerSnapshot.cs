namespace Breakwater.Resilience.CircuitBreaking;

/// <summary>
/// A point-in-time view of a <see cref="CircuitBreaker"/> for health checks, the status endpoint and metrics.
/// </summary>
/// <remarks>
/// The counters are read one by one without a lock, so under concurrent traffic they may be a few calls apart from
/// each other. The totals only grow: <see cref="CircuitBreaker.Reset"/> clears the window and the consecutive count
/// but not the totals, so that they can be exported as monotonic counters.
/// </remarks>
/// <param name="Name">The breaker's name.</param>
/// <param name="State">The state; an open breaker whose break has elapsed reads as half-open.</param>
/// <param name="ConsecutiveFailures">Failures since the last success in the closed state.</param>
/// <param name="WindowCalls">
/// Calls recorded in the sliding window. The window is kept only while a ratio policy (FailureRatio or
/// SlowCallDuration) is on; otherwise the three window counts are 0.
/// </param>
/// <param name="WindowFailures">Failures recorded in the sliding window.</param>
/// <param name="WindowSlowCalls">Slow calls recorded in the sliding window.</param>
/// <param name="TotalSuccesses">Calls that succeeded since the breaker was created.</param>
/// <param name="TotalFailures">Calls that failed since the breaker was created.</param>
/// <param name="TotalRejections">Calls rejected without running since the breaker was created.</param>
/// <param name="TotalIgnored">Calls whose outcome was not counted (caller cancellation, ignored exceptions).</param>
/// <param name="OpenedAt">When the breaker last opened or was isolated; null while it has never opened.</param>
/// <param name="RetryAfter">Time left until calls may run again while open; null in every other state.</param>
/// <param name="CurrentBreakDuration">The break duration of the current or last opening.</param>
/// <param name="LastTransitionReason">Why the state last changed; null before the first change.</param>
/// <param name="LastTransitionDetail">A readable account of the last change; null before the first change.</param>
/// <param name="Generation">Grows by one with every change of state.</param>
/// <param name="ProbesInFlight">Probe calls running in the half-open state.</param>
public readonly record struct BreakerSnapshot(
    string Name,
    BreakerState State,
    int ConsecutiveFailures,
    int WindowCalls,
    int WindowFailures,
    int WindowSlowCalls,
    long TotalSuccesses,
    long TotalFailures,
    long TotalRejections,
    long TotalIgnored,
    DateTimeOffset? OpenedAt,
    TimeSpan? RetryAfter,
    TimeSpan CurrentBreakDuration,
    BreakerTransitionReason? LastTransitionReason,
    string? LastTransitionDetail,
    long Generation,
    int ProbesInFlight);
