using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Journal;
using Breakwater.Journal;
using Breakwater.Journal.Spill;
using Breakwater.Resilience.CircuitBreaking;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Breakwater.Gateway.Hosting;

/// <summary>Registers what keeps the gateway working through a journal database outage.</summary>
public static class JournalOutageServiceCollectionExtensions
{
    /// <summary>
    /// Makes the <c>database</c> breaker count only what <see cref="JournalFailures.IsTransient"/> classifies as the
    /// store being unavailable (so a constraint violation or an SQL error does not open it), wraps the registered
    /// <see cref="IOrderJournal"/> in a <see cref="SpillingOrderJournal"/> and starts the
    /// <see cref="SpillReplayService"/>. Call it after <c>AddBreakwaterGuards()</c>, so that the spill wraps the
    /// guarded journal. Without a registered journal only the breaker predicate is set.
    /// </summary>
    public static IServiceCollection AddGatewayJournalOutageHandling(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.Configure<BreakerOptions>(
            DependencyNames.Database, options => options.ShouldCountException = JournalFailures.IsTransient);
        var index = -1;
        for (var i = services.Count - 1; i >= 0 && index < 0; i--)
        {
            if (services[i].ServiceType == typeof(IOrderJournal) && !services[i].IsKeyedService)
            {
                index = i;
            }
        }

        if (index < 0)
        {
            return services;
        }

        var inner = services[index];
        services[index] = ServiceDescriptor.Singleton<IOrderJournal>(
            provider => provider.GetRequiredService<SpillingOrderJournal>());
        services.TryAddSingleton(provider => new SpillingOrderJournal(
            (IOrderJournal)CreateInner(provider, inner),
            provider.GetRequiredService<DurableSpillQueue>(),
            provider.GetRequiredService<ILogger<SpillingOrderJournal>>()));
        services.AddHostedService<SpillReplayService>();
        return services;
    }

    private static object CreateInner(IServiceProvider provider, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!);
}
