using Breakwater.Domain.Journal;
using Breakwater.Journal.Postgres;
using Breakwater.Journal.Spill;
using Breakwater.Journal.Sqlite;
using Breakwater.Journal.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Breakwater.Journal.Tests;

public sealed class JournalServiceCollectionExtensionsTests : IDisposable
{
    private readonly string _directory =
        Path.Combine(Path.GetTempPath(), "breakwater-journal-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task AddBreakwaterJournal_NoProvider_RegistersSqliteInDataDirectory()
    {
        await using var services = Build(new() { ["Breakwater:DataDirectory"] = _directory });

        var journal = services.GetRequiredService<IOrderJournal>();
        await journal.MigrateAsync(CancellationToken.None);

        var sqlite = Assert.IsType<SqliteOrderJournal>(journal);
        Assert.Equal(Path.Combine(_directory, "journal.db"), sqlite.FilePath);
        Assert.Same(journal, services.GetRequiredService<IOrderJournal>());
        Assert.Equal(
            Path.Combine(_directory, "spill", "journal-spill.log"),
            services.GetRequiredService<DurableSpillQueue>().FilePath);
    }

    [Fact]
    public async Task AddBreakwaterJournal_SettingsInConfiguration_BindsOptions()
    {
        await using var services = Build(new()
        {
            ["Breakwater:DataDirectory"] = _directory,
            ["Breakwater:Journal:MaxPoolSize"] = "7",
            ["Breakwater:Journal:CommandTimeout"] = "00:00:05",
            ["Breakwater:Journal:MaxBatchSize"] = "64",
        });

        var options = services.GetRequiredService<IOptions<JournalOptions>>().Value;

        Assert.Equal(JournalProvider.Sqlite, options.Provider);
        Assert.Equal(_directory, options.DataDirectory);
        Assert.Equal(7, options.MaxPoolSize);
        Assert.Equal(TimeSpan.FromSeconds(5), options.CommandTimeout);
        Assert.Equal(64, options.MaxBatchSize);
    }

    [Fact]
    public async Task AddBreakwaterJournal_PostgresWithoutConnectionString_FailsStartValidation()
    {
        await using var services = Build(new() { ["Breakwater:Journal:Provider"] = "Postgres" });

        var error = Assert.Throws<OptionsValidationException>(
            () => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Breakwater:Journal:ConnectionString is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddBreakwaterJournal_OutOfRangeSettings_ListsEveryFailure()
    {
        await using var services = Build(new()
        {
            ["Breakwater:Journal:MaxPoolSize"] = "0",
            ["Breakwater:Journal:CommandTimeout"] = "00:00:00",
            ["Breakwater:Journal:MaxBatchSize"] = "0",
        });

        var error = Assert.Throws<OptionsValidationException>(
            () => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(3, error.Failures.Count());
        Assert.Contains("Breakwater:Journal:MaxPoolSize must be between 1 and 1000; it is 0.", error.Failures);
    }

    [Fact]
    public async Task AddBreakwaterJournal_Postgres_RegistersOneDataSourceWithPoolSize()
    {
        await using var services = Build(new()
        {
            ["Breakwater:Journal:Provider"] = "Postgres",
            ["Breakwater:Journal:ConnectionString"] = "Host=127.0.0.1;Port=1;Username=u;Password=secret;Database=d",
            ["Breakwater:Journal:MaxPoolSize"] = "9",
        });

        var journal = services.GetRequiredService<IOrderJournal>();
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();

        Assert.IsType<PostgresOrderJournal>(journal);
        Assert.Same(dataSource, services.GetRequiredService<NpgsqlDataSource>());
        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Equal(9, settings.MaxPoolSize);
        Assert.True(settings.Pooling);
    }

    [Fact]
    public async Task PostgresJournal_Opened_LogsTargetWithoutPassword()
    {
        var logs = new ListLoggerProvider();
        await using var services = Build(
            new()
            {
                ["Breakwater:Journal:Provider"] = "Postgres",
                ["Breakwater:Journal:ConnectionString"] =
                    "Host=127.0.0.1;Port=5999;Username=u;Password=hunter2-secret;Database=orders",
            },
            logs);

        services.GetRequiredService<IOrderJournal>();

        var opened = Assert.Single(logs.Messages, m => m.Contains("PostgreSQL at", StringComparison.Ordinal));
        Assert.Contains("127.0.0.1:5999, database orders", opened, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Messages, m => m.Contains("hunter2", StringComparison.Ordinal));
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings, ListLoggerProvider? logs = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(logs is null ? NullLoggerFactory.Instance : logs);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddBreakwaterJournal(configuration);
        return services.BuildServiceProvider();
    }
}
