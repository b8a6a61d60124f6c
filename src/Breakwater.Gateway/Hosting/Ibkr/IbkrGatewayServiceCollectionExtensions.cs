using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.MarketData;
using Breakwater.Health.Breakers;
using Breakwater.Health.Options;
using Breakwater.Health.Probes;
using Breakwater.Ibkr;
using Breakwater.Ibkr.Supervision;
using Breakwater.Resilience.CircuitBreaking;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Breakwater.Gateway.Hosting.Ibkr;

/// <summary>Wires the Interactive Brokers adapter into the gateway: breakers, health and the order id floor.</summary>
public static class IbkrGatewayServiceCollectionExtensions
{
    /// <summary>
    /// Registers the IBKR adapter (<see cref="IbkrServiceCollectionExtensions.AddIbkrBroker"/>), the journal as its
    /// order id floor, the coordinator that isolates the <c>broker</c> and <c>marketData</c> breakers while IB
    /// Gateway is unreachable, and supervisor-aware broker and market data probes. Call it after
    /// <c>AddGatewayHealth</c> so that these probes replace the default ones.
    /// </summary>
    public static IServiceCollection AddGatewayIbkr(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton<IIbkrOrderIdFloorSource, JournalOrderIdFloorSource>();
        services.AddIbkrBroker(configuration);
        services.AddHostedService<IbkrBreakerCoordinator>();
        services.RemoveAll<IBreakerStateSource>();
        services.AddSingleton<IBreakerStateSource>(provider => new IbkrBreakerStateSource(
            provider.GetRequiredService<BreakerRegistry>(), provider.GetRequiredService<IbkrConnectionSupervisor>()));
        services.AddDependencyProbe(
            DependencyNames.Broker,
            "heartbeat",
            "component",
            provider => new IbkrBrokerProbe(
                provider.GetRequiredService<IbkrConnectionSupervisor>(),
                provider.GetRequiredService<IBroker>(),
                provider.GetRequiredService<TimeProvider>()));
        services.AddDependencyProbe(
            DependencyNames.MarketData,
            "quoteAge",
            "component",
            provider => new IbkrMarketDataProbe(
                provider.GetRequiredService<IbkrConnectionSupervisor>(),
                new MarketDataProbe(
                    provider.GetRequiredService<IMarketDataFeed>(),
                    provider.GetRequiredService<TimeProvider>(),
                    provider.GetRequiredService<IOptions<HealthOptions>>())));
        return services;
    }
}
