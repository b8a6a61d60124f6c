namespace Breakwater.Resilience.CircuitBreaking;

/// <summary>
/// Settings of one <see cref="CircuitBreaker"/>, bound from the configuration section
/// <c>Breakwater:Breakers:&lt;name&gt;</c>. A breaker copies the values when it is created; later changes to this
/// instance do not affect it.
/// </summary>
public sealed class BreakerOptions
{
    /// <summary>The configuration section that contains one child section per breaker name.</summary>
    public const string SectionName = "Breakwater:Breakers";

    /// <summary>
    /// False disables the breaker: every call runs and nothing is recorded. The <c>Execute</c> methods still apply
    /// <see cref="CallTimeout"/>, because a hung dependency must not hold its caller even without a breaker.
    /// An operator can still isolate a disabled breaker. Default true.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Consecutive failures in the closed state that open the breaker; a success resets the count. Default 3;
    /// 0 turns this policy off. Range 0 to 1000.
    /// </summary>
    public int FailureThreshold { get; set; } = 3;

    /// <summary>
    /// Share of failed calls in the sliding window that opens the breaker, once the window contains at least
    /// <see cref="MinimumThroughput"/> calls. Null (the default) turns this policy off. Range above 0 up to 1.
    /// </summary>
    public double? FailureRatio { get; set; }

    /// <summary>
    /// Calls the sliding window must hold before a ratio policy may open the breaker. Default 10. Range 1 to 1,000,000.
    /// </summary>
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>
    /// Length of the time-based sliding window that the ratio policies look at. Default 30 s. Range 100 ms to 1 h.
    /// </summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A call that takes at least this long counts as slow. Null (the default) turns the slow-call policy off.
    /// Range above 0 up to 1 h.
    /// </summary>
    public TimeSpan? SlowCallDuration { get; set; }

    /// <summary>
    /// Share of slow calls in the sliding window that opens the breaker. Used only with
    /// <see cref="SlowCallDuration"/>. Default 0.5. Range above 0 up to 1.
    /// </summary>
    public double SlowCallRatio { get; set; } = 0.5;

    /// <summary>How long the breaker stays open after it first trips. Default 30 s. Range 1 ms to 1 day.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Upper limit for a break duration grown by <see cref="BreakDurationMultiplier"/>, jitter included.
    /// Default 5 min. Must be at least <see cref="BreakDuration"/> and at most 1 day.
    /// </summary>
    public TimeSpan MaxBreakDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Factor applied to the break duration for each failed half-open attempt in a row; 1 keeps it constant.
    /// The growth resets when the breaker closes. Default 2. Range 1 to 100.
    /// </summary>
    public double BreakDurationMultiplier { get; set; } = 2;

    /// <summary>
    /// Random spread applied to each break duration as a fraction of it: 0.1 means up to 10 % shorter or longer, so
    /// that several gateway processes do not probe a recovering dependency at the same instant. Default 0.1.
    /// Range 0 (no jitter) up to, but excluding, 1.
    /// </summary>
    public double BreakDurationJitter { get; set; } = 0.1;

    /// <summary>Probe calls let through in the half-open state. Default 1. Range 1 to 100.</summary>
    public int HalfOpenProbes { get; set; } = 1;

    /// <summary>
    /// A probe that runs this long counts as failed, and the breaker opens again even if the probe never returns.
    /// Default 10 s. Range above 0 up to 1 h.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Per-call timeout: a call that runs this long is cancelled and counts as a failure. Null means no per-call
    /// timeout (the registry sets per-dependency defaults). Range above 0 up to 1 h.
    /// </summary>
    public TimeSpan? CallTimeout { get; set; }

    /// <summary>
    /// Decides which exceptions count as failures; <see cref="BreakerFailurePredicates.Default"/> unless replaced.
    /// Not bound from configuration. See <see cref="BreakerFailurePredicates"/> for how cancellation is treated.
    /// </summary>
    public Func<Exception, bool> ShouldCountException { get; set; } = BreakerFailurePredicates.Default;
}
