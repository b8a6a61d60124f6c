using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Journal;
using Breakwater.Domain.Orders;
using Breakwater.Journal.Spill;
using Breakwater.Journal.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Breakwater.Journal.Tests.Spill;

/// <summary>The spill decorator over a real SQLite journal whose availability a test switches.</summary>
public sealed class SpillingOrderJournalTests : IAsyncLifetime
{
    private readonly SqliteTestStore _store = new();
    private readonly List<DurableSpillQueue> _queues = [];
    private SwitchableJournal _database = null!;

    private string SpillPath => Path.Combine(_store.Directory, "spill", "journal-spill.log");

    public async Task InitializeAsync()
    {
        _database = new SwitchableJournal(_store.OpenJournal());
        await _database.MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        foreach (var queue in _queues)
        {
            await queue.DisposeAsync();
        }

        await _store.DisposeAsync();
    }

    [Fact]
    public async Task AppendChange_DatabaseDown_SpillsAndReturnsTrue()
    {
        var journal = Open();
        var order = await InsertAsync(journal, 1);
        _database.Down = true;

        var appended = await journal.AppendChangeAsync(Orders.Status(order, OrderStatus.Submitted, "B1"), default);

        Assert.True(appended);
        Assert.Equal(1, journal.PendingChanges);
        Assert.True(new FileInfo(SpillPath).Length > 0);
        Assert.Equal(1, (await _database.Inner.GetOrderAsync(1, default))!.Version);
    }

    [Fact]
    public async Task AppendChange_WhileOrderPending_SpillsEvenWhenDatabaseIsBack()
    {
        var journal = Open();
        var order = await InsertAsync(journal, 1);
        var submitted = Orders.Status(order, OrderStatus.Submitted, "B1");
        var fill = Orders.Fill(submitted.Order, "E1", 100, 10m);
        _database.Down = true;
        await journal.AppendChangeAsync(submitted, default);
        _database.Down = false;

        await journal.AppendChangeAsync(fill, default);

        Assert.Equal(2, journal.PendingChanges);
        Assert.Equal(1, (await _database.Inner.GetOrderAsync(1, default))!.Version);
        Assert.Equal(fill.Order.Version, (await journal.GetOrderAsync(1, default))!.Version);
    }

    [Fact]
    public async Task Replay_AfterOutage_WritesChangesInOrderOnce()
    {
        var journal = Open();
        var order = await InsertAsync(journal, 1);
        var submitted = Orders.Status(order, OrderStatus.Submitted, "B1");
        var firstFill = Orders.Fill(submitted.Order, "E1", 40, 10m);
        var secondFill = Orders.Fill(firstFill.Order, "E2", 60, 11m);
        _database.Down = true;
        await journal.AppendChangeAsync(submitted, default);
        await journal.AppendChangeAsync(firstFill, default);
        _database.Down = false;
        await journal.AppendChangeAsync(secondFill, default);

        var result = await journal.ReplayAsync(default);
        var again = await journal.ReplayAsync(default);
        var stored = await _database.Inner.GetOrderAsync(1, default);
        var history = await _database.Inner.GetHistoryAsync(1, default);

        Assert.Equal(3, result.Written);
        Assert.Equal(0, again.Written + again.AlreadyJournaled);
        Assert.Equal(0, journal.PendingChanges);
        Assert.Equal(OrderStatus.Filled, stored!.Status);
        Assert.Equal(100, stored.FilledQuantity);
        Assert.Equal(4, stored.Version);
        Assert.Equal(2, history.Count(e => e.Kind == OrderEventKind.Filled));
    }

    [Fact]
    public async Task AppendChange_AfterReplay_WritesDirectly()
    {
        var journal = Open();
        var order = await InsertAsync(journal, 1);
        var submitted = Orders.Status(order, OrderStatus.Submitted, "B1");
        _database.Down = true;
        await journal.AppendChangeAsync(submitted, default);
        _database.Down = false;
        await journal.ReplayAsync(default);

        await journal.AppendChangeAsync(Orders.Fill(submitted.Order, "E1", 100, 10m), default);

        Assert.Equal(0, journal.PendingChanges);
        Assert.Equal(0, new FileInfo(SpillPath).Length);
        Assert.Equal(OrderStatus.Filled, (await _database.Inner.GetOrderAsync(1, default))!.Status);
    }

    [Fact]
    public async Task Replay_DatabaseStillDown_KeepsChangesPending()
    {
        var journal = Open();
        var order = await InsertAsync(journal, 1);
        _database.Down = true;
        await journal.AppendChangeAsync(Orders.Status(order, OrderStatus.Submitted, "B1"), default);

        await Assert.ThrowsAsync<DependencyUnavailableException>(() => journal.ReplayAsync(default));

        Assert.Equal(1, journal.PendingChanges);
    }

    [Fact]
    public async Task Migrate_SpillLeftByEarlierProcess_ReplaysBeforeReturning()
    {
        var first = Open();
        var order = await InsertAsync(first, 1);
        _database.Down = true;
        await first.AppendChangeAsync(Orders.Status(order, OrderStatus.Cancelled, "B1"), default);
        await _queues[0].DisposeAsync();
        _database.Down = false;

        var second = Open();
        await second.MigrateAsync(default);

        Assert.Equal(OrderStatus.Cancelled, (await _database.Inner.GetOrderAsync(1, default))!.Status);
        Assert.Equal(0, new FileInfo(SpillPath).Length);
    }

    [Fact]
    public async Task InsertOrder_DatabaseDown_ThrowsWithoutSpilling()
    {
        var journal = Open();
        _database.Down = true;

        await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => journal.InsertOrderAsync(Orders.New(1), default));

        Assert.Equal(0, journal.PendingChanges);
        Assert.False(File.Exists(SpillPath));
    }

    [Fact]
    public async Task AppendChange_SqlError_PropagatesWithoutSpilling()
    {
        var journal = Open();
        var order = await InsertAsync(journal, 1);
        _database.Failure = new InvalidOperationException("A programming error, not an outage.");

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => journal.AppendChangeAsync(Orders.Status(order, OrderStatus.Submitted, "B1"), default));

        Assert.Equal(0, journal.PendingChanges);
    }

    private SpillingOrderJournal Open()
    {
        var queue = new DurableSpillQueue(SpillPath, NullLogger<DurableSpillQueue>.Instance);
        _queues.Add(queue);
        return new SpillingOrderJournal(_database, queue, NullLogger<SpillingOrderJournal>.Instance);
    }

    private static async Task<Order> InsertAsync(IOrderJournal journal, long id) =>
        (await journal.InsertOrderAsync(Orders.New(id), default)).Order;

    /// <summary>Passes calls to a real journal, or throws what a guarded journal throws during an outage.</summary>
    private sealed class SwitchableJournal(IOrderJournal inner) : IOrderJournal
    {
        public IOrderJournal Inner => inner;

        public bool Down { get; set; }

        public Exception? Failure { get; set; }

        public Task MigrateAsync(CancellationToken cancellationToken) => Run(() => inner.MigrateAsync(cancellationToken));

        public Task<JournalInsertResult> InsertOrderAsync(Order order, CancellationToken cancellationToken) =>
            Run(() => inner.InsertOrderAsync(order, cancellationToken));

        public Task<bool> AppendChangeAsync(OrderChange change, CancellationToken cancellationToken) =>
            Run(() => inner.AppendChangeAsync(change, cancellationToken));

        public Task<Order?> GetOrderAsync(long id, CancellationToken cancellationToken) =>
            Run(() => inner.GetOrderAsync(id, cancellationToken));

        public Task<Order?> FindByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken) =>
            Run(() => inner.FindByClientOrderIdAsync(clientOrderId, cancellationToken));

        public Task<OrderPage> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken) =>
            Run(() => inner.ListOrdersAsync(query, cancellationToken));

        public Task<IReadOnlyList<Order>> GetOpenOrdersAsync(CancellationToken cancellationToken) =>
            Run(() => inner.GetOpenOrdersAsync(cancellationToken));

        public Task<IReadOnlyList<OrderEvent>> GetHistoryAsync(long orderId, CancellationToken cancellationToken) =>
            Run(() => inner.GetHistoryAsync(orderId, cancellationToken));

        public Task<long> GetMaxOrderIdAsync(CancellationToken cancellationToken) =>
            Run(() => inner.GetMaxOrderIdAsync(cancellationToken));

        public Task PingAsync(CancellationToken cancellationToken) => Run(() => inner.PingAsync(cancellationToken));

        private T Run<T>(Func<T> call)
        {
            if (Failure is { } failure)
            {
                throw failure;
            }

            return Down
                ? throw new DependencyUnavailableException(
                    DependencyNames.Database, "The database circuit breaker is Open.", TimeSpan.FromSeconds(1))
                : call();
        }
    }
}
