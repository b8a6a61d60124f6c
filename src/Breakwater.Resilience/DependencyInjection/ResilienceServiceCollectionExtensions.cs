using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Journal;
using Breakwater.Domain.MarketData;
using Breakwater.Resilience.CircuitBreaking;
using Breakwater.Resilience.Guards;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Breakwater.Resilience.DependencyInjection;

/// <summary>Registers Breakwater's circuit breakers and the guarded dependency decorators.</summary>
public static class ResilienceServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="BreakerRegistry"/> as a singleton with one breaker per name in
    /// <see cref="DependencyNames.All"/>. Each breaker binds <c>Breakwater:Breakers:&lt;name&gt;</c> and each guard
    /// binds <c>Breakwater:Guards:&lt;name&gt;</c>; both are validated when the host starts. Registers
    /// <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is already registered.
    /// </summary>
    /// <remarks>
    /// Per-dependency defaults before configuration applies: CallTimeout is 5 s for the broker, 2 s for the database
    /// and 2 s for market data. Replace the failure predicate of one breaker with
    /// <c>services.Configure&lt;BreakerOptions&gt;(name, o =&gt; o.ShouldCountException = ...)</c>.
    /// </remarks>
    public static IServiceCollection AddBreakwaterBreakers(
        this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<BreakerOptions>, BreakerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GuardOptions>, GuardOptionsValidator>());

        foreach (var name in DependencyNames.All)
        {
            services.AddOptions<BreakerOptions>(name)
                .Configure(options => options.CallTimeout = DefaultCallTimeout(name))
                .Bind(configuration.GetSection(BreakerOptions.SectionName + ":" + name))
                .ValidateOnStart();
            services.AddOptions<GuardOptions>(name)
                .Bind(configuration.GetSection(GuardOptions.SectionName + ":" + name))
                .ValidateOnStart();
        }

        services.TryAddSingleton(provider => new BreakerRegistry(
            DependencyNames.All,
            provider.GetRequiredService<IOptionsMonitor<BreakerOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetService<ILoggerFactory>()));
        return services;
    }

    /// <summary>
    /// Wraps every registered <see cref="IBroker"/>, <see cref="IOrderJournal"/> and <see cref="IMarketDataFeed"/>
    /// in <see cref="GuardedBroker"/>, <see cref="GuardedOrderJournal"/> and <see cref="GuardedMarketDataFeed"/>.
    /// Call it after those services and <see cref="AddBreakwaterBreakers"/> are registered; a service type that is not
    /// registered yet is left alone. The decorator keeps the lifetime of the registration it wraps, and it disposes an
    /// inner service that its registration created (by type or factory) when the container disposes it; an instance
    /// registered as such stays its registrant's to dispose.
    /// </summary>
    public static IServiceCollection AddBreakwaterGuards(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        Decorate<IBroker>(
            services,
            DependencyNames.Broker,
            static (inner, breaker, options, time, provider, owns) => new GuardedBroker(
                inner, breaker, options, time, provider.GetService<ILogger<GuardedBroker>>(), owns));
        Decorate<IOrderJournal>(
            services,
            DependencyNames.Database,
            static (inner, breaker, options, time, provider, owns) => new GuardedOrderJournal(
                inner, breaker, options, time, provider.GetService<ILogger<GuardedOrderJournal>>(), owns));
        Decorate<IMarketDataFeed>(
            services,
            DependencyNames.MarketData,
            static (inner, breaker, options, time, provider, owns) => new GuardedMarketDataFeed(
                inner, breaker, options, time, provider.GetService<ILogger<GuardedMarketDataFeed>>(), owns));
        return services;
    }

    private static TimeSpan DefaultCallTimeout(string name) => name switch
    {
        DependencyNames.Broker => TimeSpan.FromSeconds(5),
        _ => TimeSpan.FromSeconds(2),
    };

    private static void Decorate<TService>(
        IServiceCollection services,
        string dependency,
        Func<TService, CircuitBreaker, GuardOptions, TimeProvider, IServiceProvider, bool, TService> wrap)
        where TService : class
    {
        for (int i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType != typeof(TService) || descriptor.IsKeyedService)
            {
                continue;
            }

            services[i] = ServiceDescriptor.Describe(
                typeof(TService),
                provider => wrap(
                    (TService)CreateInner(provider, descriptor),
                    provider.GetRequiredService<BreakerRegistry>().Get(dependency),
                    provider.GetRequiredService<IOptionsMonitor<GuardOptions>>().Get(dependency),
                    provider.GetRequiredService<TimeProvider>(),
                    provider,
                    descriptor.ImplementationInstance is null),
                descriptor.Lifetime);
        }
    }

    private static object CreateInner(IServiceProvider provider, ServiceDescriptor descriptor)
    {
        if (descriptor.ImplementationInstance is { } instance)
        {
            return instance;
        }

        if (descriptor.ImplementationFactory is { } factory)
        {
            return factory(provider);
        }

        // The container does not track an inner service built here or by a factory; the guard owns and disposes it.
        return ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!);
    }
}
