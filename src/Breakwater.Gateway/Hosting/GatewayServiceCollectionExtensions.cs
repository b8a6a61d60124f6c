using Breakwater.Domain.Brokers;
using Breakwater.Gateway.Breakers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Journal;
using Breakwater.Domain.Lifecycle;
using Breakwater.Domain.Orders;
using Breakwater.Health;
using Breakwater.Health.Breakers;
using Breakwater.Resilience.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Breakwater.Gateway.Hosting;

public static class GatewayServiceCollectionExtensions
{
    /// <summary>The listen address when neither <c>--urls</c>, <c>ASPNETCORE_URLS</c> nor Kestrel endpoints are set.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>
    /// Listens on <see cref="DefaultUrl"/> (loopback only) unless the standard settings choose an address.
    /// </summary>
    public static WebApplicationBuilder UseBreakwaterDefaultUrls(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var chosen = !string.IsNullOrWhiteSpace(configuration["urls"])
            || !string.IsNullOrWhiteSpace(configuration["http_ports"])
            || !string.IsNullOrWhiteSpace(configuration["https_ports"])
            || configuration.GetSection("Kestrel:Endpoints").Exists();
        if (!chosen)
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        return builder;
    }

    /// <summary>
    /// Registers the gateway core: <see cref="GatewayOptions"/>, <see cref="GatewayLifecycle"/>, the
    /// <see cref="OrderManager"/> (also as the <see cref="IBrokerUpdateSink"/> the broker adapters receive), the
    /// startup service that migrates the journal, loads open orders, reconciles and marks the gateway running, and the
    /// background reconciler. The journal (<see cref="IOrderJournal"/>) and broker (<see cref="IBroker"/>) adapters
    /// are registered separately; an <see cref="IDependencyAvailability"/>, when registered, lets submits fail fast.
    /// </summary>
    public static IServiceCollection AddBreakwaterGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GatewayOptions>()
            .Bind(configuration.GetSection(GatewayOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>());
        services.AddOptions<OrderManagerOptions>()
            .Bind(configuration.GetSection(OrderManagerOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<OrderManagerOptions>, OrderManagerOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GatewayLifecycle>();
        services.TryAddSingleton(provider => new OrderManager(
            provider.GetRequiredService<IOrderJournal>(),
            provider.GetRequiredService<IBroker>(),
            provider.GetRequiredService<GatewayLifecycle>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<OrderManager>>(),
            provider.GetRequiredService<IOptions<OrderManagerOptions>>().Value,
            provider.GetService<IDependencyAvailability>()));

        // The broker adapters take the sink in their constructor while the order manager takes the broker, so the sink
        // is a relay that resolves the manager on the first update, after both exist.
        services.TryAddSingleton<IBrokerUpdateSink, OrderUpdateRelay>();
        services.AddHostedService<LifecycleStoppingService>();
        services.AddHostedService<GatewayStartupService>();
        services.AddHostedService<OrderReconcilerService>();
        return services;
    }

    /// <summary>
    /// Registers the circuit breakers and lets the order manager read the broker breaker's state through
    /// <see cref="IDependencyAvailability"/>. Call <c>AddBreakwaterGuards()</c> after the adapters are registered.
    /// </summary>
    public static IServiceCollection AddGatewayBreakers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddBreakwaterBreakers(configuration);
        services.TryAddSingleton<IDependencyAvailability, BreakerAvailability>();
        return services;
    }

    /// <summary>
    /// Registers the health monitor, readiness, status and metrics, fed by the circuit breakers and the order
    /// manager's open order count, and connects breaker transitions, rejections and order outcomes to them.
    /// </summary>
    public static IServiceCollection AddGatewayHealth(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<IBreakerStateSource, RegistryBreakerStateSource>();
        services.TryAddSingleton<IOpenOrderCounter, OrderManagerOpenOrderCounter>();
        services.AddBreakwaterHealth(configuration);
        services.AddGatewayBreakerTelemetry();
        return services;
    }
}

internal sealed class OrderManagerOptionsValidator : IValidateOptions<OrderManagerOptions>
{
    public ValidateOptionsResult Validate(string? name, OrderManagerOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Forwards broker updates to the <see cref="OrderManager"/>, resolving it on first use.</summary>
internal sealed class OrderUpdateRelay(IServiceProvider services) : IBrokerUpdateSink
{
    private OrderManager? _orders;

    public ValueTask OnOrderUpdateAsync(BrokerOrderUpdate update, CancellationToken cancellationToken)
    {
        _orders ??= services.GetRequiredService<OrderManager>();
        return _orders.OnOrderUpdateAsync(update, cancellationToken);
    }
}
