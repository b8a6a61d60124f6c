using Breakwater.Health.Probes;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using BreakwaterHealthStatus = Breakwater.Health.HealthStatus;

namespace Breakwater.HealthBench;

/// <summary>
/// A stock ASP.NET Core health check that calls a Breakwater probe on every run. A probe that returns unhealthy or
/// throws reports the registration's failure status, as the stock service does for a check that throws.
/// </summary>
internal sealed class ProbeHealthCheck(IDependencyProbe probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = await probe.ProbeAsync(cancellationToken);
        return result.Status switch
        {
            BreakwaterHealthStatus.Healthy => HealthCheckResult.Healthy(),
            BreakwaterHealthStatus.Degraded => HealthCheckResult.Degraded(result.Output),
            _ => new HealthCheckResult(context.Registration.FailureStatus, result.Output),
        };
    }
}
