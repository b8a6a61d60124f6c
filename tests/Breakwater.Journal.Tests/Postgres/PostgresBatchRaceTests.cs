using Breakwater.Domain.Journal;
using Breakwater.Journal.Tests.Infrastructure;
using Npgsql;

namespace Breakwater.Journal.Tests;

/// <summary>Outcomes that depend on another transaction committing while a batch waits for an order's row.</summary>
public sealed class PostgresBatchRaceTests : IRequiresPostgres, IAsyncLifetime
{
    private PostgresTestStore? _store;
    private IOrderJournal? _journal;

    private PostgresTestStore Store => _store!;

    private IOrderJournal Journal => _journal!;

    public async Task InitializeAsync()
    {
        _store = await PostgresTestStore.CreateAsync();
        _journal = Store.OpenJournal();
        await Journal.MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_journal is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [JournalFact]
    public async Task AppendChange_SameFillCommittedWhileWaiting_ReturnsDuplicateFill()
    {
        var order = Orders.New(1);
        await Journal.InsertOrderAsync(order, CancellationToken.None);
        var fill = Orders.Fill(order, "exec-race", 10, 100m);

        // Another writer locks the order's row and writes the same fill, as a second delivery of that fill would.
        await using var other = new NpgsqlConnection(Store.ConnectionString);
        await other.OpenAsync();
        await using var transaction = await other.BeginTransactionAsync();
        await Execute(other, transaction, "UPDATE orders SET version = version + 1 WHERE id = 1");
        await Execute(
            other, transaction,
            "INSERT INTO fills (execution_id, order_id, quantity, price, time) VALUES ('exec-race', 1, 10, 100, 0)");
        var pending = Journal.AppendChangeAsync(fill, CancellationToken.None);
        await WaitForLockWaitAsync(other);
        await transaction.CommitAsync();

        Assert.Equal(AppendOutcome.DuplicateFill, await pending);
        Assert.Equal(1, await Store.CountRowsAsync("fills"));
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Waits until a backend waits for a row lock; the real-time limit only keeps a broken test from hanging.
    /// </summary>
    private static async Task WaitForLockWaitAsync(NpgsqlConnection other)
    {
        var started = TimeProvider.System.GetTimestamp();
        await using var probe = new NpgsqlConnection(other.ConnectionString);
        await probe.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
            probe);
        while ((long)(await command.ExecuteScalarAsync())! == 0)
        {
            Assert.True(
                TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(10),
                "No backend waited for the order's row within 10 seconds.");
            await Task.Delay(10, CancellationToken.None);
        }
    }
}
