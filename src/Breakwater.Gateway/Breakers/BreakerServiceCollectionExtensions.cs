using Breakwater.Health.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Breakwater.Gateway.Breakers;

public static class BreakerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the connection of breakers and order outcomes to metrics and health probes. Call it after the
    /// breakers, health and the gateway core are registered.
    /// </summary>
    public static IServiceCollection AddGatewayBreakerTelemetry(this IServiceCollection services)
    {
        services.TryAddSingleton(
            provider => new OrderOutcomeRecorder(provider.GetRequiredService<BreakwaterMetrics>()));
        services.AddHostedService<BreakerTelemetry>();
        return services;
    }
}
