using Breakwater.Domain.Dependencies;
using Breakwater.Health.Metrics;
using Breakwater.Resilience.CircuitBreaking;

namespace Breakwater.Gateway.Hosting;

/// <summary>
/// Reads the circuit breakers' state so that the order manager rejects an order before journaling it when the
/// broker's breaker is open or isolated. A half-open breaker counts as available, so that its probes can close it.
/// Each refusal counts as a rejection of that breaker in the metrics, because the breaker kept the call from the
/// dependency as surely as when it rejects a guarded call.
/// </summary>
internal sealed class BreakerAvailability(BreakerRegistry breakers, BreakwaterMetrics? metrics = null)
    : IDependencyAvailability
{
    public bool IsAvailable(string dependency, out TimeSpan? retryAfter)
    {
        retryAfter = null;
        if (!breakers.TryGet(dependency, out var breaker))
        {
            return true;
        }

        var state = breaker.State;
        if (state is not (BreakerState.Open or BreakerState.Isolated))
        {
            return true;
        }

        retryAfter = breaker.GetSnapshot().RetryAfter;
        metrics?.RecordBreakerRejection(breaker.Name);
        return false;
    }
}
