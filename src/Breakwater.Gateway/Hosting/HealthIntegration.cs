using Breakwater.Domain.Orders;
using Breakwater.Health;
using Breakwater.Health.Breakers;
using Breakwater.Resilience.CircuitBreaking;
using HealthBreakerState = Breakwater.Health.Breakers.BreakerState;
using ResilienceBreakerState = Breakwater.Resilience.CircuitBreaking.BreakerState;

namespace Breakwater.Gateway.Hosting;

/// <summary>Shows the circuit breakers of <see cref="BreakerRegistry"/> in readiness and status.</summary>
internal sealed class RegistryBreakerStateSource(BreakerRegistry breakers) : IBreakerStateSource
{
    public BreakerView? GetBreaker(string dependency)
    {
        if (!breakers.TryGet(dependency, out var breaker))
        {
            return null;
        }

        var snapshot = breaker.GetSnapshot();
        var state = snapshot.State switch
        {
            ResilienceBreakerState.Closed => HealthBreakerState.Closed,
            ResilienceBreakerState.Open => HealthBreakerState.Open,
            ResilienceBreakerState.HalfOpen => HealthBreakerState.HalfOpen,
            ResilienceBreakerState.Isolated => HealthBreakerState.Isolated,
            _ => HealthBreakerState.Disabled,
        };
        return new BreakerView(
            state,
            snapshot.RetryAfter,
            snapshot.LastTransitionDetail ?? snapshot.LastTransitionReason?.ToString(),
            snapshot.OpenedAt);
    }
}

/// <summary>Counts the order manager's open orders for the status endpoint.</summary>
internal sealed class OrderManagerOpenOrderCounter(OrderManager orders) : IOpenOrderCounter
{
    public int CountOpenOrders() => orders.OpenOrderCount;
}
