namespace Breakwater.Health.Breakers;

/// <summary>
/// Read access to the circuit breakers that guard the dependencies. The gateway adapts its breakers to this interface.
/// </summary>
/// <remarks>Implementations must be thread safe and cheap: the health monitor and the metrics callback call them.</remarks>
public interface IBreakerStateSource
{
    /// <summary>
    /// Returns the current state of the breaker that guards <paramref name="dependency"/> (one of
    /// <see cref="Domain.Dependencies.DependencyNames"/>), or null when that dependency has no breaker.
    /// </summary>
    BreakerView? GetBreaker(string dependency);
}

/// <summary>The state of a circuit breaker.</summary>
public enum BreakerState
{
    /// <summary>Calls pass through.</summary>
    Closed,

    /// <summary>Calls are rejected until the break ends.</summary>
    Open,

    /// <summary>Trial calls pass to test whether the dependency recovered.</summary>
    HalfOpen,

    /// <summary>Opened by an operator and held open until released by hand.</summary>
    Isolated,

    /// <summary>The breaker is switched off by configuration; calls always pass through.</summary>
    Disabled,
}

/// <summary>A point-in-time view of one circuit breaker.</summary>
/// <param name="State">The breaker's state.</param>
/// <param name="RetryAfter">While open, the time left until the breaker lets a trial call through; otherwise null.</param>
/// <param name="LastTransitionReason">
/// A short description of why the breaker last changed state, for example "failure ratio exceeded". The status
/// endpoint shows it, so it must not contain exception text or connection details.
/// </param>
/// <param name="LastTransitionTime">When the breaker last changed state, or null if it never did.</param>
/// <param name="ExpectedOutage">
/// The breaker is isolated for an outage that the dependency announced and that ends by itself, such as IB Gateway's
/// scheduled daily restart. While this is true, health reports an isolated breaker as degraded instead of unhealthy.
/// </param>
public sealed record BreakerView(
    BreakerState State,
    TimeSpan? RetryAfter = null,
    string? LastTransitionReason = null,
    DateTimeOffset? LastTransitionTime = null,
    bool ExpectedOutage = false);

/// <summary>Text forms of <see cref="BreakerState"/>.</summary>
public static class BreakerStateText
{
    /// <summary>Returns <c>closed</c>, <c>open</c>, <c>halfOpen</c>, <c>isolated</c> or <c>disabled</c>.</summary>
    public static string ToText(this BreakerState state) => state switch
    {
        BreakerState.Closed => "closed",
        BreakerState.Open => "open",
        BreakerState.HalfOpen => "halfOpen",
        BreakerState.Isolated => "isolated",
        _ => "disabled",
    };
}

/// <summary>The breaker source used until the gateway registers its own: no dependency has a breaker.</summary>
internal sealed class NoBreakerStateSource : IBreakerStateSource
{
    public BreakerView? GetBreaker(string dependency) => null;
}
