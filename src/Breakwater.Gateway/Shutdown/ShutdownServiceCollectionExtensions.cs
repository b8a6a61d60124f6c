using Breakwater.Domain.Brokers;
using Breakwater.Domain.Lifecycle;
using Breakwater.Domain.Orders;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Breakwater.Gateway.Shutdown;

public static class ShutdownServiceCollectionExtensions
{
    /// <summary>
    /// Registers the shutdown sequence (<see cref="ShutdownCoordinator"/>), the start-up reconciliation
    /// (<see cref="StartupRecovery"/>) and their options, and sets <c>HostOptions.ShutdownTimeout</c> to
    /// <see cref="ShutdownOptions.EffectiveHostTimeout"/>.
    /// </summary>
    public static IServiceCollection AddGatewayShutdown(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ShutdownOptions>()
            .Bind(configuration.GetSection(ShutdownOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ShutdownOptions>, ShutdownOptionsValidator>());
        services.AddOptions<StartupRecoveryOptions>()
            .Bind(configuration.GetSection(StartupRecoveryOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<StartupRecoveryOptions>, StartupRecoveryOptionsValidator>());

        // Reads the bound section directly: resolving IOptions<ShutdownOptions> here would validate it while the host
        // is built, before ValidateOnStart can report every invalid option together.
        services.AddOptions<HostOptions>().Configure(host =>
        {
            var shutdown = new ShutdownOptions();
            configuration.GetSection(ShutdownOptions.SectionName).Bind(shutdown);
            host.ShutdownTimeout = shutdown.EffectiveHostTimeout;
        });

        services.TryAddSingleton(provider => new CancelSweep(
            provider.GetRequiredService<OrderManager>(),
            provider.GetRequiredService<IBroker>(),
            provider.GetRequiredService<IOptions<ShutdownOptions>>().Value,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<CancelSweep>>()));
        services.TryAddSingleton<StartupRecovery>();
        services.TryAddSingleton(ShutdownExitCodeSink.Process);
        services.TryAddSingleton(provider => new ShutdownCoordinator(
            provider.GetRequiredService<GatewayLifecycle>(),
            provider.GetRequiredService<OrderManager>(),
            provider.GetRequiredService<CancelSweep>(),
            provider.GetRequiredService<IOptions<ShutdownOptions>>(),
            provider.GetRequiredService<IOptions<HostOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<ShutdownCoordinator>>(),
            provider.GetRequiredService<ShutdownExitCodeSink>()));
        services.AddHostedService(provider => provider.GetRequiredService<ShutdownCoordinator>());
        return services;
    }
}
