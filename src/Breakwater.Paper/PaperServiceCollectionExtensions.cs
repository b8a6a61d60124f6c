using Breakwater.Domain.Brokers;
using Breakwater.Domain.MarketData;
using Breakwater.Paper.Broker;
using Breakwater.Paper.Faults;
using Breakwater.Paper.MarketData;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Breakwater.Paper;

/// <summary>Registers the embedded paper broker.</summary>
public static class PaperServiceCollectionExtensions
{
    /// <summary>The configuration key of the data directory that holds <c>paper-broker.db</c>.</summary>
    public const string DataDirectoryKey = "Breakwater:DataDirectory";

    /// <summary>The data directory used when <see cref="DataDirectoryKey"/> is not set.</summary>
    public const string DefaultDataDirectory = "./data";

    /// <summary>The file name of the paper broker's book inside the data directory.</summary>
    public const string DatabaseFileName = "paper-broker.db";

    /// <summary>
    /// Registers <see cref="PaperBroker"/> as <see cref="IBroker"/>, <see cref="SimulatedMarketData"/> as
    /// <see cref="IMarketDataFeed"/>, the <see cref="PaperFaultInjector"/>, <see cref="PaperBrokerOptions"/> bound
    /// from <c>Breakwater:Paper</c> and validated at start, and a hosted service that loads the book and runs the
    /// broker's loop. The host must register an <see cref="IBrokerUpdateSink"/>; <see cref="TimeProvider.System"/>
    /// is added unless a TimeProvider is registered already.
    /// </summary>
    public static IServiceCollection AddPaperBroker(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<PaperBrokerOptions>()
            .Bind(configuration.GetSection(PaperBrokerOptions.SectionName))
            .PostConfigure(options =>
            {
                if (string.IsNullOrWhiteSpace(options.DatabasePath))
                {
                    var dataDirectory = configuration[DataDirectoryKey];
                    options.DatabasePath = Path.Combine(
                        string.IsNullOrWhiteSpace(dataDirectory) ? DefaultDataDirectory : dataDirectory,
                        DatabaseFileName);
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<PaperBrokerOptions>, PaperBrokerOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PaperFaultInjector>();
        services.TryAddSingleton<SimulatedMarketData>();
        services.TryAddSingleton<PaperBroker>();
        services.AddSingleton<IBroker>(provider => provider.GetRequiredService<PaperBroker>());
        services.AddSingleton<IMarketDataFeed>(provider => provider.GetRequiredService<SimulatedMarketData>());
        services.AddHostedService<PaperBrokerHostedService>();
        return services;
    }
}
