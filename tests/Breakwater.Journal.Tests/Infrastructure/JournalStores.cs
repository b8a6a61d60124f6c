using Breakwater.Domain.Journal;
using Breakwater.Journal.Postgres;
using Breakwater.Journal.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Breakwater.Journal.Tests.Infrastructure;

/// <summary>One empty journal store (a SQLite directory or a PostgreSQL database) that tests open journals on.</summary>
public interface IJournalTestStore : IAsyncDisposable
{
    /// <summary>Opens another journal on the store, without migrating it; the store disposes it.</summary>
    IOrderJournal OpenJournal();

    Task<long> CountRowsAsync(string table);
}

public sealed class SqliteTestStore : IJournalTestStore
{
    private readonly List<SqliteOrderJournal> _journals = [];

    public string Directory { get; } =
        Path.Combine(Path.GetTempPath(), "breakwater-journal-tests", Guid.NewGuid().ToString("N"));

    public JournalOptions Options => new() { DataDirectory = Directory };

    public IOrderJournal OpenJournal()
    {
        var journal = new SqliteOrderJournal(
            Microsoft.Extensions.Options.Options.Create(Options),
            TimeProvider.System,
            NullLogger<SqliteOrderJournal>.Instance);
        _journals.Add(journal);
        return journal;
    }

    public async Task<long> CountRowsAsync(string table)
    {
        await using var connection = new SqliteConnection(
            $"Data Source={Path.Combine(Directory, SqliteOrderJournal.FileName)};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table}";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var journal in _journals)
        {
            await journal.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}

public sealed class PostgresTestStore : IJournalTestStore
{
    private readonly List<(PostgresOrderJournal Journal, NpgsqlDataSource DataSource)> _journals = [];

    private PostgresTestStore(string connectionString)
    {
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<PostgresTestStore> CreateAsync() =>
        new(await PostgresTestServer.CreateDatabaseAsync());

    public IOrderJournal OpenJournal()
    {
        var options = new JournalOptions { Provider = JournalProvider.Postgres, ConnectionString = ConnectionString };
        var dataSource = PostgresOrderJournal.CreateDataSource(options, loggerFactory: null);
        var journal = new PostgresOrderJournal(
            dataSource, Options.Create(options), TimeProvider.System, NullLogger<PostgresOrderJournal>.Instance);
        _journals.Add((journal, dataSource));
        return journal;
    }

    public async Task<long> CountRowsAsync(string table)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (journal, dataSource) in _journals)
        {
            await journal.DisposeAsync();
            await dataSource.DisposeAsync();
        }

        await PostgresTestServer.DropDatabaseAsync(ConnectionString);
    }
}
