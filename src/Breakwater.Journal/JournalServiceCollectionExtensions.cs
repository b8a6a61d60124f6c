using Breakwater.Domain.Journal;
using Breakwater.Journal.Postgres;
using Breakwater.Journal.Spill;
using Breakwater.Journal.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Breakwater.Journal;

/// <summary>Registers the order journal and the spill queue.</summary>
public static class JournalServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="JournalOptions"/> (bound from <c>Breakwater:Journal</c> and
    /// <c>Breakwater:DataDirectory</c>, validated at start), the <see cref="IOrderJournal"/> of the configured
    /// provider as a singleton, the single <see cref="NpgsqlDataSource"/> when the provider is PostgreSQL, and the
    /// <see cref="DurableSpillQueue"/>. Applying the migrations is left to the host:
    /// call <see cref="IOrderJournal.MigrateAsync"/> before serving.
    /// </summary>
    public static IServiceCollection AddBreakwaterJournal(
        this IServiceCollection services,
        IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<JournalOptions>()
            .Bind(configuration.GetSection(JournalOptions.SectionName))
            .Configure(options =>
            {
                var dataDirectory = configuration[JournalOptions.DataDirectoryKey];
                if (!string.IsNullOrWhiteSpace(dataDirectory))
                {
                    options.DataDirectory = dataDirectory;
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JournalOptions>, JournalOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton(provider => PostgresOrderJournal.CreateDataSource(
            provider.GetRequiredService<IOptions<JournalOptions>>().Value,
            provider.GetService<ILoggerFactory>()));
        services.TryAddSingleton<IOrderJournal>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<JournalOptions>>();
            return options.Value.Provider switch
            {
                JournalProvider.Postgres => new PostgresOrderJournal(
                    provider.GetRequiredService<NpgsqlDataSource>(),
                    options,
                    provider.GetRequiredService<TimeProvider>(),
                    provider.GetRequiredService<ILogger<PostgresOrderJournal>>()),
                _ => new SqliteOrderJournal(
                    options,
                    provider.GetRequiredService<TimeProvider>(),
                    provider.GetRequiredService<ILogger<SqliteOrderJournal>>()),
            };
        });
        services.TryAddSingleton(provider => new DurableSpillQueue(
            DurableSpillQueue.GetDefaultPath(provider.GetRequiredService<IOptions<JournalOptions>>().Value),
            provider.GetRequiredService<ILogger<DurableSpillQueue>>()));
        return services;
    }
}
