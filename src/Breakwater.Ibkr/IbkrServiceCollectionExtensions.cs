using Breakwater.Domain.Brokers;
using Breakwater.Domain.MarketData;
using Breakwater.Ibkr.Client;
using Breakwater.Ibkr.Supervision;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Breakwater.Ibkr;

public static class IbkrServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Interactive Brokers adapter as <see cref="IBroker"/> and <see cref="IMarketDataFeed"/>, its
    /// options from <c>Breakwater:Ibkr</c> (validated at start), the connection supervisor and a hosted service that
    /// runs it. The adapter takes <see cref="IBrokerUpdateSink"/> from the container, which the host must register.
    /// </summary>
    public static IServiceCollection AddIbkrBroker(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<IbkrOptions>().Bind(configuration.GetSection(IbkrOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IbkrOptions>, IbkrOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IbOrderIdAllocator>();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<IbkrOptions>>().Value;
            return new IbPacer(sp.GetRequiredService<TimeProvider>(), new IbPacerOptions
            {
                MessagesPerSecond = options.MessagesPerSecond,
                SlowdownFactor = options.PacingSlowdownFactor,
                SlowdownDuration = options.PacingSlowdownDuration,
            });
        });
        services.TryAddSingleton(sp => new IbkrConnectionSupervisor(
            sp.GetRequiredService<IOptions<IbkrOptions>>(),
            sp.GetRequiredService<IbPacer>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<IbkrConnectionSupervisor>>()));
        services.TryAddSingleton<IbkrBroker>();
        services.AddSingleton<IBroker>(sp => sp.GetRequiredService<IbkrBroker>());
        services.AddSingleton<IMarketDataFeed>(sp => sp.GetRequiredService<IbkrBroker>());
        services.AddHostedService<IbkrHostedService>();
        return services;
    }
}

/// <summary>Creates the adapter (so it listens before the first session) and runs the supervisor with the host.</summary>
internal sealed class IbkrHostedService(IbkrBroker broker, IbkrConnectionSupervisor supervisor) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = broker;
        return supervisor.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => supervisor.StopAsync(cancellationToken);
}
