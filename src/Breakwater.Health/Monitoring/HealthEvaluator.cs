using Breakwater.Health.Breakers;
using Breakwater.Health.Options;
using Breakwater.Health.Probes;

namespace Breakwater.Health.Monitoring;

/// <summary>Combines a probe result with the dependency's breaker state.</summary>
internal static class HealthEvaluator
{
    /// <summary>
    /// Returns the dependency status and its output: the worse of the probe status and the status configured for the
    /// breaker state. An isolated breaker is unhealthy, or degraded during an expected outage; a closed or disabled
    /// breaker, or none, adds nothing.
    /// </summary>
    public static (HealthStatus Status, string? Output) Evaluate(
        ProbeResult probe,
        BreakerView? breaker,
        DependencyHealthOptions options)
    {
        var (breakerStatus, breakerOutput) = breaker?.State switch
        {
            BreakerState.Open => (options.OpenBreakerStatus, ProbeOutputs.BreakerOpen),
            BreakerState.HalfOpen => (options.HalfOpenBreakerStatus, ProbeOutputs.BreakerHalfOpen),
            BreakerState.Isolated when breaker.ExpectedOutage => (HealthStatus.Degraded, ProbeOutputs.BreakerIsolated),
            BreakerState.Isolated => (HealthStatus.Unhealthy, ProbeOutputs.BreakerIsolated),
            _ => (HealthStatus.Healthy, (string?)null),
        };

        var status = HealthStatusText.Worst(probe.Status, breakerStatus);
        if (status == HealthStatus.Healthy)
        {
            return (status, null);
        }

        var probeOutput = probe.Status == HealthStatus.Healthy ? null : probe.Output;
        var output = (breakerOutput, probeOutput) switch
        {
            (null, null) => status == HealthStatus.Degraded ? "The dependency is degraded." : "The dependency is unhealthy.",
            (null, _) => probeOutput,
            (_, null) => breakerOutput,
            _ => $"{breakerOutput} {probeOutput}",
        };
        return (status, output);
    }
}
