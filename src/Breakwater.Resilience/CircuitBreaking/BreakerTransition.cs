namespace Breakwater.Resilience.CircuitBreaking;

/// <summary>A change of state of one <see cref="CircuitBreaker"/>.</summary>
/// <param name="BreakerName">The name of the breaker that changed state.</param>
/// <param name="From">The state before the change.</param>
/// <param name="To">The state after the change.</param>
/// <param name="Reason">Why the state changed.</param>
/// <param name="Detail">A readable account of the reason, for logs and the status endpoint.</param>
/// <param name="Time">When the change happened, from the breaker's <see cref="TimeProvider"/>.</param>
/// <param name="Generation">The breaker's generation after the change; it grows by one with every change.</param>
/// <param name="BreakDuration">How long the breaker stays open; set only when <paramref name="To"/> is open.</param>
public sealed record BreakerTransition(
    string BreakerName,
    BreakerState From,
    BreakerState To,
    BreakerTransitionReason Reason,
    string Detail,
    DateTimeOffset Time,
    long Generation,
    TimeSpan? BreakDuration);
