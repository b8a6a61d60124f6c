using Breakwater.Domain.Orders;
using Breakwater.Journal.Sqlite;
using Breakwater.Journal.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Breakwater.Journal.Tests.Sqlite;

public sealed class SqliteJournalDurabilityTests : IAsyncLifetime
{
    private readonly SqliteTestStore _store = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task OpenJournal_AfterWriterAbandonedWithoutClose_SeesEveryCommittedWrite()
    {
        var abandoned = _store.OpenJournal();
        await abandoned.MigrateAsync(CancellationToken.None);
        var order = Orders.New(1);
        await abandoned.InsertOrderAsync(order, CancellationToken.None);
        var fill = Orders.Fill(order, "exec-1", 100, 187.0425m);
        await abandoned.AppendChangeAsync(fill, CancellationToken.None);

        // The first journal keeps its write connection open, as a crashed process would leave it.
        var reopened = _store.OpenJournal();
        await reopened.MigrateAsync(CancellationToken.None);

        Assert.Equal(fill.Order, await reopened.GetOrderAsync(1, CancellationToken.None));
        Assert.Equal(2, (await reopened.GetHistoryAsync(1, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task OpenJournal_AfterCommittedWritesCopiedWithWal_RecoversThem()
    {
        var journal = _store.OpenJournal();
        await journal.MigrateAsync(CancellationToken.None);
        for (var id = 1; id <= 50; id++)
        {
            await journal.InsertOrderAsync(Orders.New(id), CancellationToken.None);
        }

        // A copy of the database file and its WAL taken while the writer is open is what a power cut leaves on
        // disk: the committed transactions must be recoverable from it alone.
        var crashed = Path.Combine(_store.Directory, "crashed");
        Directory.CreateDirectory(crashed);
        foreach (var suffix in new[] { string.Empty, "-wal" })
        {
            File.Copy(
                Path.Combine(_store.Directory, SqliteOrderJournal.FileName + suffix),
                Path.Combine(crashed, SqliteOrderJournal.FileName + suffix));
        }

        await using var recovered = new SqliteOrderJournal(
            Microsoft.Extensions.Options.Options.Create(new JournalOptions { DataDirectory = crashed }),
            TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<SqliteOrderJournal>.Instance);

        Assert.Equal(50, await recovered.GetMaxOrderIdAsync(CancellationToken.None));
        Assert.Equal(Orders.New(50), await recovered.GetOrderAsync(50, CancellationToken.None));
    }

    [Fact]
    public async Task Migrate_NewFile_UsesWalAndFullSynchronous()
    {
        var journal = (SqliteOrderJournal)_store.OpenJournal();
        await journal.MigrateAsync(CancellationToken.None);

        await using var connection = await journal.OpenConnectionAsync(CancellationToken.None);
        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode;"));
        Assert.Equal(2L, await ScalarAsync(connection, "PRAGMA synchronous;"));
        Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA foreign_keys;"));
        Assert.True((long)(await ScalarAsync(connection, "PRAGMA busy_timeout;"))! > 0);
    }

    [Fact]
    public async Task Constructor_MissingDataDirectory_CreatesIt()
    {
        var journal = (SqliteOrderJournal)_store.OpenJournal();
        await journal.MigrateAsync(CancellationToken.None);

        Assert.True(File.Exists(journal.FilePath));
        Assert.Equal(Path.Combine(_store.Directory, "journal.db"), journal.FilePath);
    }

    [Fact]
    public async Task InsertOrder_BeforeMigrate_FailsWithSqliteException()
    {
        var journal = _store.OpenJournal();

        var error = await Assert.ThrowsAsync<SqliteException>(
            () => journal.InsertOrderAsync(Orders.New(1), CancellationToken.None));

        Assert.Contains("no such table", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisposeAsync_QueuedWrites_CommitsThemFirst()
    {
        var journal = (SqliteOrderJournal)_store.OpenJournal();
        await journal.MigrateAsync(CancellationToken.None);
        var writes = Enumerable.Range(1, 100)
            .Select(id => journal.InsertOrderAsync(Orders.New(id), CancellationToken.None))
            .ToList();

        await journal.DisposeAsync();

        Assert.All(await Task.WhenAll(writes), result => Assert.True(result.Inserted));
        Assert.Equal(100, await _store.CountRowsAsync("orders"));
        await Assert.ThrowsAsync<ObjectDisposedException>(
            () => journal.InsertOrderAsync(Orders.New(101), CancellationToken.None));
    }

    [Fact]
    public async Task InsertOrder_CancelledBeforeQueued_WritesNothing()
    {
        var journal = _store.OpenJournal();
        await journal.MigrateAsync(CancellationToken.None);
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => journal.InsertOrderAsync(Orders.New(1), cancellation.Token));
        await journal.InsertOrderAsync(Orders.New(2), CancellationToken.None);

        Assert.Null(await journal.GetOrderAsync(1, CancellationToken.None));
        Assert.Equal(OrderStatus.PendingSubmit, (await journal.GetOrderAsync(2, CancellationToken.None))!.Status);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
