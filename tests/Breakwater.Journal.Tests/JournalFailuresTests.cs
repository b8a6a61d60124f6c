using System.Net;
using System.Net.Sockets;
using Breakwater.Domain.Dependencies;
using Breakwater.Journal.Postgres;
using Breakwater.Journal.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Breakwater.Journal.Tests;

public sealed class JournalFailuresTests
{
    [Fact]
    public async Task IsTransient_PostgresUnreachable_ReturnsTrue()
    {
        await using var journal = await OpenUnreachablePostgresAsync();

        var ping = await Assert.ThrowsAnyAsync<NpgsqlException>(() => journal.Journal.PingAsync(CancellationToken.None));
        var insert = await Assert.ThrowsAnyAsync<NpgsqlException>(
            () => journal.Journal.InsertOrderAsync(Orders.New(1), CancellationToken.None));

        Assert.True(JournalFailures.IsTransient(ping));
        Assert.True(JournalFailures.IsTransient(insert));
    }

    [Fact]
    public async Task IsTransient_SqliteBusy_ReturnsTrue()
    {
        var directory = Path.Combine(Path.GetTempPath(), "breakwater-journal-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var connectionString = $"Data Source={Path.Combine(directory, "busy.db")};Pooling=False;Default Timeout=1";
        try
        {
            await using var holder = new SqliteConnection(connectionString);
            await holder.OpenAsync();
            await Execute(holder, "CREATE TABLE t (x INTEGER); BEGIN IMMEDIATE; INSERT INTO t VALUES (1);");
            await using var waiter = new SqliteConnection(connectionString);
            await waiter.OpenAsync();

            var busy = await Assert.ThrowsAsync<SqliteException>(() => Execute(waiter, "INSERT INTO t VALUES (2);"));

            Assert.True(JournalFailures.IsTransient(busy));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void IsTransient_SqliteConstraintViolation_ReturnsFalse()
    {
        var unique = new SqliteException("UNIQUE constraint failed: orders.id", 19, 1555);

        Assert.False(JournalFailures.IsTransient(unique));
        Assert.True(JournalFailures.IsUniqueViolation(unique));
    }

    [Fact]
    public void IsTransient_SqliteDiskFull_ReturnsTrue()
    {
        Assert.True(JournalFailures.IsTransient(new SqliteException("database or disk is full", 13)));
    }

    [Fact]
    public void IsTransient_DatabaseDependencyUnavailable_ReturnsTrue()
    {
        Assert.True(JournalFailures.IsTransient(
            new DependencyUnavailableException(DependencyNames.Database, "The database breaker is open.")));
        Assert.False(JournalFailures.IsTransient(
            new DependencyUnavailableException(DependencyNames.Broker, "The broker breaker is open.")));
    }

    [Fact]
    public void IsTransient_ProgrammingErrors_ReturnFalse()
    {
        Assert.False(JournalFailures.IsTransient(new InvalidOperationException("order not journaled")));
        Assert.False(JournalFailures.IsTransient(new ArgumentException("bad change")));
        Assert.False(JournalFailures.IsTransient(new OperationCanceledException()));
    }

    private static async Task Execute(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Opens a journal on a loopback port where nothing listens.</summary>
    private static Task<UnreachableJournal> OpenUnreachablePostgresAsync()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var options = new JournalOptions
        {
            Provider = JournalProvider.Postgres,
            ConnectionString = $"Host=127.0.0.1;Port={port};Username=nobody;Database=none;Timeout=2",
        };
        var dataSource = PostgresOrderJournal.CreateDataSource(options, loggerFactory: null);
        var journal = new PostgresOrderJournal(
            dataSource, Options.Create(options), TimeProvider.System, NullLogger<PostgresOrderJournal>.Instance);
        return Task.FromResult(new UnreachableJournal(journal, dataSource));
    }

    private sealed record UnreachableJournal(PostgresOrderJournal Journal, NpgsqlDataSource DataSource)
        : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Journal.DisposeAsync();
            await DataSource.DisposeAsync();
        }
    }
}

public sealed class PostgresJournalFailuresTests : IRequiresPostgres
{
    [JournalFact]
    public async Task IsTransient_PostgresUniqueViolation_ReturnsFalse()
    {
        await using var store = await PostgresTestStore.CreateAsync();
        await store.OpenJournal().MigrateAsync(CancellationToken.None);
        await using var connection = new NpgsqlConnection(store.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, 'again', 0)", connection);

        var violation = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.False(JournalFailures.IsTransient(violation));
        Assert.True(JournalFailures.IsUniqueViolation(violation));
    }

    [JournalFact]
    public async Task InsertOrder_ServerKilledConnections_FailsTransientThenRecovers()
    {
        await using var store = await PostgresTestStore.CreateAsync();
        var journal = store.OpenJournal();
        await journal.MigrateAsync(CancellationToken.None);
        await journal.InsertOrderAsync(Orders.New(1), CancellationToken.None);
        await using (var admin = new NpgsqlConnection(PostgresTestServer.AdminConnectionString))
        {
            await admin.OpenAsync();
            var name = new NpgsqlConnectionStringBuilder(store.ConnectionString).Database;
            await using var terminate = new NpgsqlCommand(
                $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'", admin);
            await terminate.ExecuteNonQueryAsync();
        }

        var error = await Record.ExceptionAsync(
            () => journal.InsertOrderAsync(Orders.New(2), CancellationToken.None));

        // A pooled connection killed by the server fails the next write with a connection error; Npgsql then
        // drops it, so the write after that succeeds on a fresh connection.
        if (error is not null)
        {
            Assert.True(JournalFailures.IsTransient(error), error.ToString());
        }

        var retried = await journal.InsertOrderAsync(Orders.New(2), CancellationToken.None);
        Assert.True(retried.Inserted);
    }
}
