namespace Breakwater.Health.Probes;

/// <summary>An active check of one dependency, run by <see cref="Monitoring.DependencyMonitor"/> on its interval.</summary>
/// <remarks>
/// The monitor never runs two calls of one probe at the same time and bounds each call by the configured timeout,
/// also when the probe ignores its cancellation token. A probe may throw: the monitor reports the exception as a
/// failure with a fixed output sentence and never shows the exception text. The readiness key and component type come
/// from the <see cref="DependencyProbeRegistration"/>, so they are known even when the probe cannot be created.
/// </remarks>
public interface IDependencyProbe
{
    /// <summary>The dependency checked, one of <see cref="Domain.Dependencies.DependencyNames"/>.</summary>
    string Dependency { get; }

    /// <summary>Checks the dependency once.</summary>
    Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken);
}

/// <summary>The outcome of one probe call.</summary>
/// <param name="Status">The dependency's health as the probe saw it, before the breaker state is applied.</param>
/// <param name="ObservedValue">The measured value (a latency, an age), or null when nothing was measured.</param>
/// <param name="ObservedUnit">The unit of <paramref name="ObservedValue"/>: <c>ms</c> or <c>s</c>.</param>
/// <param name="Output">
/// A short fixed sentence that explains a status other than healthy. It is served without authentication, so it must
/// not contain exception text, host names or connection strings.
/// </param>
public sealed record ProbeResult(HealthStatus Status, double? ObservedValue, string? ObservedUnit, string? Output)
{
    /// <summary>Creates a healthy result with a measured value.</summary>
    public static ProbeResult Healthy(double? observedValue, string? observedUnit) =>
        new(HealthStatus.Healthy, observedValue, observedUnit, null);

    /// <summary>Creates an unhealthy result.</summary>
    public static ProbeResult Unhealthy(string output, double? observedValue = null, string? observedUnit = null) =>
        new(HealthStatus.Unhealthy, observedValue, observedUnit, output);
}

/// <summary>The fixed sentences shown as <c>output</c> for each kind of failure.</summary>
public static class ProbeOutputs
{
    /// <summary>The dependency could not be reached or returned a transport or provider error.</summary>
    public const string ConnectionFailed = "Connection failed.";

    /// <summary>The probe threw an exception that is not a known connection failure.</summary>
    public const string ProbeFailed = "The probe failed with an unexpected error.";

    /// <summary>The probe could not be created, typically because a service it needs is not registered.</summary>
    public const string ProbeNotCreated = "The probe could not be created.";

    /// <summary>The previous call of the probe is still running after its timeout, so no new call was started.</summary>
    public const string PreviousProbeRunning = "The previous probe has not finished.";

    /// <summary>The dependency's breaker is open.</summary>
    public const string BreakerOpen = "Circuit breaker is open.";

    /// <summary>The dependency's breaker is half-open.</summary>
    public const string BreakerHalfOpen = "Circuit breaker is half-open.";

    /// <summary>The dependency's breaker was isolated by an operator.</summary>
    public const string BreakerIsolated = "Circuit breaker is isolated.";

    /// <summary>The market data feed has not delivered a quote since the gateway started.</summary>
    public const string NoQuote = "No quote has been received.";

    /// <summary>Returns the sentence for a probe that did not finish within <paramref name="timeout"/>.</summary>
    public static string TimedOut(TimeSpan timeout) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Timed out after {timeout.TotalMilliseconds:0} ms.");

    /// <summary>Returns the sentence for a newest quote that is older than <paramref name="maxQuoteAge"/>.</summary>
    public static string StaleQuote(TimeSpan maxQuoteAge) =>
        string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"The newest quote is older than the maximum of {maxQuoteAge.TotalSeconds:0.###} s.");
}
