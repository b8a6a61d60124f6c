using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Journal;
using Breakwater.Domain.Lifecycle;
using Breakwater.Domain.MarketData;
using Breakwater.Health;
using Breakwater.Health.Breakers;
using Breakwater.Health.Endpoints;
using Breakwater.Health.Metrics;
using Breakwater.Health.Monitoring;
using Breakwater.Health.Options;
using Breakwater.Health.Probes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Breakwater's health monitor, endpoints and metrics.</summary>
public static class HealthServiceCollectionExtensions
{
    /// <summary>
    /// Adds the dependency monitor, its options (section <c>Breakwater:Health</c>, validated at start), the probes of the
    /// broker, the database and market data, <see cref="BreakwaterMetrics"/> and the OpenTelemetry Prometheus exporter.
    /// </summary>
    /// <remarks>
    /// Registers defaults only where the host has none: <see cref="TimeProvider.System"/>, a
    /// <see cref="GatewayLifecycle"/> and an <see cref="IBreakerStateSource"/> without breakers. The probes resolve
    /// <see cref="IBroker"/>, <see cref="IOrderJournal"/> and <see cref="IMarketDataFeed"/> when the monitor first
    /// runs them; a missing service is reported as a failed check. Register an <see cref="IOpenOrderCounter"/> to show
    /// the open order count on the status endpoint.
    /// </remarks>
    public static IServiceCollection AddBreakwaterHealth(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<HealthOptions>()
            .Bind(configuration.GetSection(HealthOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GatewayLifecycle>();
        services.TryAddSingleton<IBreakerStateSource, NoBreakerStateSource>();

        services.AddDependencyProbe(
            DependencyNames.Broker,
            "heartbeat",
            "component",
            provider => new BrokerProbe(
                provider.GetRequiredService<IBroker>(), provider.GetRequiredService<TimeProvider>()));
        services.AddDependencyProbe(
            DependencyNames.Database,
            "responseTime",
            "datastore",
            provider => new DatabaseProbe(
                provider.GetRequiredService<IOrderJournal>(), provider.GetRequiredService<TimeProvider>()));
        services.AddDependencyProbe(
            DependencyNames.MarketData,
            "quoteAge",
            "component",
            provider => new MarketDataProbe(
                provider.GetRequiredService<IMarketDataFeed>(),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<IOptions<HealthOptions>>()));

        services.TryAddSingleton<HealthSnapshotStore>();
        services.TryAddSingleton<BreakwaterMetrics>();
        services.TryAddSingleton<DependencyMonitor>();
        services.TryAddSingleton<HealthEndpoints>();
        services.AddHostedService(provider => provider.GetRequiredService<DependencyMonitor>());

        services.AddMetrics();
        services.AddAuthorization();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(BreakwaterMetrics.MeterName)
            .AddPrometheusExporter());
        return services;
    }

    /// <summary>
    /// Adds the probe of <paramref name="dependency"/>. A later registration for the same dependency replaces the
    /// earlier one, so a host can swap a default probe after <see cref="AddBreakwaterHealth"/>.
    /// </summary>
    /// <param name="measurement">The part after the colon in the readiness check key, for example <c>heartbeat</c>.</param>
    /// <param name="componentType">The draft's <c>componentType</c>: <c>component</c>, <c>datastore</c> or <c>system</c>.</param>
    public static IServiceCollection AddDependencyProbe(
        this IServiceCollection services,
        string dependency,
        string measurement,
        string componentType,
        Func<IServiceProvider, IDependencyProbe> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(dependency);
        ArgumentException.ThrowIfNullOrWhiteSpace(measurement);
        ArgumentException.ThrowIfNullOrWhiteSpace(componentType);
        ArgumentNullException.ThrowIfNull(factory);
        services.AddSingleton(new DependencyProbeRegistration(dependency, measurement, componentType, factory));
        return services;
    }
}
