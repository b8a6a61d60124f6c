using Breakwater.Domain.Dependencies;
using Breakwater.Health.Breakers;
using Breakwater.Ibkr.Supervision;
using Breakwater.Resilience.CircuitBreaking;

namespace Breakwater.Gateway.Hosting.Ibkr;

/// <summary>
/// Shows the breakers like <see cref="RegistryBreakerStateSource"/>, and marks the broker and market data breakers
/// that <see cref="IbkrBreakerCoordinator"/> isolated as an expected outage while the supervisor is inside IB Gateway's
/// daily restart window, so that health reports them as degraded. Once the window has passed the mark goes away and a
/// gateway that is still away is unhealthy.
/// </summary>
internal sealed class IbkrBreakerStateSource(BreakerRegistry breakers, IbkrConnectionSupervisor supervisor)
    : IBreakerStateSource
{
    private readonly RegistryBreakerStateSource _inner = new(breakers);

    public BreakerView? GetBreaker(string dependency)
    {
        var view = _inner.GetBreaker(dependency);
        if (view is not { State: Health.Breakers.BreakerState.Isolated }
            || dependency is not (DependencyNames.Broker or DependencyNames.MarketData)
            || !breakers.TryGet(dependency, out var breaker)
            || !IbkrBreakerCoordinator.IsIsolatedByCoordinator(breaker.GetSnapshot()))
        {
            return view;
        }

        return supervisor.GetBrokerHealth() == IbkrHealth.Degraded ? view with { ExpectedOutage = true } : view;
    }
}
