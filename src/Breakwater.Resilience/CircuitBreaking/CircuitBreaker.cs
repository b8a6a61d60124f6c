using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Breakwater.Resilience.CircuitBreaking;

/// <summary>
/// A circuit breaker for one dependency: closed, open, half-open, isolated by an operator, or disabled.
/// </summary>
/// <remarks>
/// <para>
/// Thread safe. In the closed state acquiring and recording take no lock and allocate nothing; counters are updated
/// with <see cref="Interlocked"/> and the sliding window is lock-free. Changes of state take a short lock, and the
/// <see cref="Transitioned"/> event is raised after the lock is released, one transition at a time and in order.
/// </para>
/// <para>
/// Every change of state increments a generation number. A call records its outcome against the generation it started
/// in, so the outcome of a call that started before the breaker opened neither counts in a later closed period nor
/// decides a half-open probe.
/// </para>
/// <para>
/// Two ways to run calls: <see cref="TryAcquire"/> returns a <see cref="BreakerLease"/> struct for callers that run
/// the call themselves, and the <c>Execute</c> methods run a delegate with the call timeout and record its outcome.
/// <see cref="ExecuteOutcomeAsync{TResult, TState}"/> reports a rejection without allocating an exception;
/// <see cref="ExecuteAsync{TResult, TState}"/> throws <see cref="BreakerOpenException"/>.
/// </para>
/// </remarks>
public sealed partial class CircuitBreaker
{
    internal const long StateMask = 7;
    private const int StateBits = 3;

    // Probe slot markers; any other value is the timestamp at which a running probe started.
    private const long FreeSlot = long.MinValue;
    private const long SucceededSlot = long.MaxValue;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly TransitionDispatcher _dispatcher;
    private readonly SlidingWindow _window;
    private readonly long[] _probeSlots;

    private readonly bool _enabled;
    private readonly int _failureThreshold;
    private readonly double _failureRatio;
    private readonly int _minimumThroughput;
    private readonly long _slowCallTicks;
    private readonly double _slowCallRatio;
    private readonly TimeSpan _breakDuration;
    private readonly TimeSpan _maxBreakDuration;
    private readonly double _breakMultiplier;
    private readonly double _breakJitter;
    private readonly TimeSpan _probeTimeout;
    private readonly long _probeTimeoutTicks;
    private readonly TimeSpan? _callTimeout;
    private readonly Func<Exception, bool> _shouldCount;

    // The window is kept only for the ratio policies; without them the closed path needs no clock read at all.
    private readonly bool _windowEnabled;

    // Generation in the high bits, state in the low three bits, so that one read gives a consistent pair.
    private long _stateWord;

    private int _consecutiveFailures;
    private long _totalSuccesses;
    private long _totalFailures;
    private long _totalRejections;
    private long _totalIgnored;

    // Written under _lock before _stateWord is published; read without the lock on the open-state fast path.
    private long _openUntilTimestamp;
    private long _openedAtUtcTicks;
    private TimeSpan _currentBreakDuration;
    private int _failedHalfOpenAttempts;
    private int _probeSuccesses;
    private BreakerTransitionReason? _lastReason;
    private string? _lastDetail;

    /// <summary>Creates a breaker and validates <paramref name="options"/>.</summary>
    /// <param name="name">The breaker's name, used in events, logs, snapshots and exceptions.</param>
    /// <param name="options">The settings, copied when the breaker is created.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Receives one entry per transition; nothing is logged when null.</param>
    /// <param name="random">The source of break-duration jitter; <see cref="Random.Shared"/> when null.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names each invalid option.</exception>
    public CircuitBreaker(
        string name,
        BreakerOptions options,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        Random? random = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);

        var failures = BreakerOptionsValidator.ValidateAt(BreakerOptions.SectionName + ":" + name, options);
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        Name = name;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _random = random ?? Random.Shared;

        _enabled = options.Enabled;
        _failureThreshold = options.FailureThreshold;
        _failureRatio = options.FailureRatio ?? 0;
        _minimumThroughput = options.MinimumThroughput;
        _slowCallTicks = options.SlowCallDuration is { } slow ? ToTimestampTicks(slow) : 0;
        _slowCallRatio = options.SlowCallRatio;
        _breakDuration = options.BreakDuration;
        _maxBreakDuration = options.MaxBreakDuration;
        _breakMultiplier = options.BreakDurationMultiplier;
        _breakJitter = options.BreakDurationJitter;
        _probeTimeout = options.ProbeTimeout;
        _probeTimeoutTicks = ToTimestampTicks(options.ProbeTimeout);
        _callTimeout = options.CallTimeout;
        _shouldCount = options.ShouldCountException;
        _windowEnabled = _failureRatio > 0 || _slowCallTicks != 0;
        _currentBreakDuration = options.BreakDuration;

        _window = new SlidingWindow(options.SamplingDuration, _time.TimestampFrequency);
        _probeSlots = new long[options.HalfOpenProbes];
        Array.Fill(_probeSlots, FreeSlot);
        _dispatcher = new TransitionDispatcher(Deliver);
        _stateWord = (long)(_enabled ? BreakerState.Closed : BreakerState.Disabled);
    }

    /// <summary>
    /// Raised after every change of state, outside the breaker's lock, one transition at a time in the order they
    /// happened. An exception thrown by a handler is logged and does not reach the caller.
    /// </summary>
    public event EventHandler<BreakerTransition>? Transitioned;

    /// <summary>
    /// Raised on the calling thread, without a lock held, for every call the breaker rejects, with the state that
    /// rejected it (open, half-open with every probe slot taken, or isolated). Handlers run on the rejection path of
    /// every caller, so they must be quick and must not throw.
    /// </summary>
    public event Action<CircuitBreaker, BreakerState>? Rejected;

    /// <summary>The breaker's name.</summary>
    public string Name { get; }

    /// <summary>
    /// The current state. An open breaker whose break has elapsed moves to half-open when read, and a half-open
    /// breaker whose probe ran past the probe timeout opens again, so the state is current even without traffic.
    /// </summary>
    public BreakerState State
    {
        get
        {
            RefreshIfDue();
            return (BreakerState)(Volatile.Read(ref _stateWord) & StateMask);
        }
    }

    /// <summary>The per-call timeout applied by the <c>Execute</c> methods; null when calls have none.</summary>
    public TimeSpan? CallTimeout => _callTimeout;

    /// <summary>The timeout applied to a half-open probe.</summary>
    public TimeSpan ProbeTimeout => _probeTimeout;

    /// <summary>Returns whether the breaker's predicate counts <paramref name="exception"/> as a failure.</summary>
    public bool ShouldCount(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return _shouldCount(exception);
    }

    /// <summary>
    /// Requests permission to run one call. Returns an acquired lease whose outcome the caller must record, or a
    /// rejected lease with the time until a retry is allowed. Does not throw. Allocates nothing in the closed state
    /// and while open; the call that moves an open breaker to half-open allocates the transition event.
    /// </summary>
    public BreakerLease TryAcquire()
    {
        long word = Volatile.Read(ref _stateWord);
        if ((word & StateMask) == (long)BreakerState.Closed)
        {
            long start = _slowCallTicks != 0 ? _time.GetTimestamp() : 0;
            return new BreakerLease(this, LeaseKind.Closed, word, start, -1);
        }

        return TryAcquireSlow(word);
    }

    /// <summary>Forces the breaker open until <see cref="Reset"/>; every call is rejected meanwhile.</summary>
    /// <param name="reason">Why the operator isolated the breaker; kept in the transition and the snapshot.</param>
    public void Isolate(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);

        lock (_lock)
        {
            if (CurrentStateLocked() != BreakerState.Isolated)
            {
                _openedAtUtcTicks = _time.GetUtcNow().UtcTicks;
                TransitionLocked(BreakerState.Isolated, BreakerTransitionReason.Isolated, reason, null);
            }
        }

        _dispatcher.Drain();
    }

    /// <summary>
    /// Returns the breaker to closed (or to disabled when configuration disables it) and clears the consecutive
    /// count, the sliding window and the break-duration growth. The totals keep counting.
    /// </summary>
    public void Reset()
    {
        lock (_lock)
        {
            Interlocked.Exchange(ref _consecutiveFailures, 0);
            _window.Clear();
            _failedHalfOpenAttempts = 0;
            _currentBreakDuration = _breakDuration;

            var target = _enabled ? BreakerState.Closed : BreakerState.Disabled;
            if (CurrentStateLocked() != target)
            {
                TransitionLocked(target, BreakerTransitionReason.Reset, "Reset by an operator.", null);
            }
        }

        _dispatcher.Drain();
    }

    /// <summary>Returns the breaker's current state and counters.</summary>
    public BreakerSnapshot GetSnapshot()
    {
        RefreshIfDue();

        long now = _time.GetTimestamp();
        long word = Volatile.Read(ref _stateWord);
        var state = (BreakerState)(word & StateMask);
        var window = _windowEnabled ? _window.Sum(now) : default;

        TimeSpan? retryAfter = null;
        if (state == BreakerState.Open)
        {
            retryAfter = RemainingUntil(now, Volatile.Read(ref _openUntilTimestamp));
        }

        int probesInFlight = 0;
        BreakerTransitionReason? reason;
        string? detail;
        long openedAt;
        TimeSpan breakDuration;
        lock (_lock)
        {
            if (state == BreakerState.HalfOpen)
            {
                foreach (long slot in _probeSlots)
                {
                    if (slot is not FreeSlot and not SucceededSlot)
                    {
                        probesInFlight++;
                    }
                }
            }

            reason = _lastReason;
            detail = _lastDetail;
            openedAt = _openedAtUtcTicks;
            breakDuration = _currentBreakDuration;
        }

        return new BreakerSnapshot(
            Name,
            state,
            Volatile.Read(ref _consecutiveFailures),
            window.Calls,
            window.Failures,
            window.SlowCalls,
            Interlocked.Read(ref _totalSuccesses),
            Interlocked.Read(ref _totalFailures),
            Interlocked.Read(ref _totalRejections),
            Interlocked.Read(ref _totalIgnored),
            openedAt == 0 ? null : new DateTimeOffset(openedAt, TimeSpan.Zero),
            retryAfter,
            breakDuration,
            reason,
            detail,
            word >> StateBits,
            probesInFlight);
    }

    internal void OnSuccess(in BreakerLease lease)
    {
        switch (lease.Kind)
        {
            case LeaseKind.Closed:
            {
                Interlocked.Increment(ref _totalSuccesses);
                if (Volatile.Read(ref _stateWord) != lease.StateWord)
                {
                    return;
                }

                if (Volatile.Read(ref _consecutiveFailures) != 0)
                {
                    Interlocked.Exchange(ref _consecutiveFailures, 0);
                }

                if (_windowEnabled)
                {
                    long now = _time.GetTimestamp();
                    bool slow = IsSlow(lease, now);
                    _window.Record(now, failure: false, slow);
                    if (slow)
                    {
                        EvaluateRatios(lease.StateWord, now);
                    }
                }

                return;
            }

            case LeaseKind.Probe:
            {
                Interlocked.Increment(ref _totalSuccesses);
                long now = _time.GetTimestamp();
                bool slow = IsSlow(lease, now);
                CompleteProbe(lease, now, failed: slow, slowSuccess: slow);
                return;
            }

            default:
                return;
        }
    }

    internal void OnFailure(in BreakerLease lease)
    {
        switch (lease.Kind)
        {
            case LeaseKind.Closed:
            {
                Interlocked.Increment(ref _totalFailures);
                if (Volatile.Read(ref _stateWord) != lease.StateWord)
                {
                    return;
                }

                int consecutive = Interlocked.Increment(ref _consecutiveFailures);
                long now = 0;
                if (_windowEnabled)
                {
                    now = _time.GetTimestamp();
                    _window.Record(now, failure: true, IsSlow(lease, now));
                }

                if (_failureThreshold > 0 && consecutive >= _failureThreshold)
                {
                    TryTrip(
                        lease.StateWord,
                        BreakerTransitionReason.ConsecutiveFailures,
                        string.Create(CultureInfo.InvariantCulture, $"{consecutive} consecutive failures."));
                    return;
                }

                EvaluateRatios(lease.StateWord, now);
                return;
            }

            case LeaseKind.Probe:
                Interlocked.Increment(ref _totalFailures);
                CompleteProbe(lease, _time.GetTimestamp(), failed: true, slowSuccess: false);
                return;

            default:
                return;
        }
    }

    internal void OnException(in BreakerLease lease, Exception exception, CancellationToken callerToken)
    {
        ArgumentNullException.ThrowIfNull(exception);

        if (exception is OperationCanceledException && callerToken.IsCancellationRequested)
        {
            OnIgnored(lease);
        }
        else if (_shouldCount(exception))
        {
            OnFailure(lease);
        }
        else
        {
            OnIgnored(lease);
        }
    }

    internal void OnIgnored(in BreakerLease lease)
    {
        switch (lease.Kind)
        {
            case LeaseKind.Closed:
                Interlocked.Increment(ref _totalIgnored);
                return;

            case LeaseKind.Probe:
                Interlocked.Increment(ref _totalIgnored);
                lock (_lock)
                {
                    RefreshLocked(_time.GetTimestamp());
                    if (_stateWord == lease.StateWord && _probeSlots[lease.ProbeSlot] == lease.StartTimestamp)
                    {
                        _probeSlots[lease.ProbeSlot] = FreeSlot;
                    }
                }

                _dispatcher.Drain();
                return;

            default:
                return;
        }
    }

    private BreakerLease TryAcquireSlow(long word)
    {
        var state = (BreakerState)(word & StateMask);
        switch (state)
        {
            case BreakerState.Disabled:
                return new BreakerLease(this, LeaseKind.Passthrough, word, 0, -1);

            case BreakerState.Isolated:
                CountRejection(BreakerState.Isolated);
                return new BreakerLease(this, BreakerState.Isolated, null);

            case BreakerState.Open:
            {
                long now = _time.GetTimestamp();
                long until = Volatile.Read(ref _openUntilTimestamp);
                if (now < until)
                {
                    CountRejection(BreakerState.Open);
                    return new BreakerLease(this, BreakerState.Open, RemainingUntil(now, until));
                }

                return AcquireUnderLock();
            }

            default:
                return AcquireUnderLock();
        }
    }

    private void CountRejection(BreakerState state)
    {
        Interlocked.Increment(ref _totalRejections);
        Rejected?.Invoke(this, state);
    }

    private BreakerLease AcquireUnderLock()
    {
        BreakerLease lease;
        lock (_lock)
        {
            long now = _time.GetTimestamp();
            RefreshLocked(now);
            lease = AcquireLocked(now);
        }

        _dispatcher.Drain();
        if (!lease.IsAcquired)
        {
            CountRejection(lease.State);
        }

        return lease;
    }

    private BreakerLease AcquireLocked(long now)
    {
        long word = _stateWord;
        var state = (BreakerState)(word & StateMask);
        switch (state)
        {
            case BreakerState.Closed:
                return new BreakerLease(this, LeaseKind.Closed, word, _slowCallTicks != 0 ? now : 0, -1);

            case BreakerState.Disabled:
                return new BreakerLease(this, LeaseKind.Passthrough, word, 0, -1);

            case BreakerState.Isolated:
                return new BreakerLease(this, BreakerState.Isolated, null);

            case BreakerState.Open:
                return new BreakerLease(this, BreakerState.Open, RemainingUntil(now, _openUntilTimestamp));

            default:
            {
                long earliestDeadline = long.MaxValue;
                for (int slot = 0; slot < _probeSlots.Length; slot++)
                {
                    long started = _probeSlots[slot];
                    if (started == FreeSlot)
                    {
                        _probeSlots[slot] = now;
                        return new BreakerLease(this, LeaseKind.Probe, word, now, slot);
                    }

                    if (started != SucceededSlot)
                    {
                        earliestDeadline = Math.Min(earliestDeadline, started + _probeTimeoutTicks);
                    }
                }

                // Every slot is taken. The outcome is known at the latest when the oldest running probe times out.
                TimeSpan retryAfter = earliestDeadline == long.MaxValue
                    ? TimeSpan.Zero
                    : RemainingUntil(now, earliestDeadline);
                return new BreakerLease(this, BreakerState.HalfOpen, retryAfter);
            }
        }
    }

    private void CompleteProbe(in BreakerLease lease, long now, bool failed, bool slowSuccess)
    {
        lock (_lock)
        {
            CompleteProbeLocked(lease, now, failed, slowSuccess);
        }

        _dispatcher.Drain();
    }

    private void CompleteProbeLocked(in BreakerLease lease, long now, bool failed, bool slowSuccess)
    {
        RefreshLocked(now);

        // A stale probe (the breaker moved on, or its slot timed out and was reused) decides nothing.
        if (_stateWord != lease.StateWord || _probeSlots[lease.ProbeSlot] != lease.StartTimestamp)
        {
            return;
        }

        if (failed)
        {
            double elapsedMs = _time.GetElapsedTime(lease.StartTimestamp, now).TotalMilliseconds;
            string detail = slowSuccess
                ? string.Create(CultureInfo.InvariantCulture, $"A probe took {elapsedMs:0} ms, which counts as slow.")
                : "A probe failed.";
            OpenLocked(BreakerTransitionReason.ProbeFailed, detail, grow: true);
            return;
        }

        _probeSlots[lease.ProbeSlot] = SucceededSlot;
        _probeSuccesses++;
        if (_probeSuccesses >= _probeSlots.Length)
        {
            CloseLocked(string.Create(
                CultureInfo.InvariantCulture, $"{_probeSuccesses} of {_probeSlots.Length} probes succeeded."));
        }
    }

    private void EvaluateRatios(long word, long now)
    {
        if (!_windowEnabled)
        {
            return;
        }

        var totals = _window.Sum(now);
        if (totals.Calls < _minimumThroughput)
        {
            return;
        }

        if (_failureRatio > 0 && totals.Failures >= _failureRatio * totals.Calls)
        {
            TryTrip(word, BreakerTransitionReason.FailureRatio, string.Create(
                CultureInfo.InvariantCulture,
                $"{totals.Failures} of {totals.Calls} calls in the sampling window failed (ratio {_failureRatio})."));
        }
        else if (_slowCallTicks != 0 && totals.SlowCalls >= _slowCallRatio * totals.Calls)
        {
            TryTrip(word, BreakerTransitionReason.SlowCallRatio, string.Create(
                CultureInfo.InvariantCulture,
                $"{totals.SlowCalls} of {totals.Calls} calls in the sampling window were slow "
                + $"(ratio {_slowCallRatio})."));
        }
    }

    private void TryTrip(long word, BreakerTransitionReason reason, string detail)
    {
        lock (_lock)
        {
            if (_stateWord != word)
            {
                return;
            }

            OpenLocked(reason, detail, grow: false);
        }

        _dispatcher.Drain();
    }

    private void RefreshIfDue()
    {
        long word = Volatile.Read(ref _stateWord);
        var state = (BreakerState)(word & StateMask);
        if (state == BreakerState.HalfOpen
            || (state == BreakerState.Open && _time.GetTimestamp() >= Volatile.Read(ref _openUntilTimestamp)))
        {
            lock (_lock)
            {
                RefreshLocked(_time.GetTimestamp());
            }

            _dispatcher.Drain();
        }
    }

    private void RefreshLocked(long now)
    {
        var state = CurrentStateLocked();
        if (state == BreakerState.Open && now >= _openUntilTimestamp)
        {
            _probeSuccesses = 0;
            Array.Fill(_probeSlots, FreeSlot);
            TransitionLocked(
                BreakerState.HalfOpen,
                BreakerTransitionReason.BreakElapsed,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The break of {_currentBreakDuration.TotalSeconds:0.###} s elapsed; "
                    + $"{_probeSlots.Length} probe call(s) may run."),
                null);
            return;
        }

        if (state == BreakerState.HalfOpen)
        {
            foreach (long started in _probeSlots)
            {
                if (started is not FreeSlot and not SucceededSlot && now - started >= _probeTimeoutTicks)
                {
                    OpenLocked(
                        BreakerTransitionReason.ProbeTimedOut,
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"A probe ran past the probe timeout of {_probeTimeout.TotalSeconds:0.###} s."),
                        grow: true);
                    return;
                }
            }
        }
    }

    private void OpenLocked(BreakerTransitionReason reason, string detail, bool grow)
    {
        _failedHalfOpenAttempts = grow ? _failedHalfOpenAttempts + 1 : 0;
        TimeSpan duration = ComputeBreakDurationLocked(_failedHalfOpenAttempts);
        _currentBreakDuration = duration;
        _openUntilTimestamp = _time.GetTimestamp() + ToTimestampTicks(duration);
        _openedAtUtcTicks = _time.GetUtcNow().UtcTicks;
        TransitionLocked(BreakerState.Open, reason, detail, duration);
    }

    private void CloseLocked(string detail)
    {
        _failedHalfOpenAttempts = 0;
        _currentBreakDuration = _breakDuration;
        Interlocked.Exchange(ref _consecutiveFailures, 0);
        _window.Clear();
        TransitionLocked(BreakerState.Closed, BreakerTransitionReason.ProbesSucceeded, detail, null);
    }

    private TimeSpan ComputeBreakDurationLocked(int failedAttempts)
    {
        double ticks = _breakDuration.Ticks * Math.Pow(_breakMultiplier, failedAttempts);
        ticks = Math.Min(ticks, _maxBreakDuration.Ticks);
        if (_breakJitter > 0)
        {
            ticks *= 1 + (_breakJitter * ((2 * _random.NextDouble()) - 1));
            ticks = Math.Min(ticks, _maxBreakDuration.Ticks);
        }

        return TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, (long)ticks));
    }

    private void TransitionLocked(
        BreakerState to, BreakerTransitionReason reason, string detail, TimeSpan? breakDuration)
    {
        long word = _stateWord;
        var from = (BreakerState)(word & StateMask);
        long generation = (word >> StateBits) + 1;
        Volatile.Write(ref _stateWord, (generation << StateBits) | (long)to);
        _lastReason = reason;
        _lastDetail = detail;
        _dispatcher.Enqueue(new BreakerTransition(
            Name, from, to, reason, detail, _time.GetUtcNow(), generation, breakDuration));
    }

    private BreakerState CurrentStateLocked() => (BreakerState)(_stateWord & StateMask);

    private bool IsSlow(in BreakerLease lease, long now) =>
        _slowCallTicks != 0 && now - lease.StartTimestamp >= _slowCallTicks;

    private TimeSpan RemainingUntil(long now, long deadline) =>
        now >= deadline ? TimeSpan.Zero : _time.GetElapsedTime(now, deadline);

    private long ToTimestampTicks(TimeSpan span) =>
        (long)(span.Ticks * ((double)_time.TimestampFrequency / TimeSpan.TicksPerSecond));

    private void Deliver(BreakerTransition transition)
    {
        Log.Transition(_logger, transition);
        try
        {
            Transitioned?.Invoke(this, transition);
        }
#pragma warning disable CA1031 // A failing subscriber must not break the breaker or the call that changed its state.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.TransitionHandlerFailed(_logger, exception, Name, transition.From, transition.To);
        }
    }
}
