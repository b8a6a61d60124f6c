using Breakwater.Domain.Lifecycle;
using Breakwater.Domain.Orders;
using Breakwater.Journal;
using Breakwater.Journal.Sqlite;
using Breakwater.Resilience.CircuitBreaking;
using Breakwater.Resilience.Guards;
using Breakwater.Tests.Doubles;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Breakwater.Gateway.Tests.Orders;

/// <summary>
/// A submit whose guarded insert timed out while another process held the SQLite write lock: the first attempt
/// commits once the lock is free, the retry finds that row, and the order must still reach the broker.
/// </summary>
public sealed class LockedJournalSubmitTests : IAsyncDisposable
{
    private readonly string _directory =
        Path.Combine(Path.GetTempPath(), "breakwater-locked-journal", Guid.NewGuid().ToString("N"));

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task SubmitAsync_WriteLockHeldPastCallTimeout_OrderSentOnce()
    {
        await using var sqlite = new SqliteOrderJournal(
            Options.Create(new JournalOptions { DataDirectory = _directory }),
            TimeProvider.System,
            NullLogger<SqliteOrderJournal>.Instance);
        await sqlite.MigrateAsync(CancellationToken.None);
        var breaker = new CircuitBreaker(
            "database", new BreakerOptions { CallTimeout = TimeSpan.FromMilliseconds(200) });
        var journal = new GuardedOrderJournal(sqlite, breaker, new GuardOptions(), TimeProvider.System);
        var broker = new FakeBroker();
        var lifecycle = new GatewayLifecycle();
        var manager = new OrderManager(
            journal, broker, lifecycle, TimeProvider.System, NullLogger<OrderManager>.Instance);
        broker.Sink = manager;
        await manager.StartAsync(CancellationToken.None);
        lifecycle.MarkRunning();
        await using var other = new SqliteConnection($"Data Source={sqlite.FilePath};Pooling=False");
        await other.OpenAsync();
        var lockHeld = other.BeginTransaction(deferred: false);

        var submit = manager.SubmitAsync(
            new OrderRequest("locked-1", "AAPL", OrderSide.Buy, 10, OrderType.Limit, 50m, TimeInForce.Day),
            CancellationToken.None);
        // Another process (a backup, the sqlite3 shell) keeps the lock past the guard's call timeout.
        await Task.Delay(TimeSpan.FromMilliseconds(600), TimeProvider.System);
        lockHeld.Commit();
        var result = await submit;

        Assert.Equal(SubmitOutcome.Created, result.Outcome);
        Assert.Equal(OrderStatus.Submitted, result.Order.Status);
        Assert.Single(broker.Placed);
        Assert.Equal(OrderStatus.Submitted, (await sqlite.FindByClientOrderIdAsync("locked-1", default))!.Status);
    }
}
