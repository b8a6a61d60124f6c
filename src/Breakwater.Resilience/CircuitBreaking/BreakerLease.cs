namespace Breakwater.Resilience.CircuitBreaking;

/// <summary>
/// Permission to run one call through a <see cref="CircuitBreaker"/>, or the rejection of it. Returned by
/// <see cref="CircuitBreaker.TryAcquire"/> without allocating.
/// </summary>
/// <remarks>
/// When <see cref="IsAcquired"/> is true the caller runs the call and then reports its outcome exactly once, with
/// <see cref="RecordSuccess"/>, <see cref="RecordFailure"/>, <see cref="RecordException"/> or
/// <see cref="Release"/>. Reporting a lease twice, or a copy of it, counts the call twice. An acquired probe lease
/// that is never reported still frees its slot once the probe timeout has passed, and counts as a failed probe.
/// </remarks>
public readonly struct BreakerLease
{
    private readonly CircuitBreaker? _breaker;

    internal BreakerLease(CircuitBreaker breaker, LeaseKind kind, long stateWord, long startTimestamp, int probeSlot)
    {
        _breaker = breaker;
        Kind = kind;
        StateWord = stateWord;
        StartTimestamp = startTimestamp;
        ProbeSlot = probeSlot;
        State = (BreakerState)(stateWord & CircuitBreaker.StateMask);
        RetryAfter = null;
    }

    internal BreakerLease(CircuitBreaker breaker, BreakerState state, TimeSpan? retryAfter)
    {
        _breaker = breaker;
        Kind = LeaseKind.Rejected;
        State = state;
        RetryAfter = retryAfter;
        StateWord = 0;
        StartTimestamp = 0;
        ProbeSlot = -1;
    }

    /// <summary>True when the call may run; false when the breaker rejected it.</summary>
    public bool IsAcquired => Kind is not LeaseKind.Rejected && _breaker is not null;

    /// <summary>True when the call is one of the half-open probes.</summary>
    public bool IsProbe => Kind == LeaseKind.Probe;

    /// <summary>The breaker's state when the lease was granted or rejected.</summary>
    public BreakerState State { get; }

    /// <summary>
    /// For a rejected lease, the time until calls may run again; null when acquired, or while the breaker is isolated.
    /// </summary>
    public TimeSpan? RetryAfter { get; }

    internal LeaseKind Kind { get; }

    internal long StateWord { get; }

    internal long StartTimestamp { get; }

    internal int ProbeSlot { get; }

    /// <summary>Reports that the call succeeded.</summary>
    public void RecordSuccess() => Breaker.OnSuccess(this);

    /// <summary>Reports that the call failed in a way that counts against the dependency.</summary>
    public void RecordFailure() => Breaker.OnFailure(this);

    /// <summary>
    /// Reports a call that ended with <paramref name="exception"/>: ignored when <paramref name="callerToken"/> is
    /// cancelled and the exception is an <see cref="OperationCanceledException"/>, otherwise a failure when the
    /// breaker's predicate counts it and ignored when it does not.
    /// </summary>
    public void RecordException(Exception exception, CancellationToken callerToken = default) =>
        Breaker.OnException(this, exception, callerToken);

    /// <summary>
    /// Reports a call whose outcome says nothing about the dependency (cancelled by its caller, or ended with an
    /// exception that does not count). A probe gives its slot back.
    /// </summary>
    public void Release() => Breaker.OnIgnored(this);

    private CircuitBreaker Breaker => IsAcquired
        ? _breaker!
        : throw new InvalidOperationException(
            "The lease was rejected or is default, so it has no outcome to record; check IsAcquired first.");
}

internal enum LeaseKind : byte
{
    Rejected,
    Closed,
    Probe,
    Passthrough,
}
