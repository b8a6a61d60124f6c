using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Journal;
using Breakwater.Domain.Orders;

namespace Breakwater.Tests.Doubles;

/// <summary>
/// A thread-safe in-memory <see cref="IOrderJournal"/> with the real journal's idempotency rules and switches that
/// make writes fail, for tests that run without a database.
/// </summary>
public sealed class InMemoryOrderJournal : IOrderJournal
{
    private readonly object _lock = new();
    private readonly Dictionary<long, Order> _orders = [];
    private readonly Dictionary<string, long> _byClientId = new(StringComparer.Ordinal);
    private readonly Dictionary<long, List<OrderEvent>> _events = [];
    private readonly HashSet<string> _executionIds = new(StringComparer.Ordinal);

    /// <summary>When true, every write throws <see cref="DependencyUnavailableException"/> for the database.</summary>
    public bool FailWrites { get; set; }

    /// <summary>When true, every read throws <see cref="DependencyUnavailableException"/> for the database.</summary>
    public bool FailReads { get; set; }

    /// <summary>Runs before each insert; a test can block it to keep a submit in flight.</summary>
    public Func<Order, Task>? BeforeInsert { get; set; }

    /// <summary>Runs before each append; a test can block it to make the journal slow.</summary>
    public Func<OrderChange, Task>? BeforeAppend { get; set; }

    /// <summary>
    /// When true, an insert commits and then throws, as when the connection breaks after the commit and before the
    /// reply.
    /// </summary>
    public bool FailAfterInsert { get; set; }

    /// <summary>
    /// When true, an insert commits and then returns the result of a second insert of the same order, as a retry
    /// after a lost reply does.
    /// </summary>
    public bool RepeatInsert { get; set; }

    /// <summary>
    /// When true, the next append commits and then throws <see cref="TimeoutException"/>, as a write whose call timed
    /// out while its statement still committed does; the switch then turns itself off.
    /// </summary>
    public bool FailAfterNextAppend { get; set; }

    public int InsertCalls { get; private set; }

    public int InsertedCount
    {
        get
        {
            lock (_lock)
            {
                return _orders.Count;
            }
        }
    }

    public IReadOnlyList<Order> AllOrders()
    {
        lock (_lock)
        {
            return _orders.Values.OrderBy(o => o.Id).ToList();
        }
    }

    public void Seed(Order order, params OrderEvent[] events)
    {
        lock (_lock)
        {
            _orders[order.Id] = order;
            _byClientId[order.ClientOrderId] = order.Id;
            _events[order.Id] = [.. events];
            foreach (var fill in events.Select(e => e.Fill).OfType<Fill>())
            {
                _executionIds.Add(fill.ExecutionId);
            }
        }
    }

    public Task MigrateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<JournalInsertResult> InsertOrderAsync(Order order, CancellationToken cancellationToken)
    {
        if (BeforeInsert is { } beforeInsert)
        {
            await beforeInsert(order);
        }

        ThrowIf(FailWrites);
        if (FailAfterInsert)
        {
            _ = InsertCoreAsync(order);
            ThrowIf(fail: true);
        }

        if (RepeatInsert)
        {
            _ = InsertCoreAsync(order);
        }

        return await InsertCoreAsync(order);
    }

    private Task<JournalInsertResult> InsertCoreAsync(Order order)
    {
        lock (_lock)
        {
            InsertCalls++;
            if (_byClientId.TryGetValue(order.ClientOrderId, out var existingId))
            {
                return Task.FromResult(new JournalInsertResult(_orders[existingId], Inserted: false));
            }

            _orders[order.Id] = order;
            _byClientId[order.ClientOrderId] = order.Id;
            _events[order.Id] = [new OrderEvent(order.Id, order.Version, OrderEventKind.Created, order.Status, order.CreatedAt, null, null)];
            return Task.FromResult(new JournalInsertResult(order, Inserted: true));
        }
    }

    public async Task<AppendOutcome> AppendChangeAsync(OrderChange change, CancellationToken cancellationToken)
    {
        if (BeforeAppend is { } before)
        {
            await before(change);
        }

        ThrowIf(FailWrites);
        lock (_lock)
        {
            var current = _orders[change.Order.Id];
            if (change.Event.Fill is { } known && _executionIds.Contains(known.ExecutionId))
            {
                return AppendOutcome.DuplicateFill;
            }

            if (change.Order.Version <= current.Version)
            {
                return AppendOutcome.VersionConflict;
            }

            if (change.Event.Fill is { } fill)
            {
                _executionIds.Add(fill.ExecutionId);
            }

            _orders[change.Order.Id] = change.Order;
            _events[change.Order.Id].Add(change.Event);
            if (FailAfterNextAppend)
            {
                FailAfterNextAppend = false;
                throw new TimeoutException("The append committed, but its reply did not arrive in time.");
            }

            return AppendOutcome.Appended;
        }
    }

    public Task<Order?> GetOrderAsync(long id, CancellationToken cancellationToken)
    {
        ThrowIf(FailReads);
        lock (_lock)
        {
            return Task.FromResult(_orders.GetValueOrDefault(id));
        }
    }

    public Task<Order?> FindByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        ThrowIf(FailReads);
        lock (_lock)
        {
            return Task.FromResult(_byClientId.TryGetValue(clientOrderId, out var id) ? _orders[id] : null);
        }
    }

    public Task<OrderPage> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken)
    {
        ThrowIf(FailReads);
        lock (_lock)
        {
            var matching = _orders.Values
                .Where(o => query.BeforeId is null || o.Id < query.BeforeId)
                .Where(o => query.Status switch
                {
                    OrderStatusFilter.Open => !o.IsFinal,
                    OrderStatusFilter.Filled => o.Status == OrderStatus.Filled,
                    OrderStatusFilter.Cancelled => o.Status == OrderStatus.Cancelled,
                    OrderStatusFilter.Rejected => o.Status == OrderStatus.Rejected,
                    _ => true,
                })
                .OrderByDescending(o => o.Id)
                .Take(query.Limit + 1)
                .ToList();
            var page = matching.Take(query.Limit).ToList();
            long? next = matching.Count > query.Limit ? page[^1].Id : null;
            return Task.FromResult(new OrderPage(page, next));
        }
    }

    public Task<IReadOnlyList<Order>> GetOpenOrdersAsync(CancellationToken cancellationToken)
    {
        ThrowIf(FailReads);
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<Order>>(_orders.Values.Where(o => !o.IsFinal).OrderBy(o => o.Id).ToList());
        }
    }

    public Task<IReadOnlyList<OrderEvent>> GetHistoryAsync(long orderId, CancellationToken cancellationToken)
    {
        ThrowIf(FailReads);
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<OrderEvent>>(
                _events.TryGetValue(orderId, out var events) ? events.ToList() : []);
        }
    }

    public Task<long> GetMaxOrderIdAsync(CancellationToken cancellationToken)
    {
        ThrowIf(FailReads);
        lock (_lock)
        {
            return Task.FromResult(_orders.Count == 0 ? 0 : _orders.Keys.Max());
        }
    }

    public Task PingAsync(CancellationToken cancellationToken)
    {
        ThrowIf(FailReads);
        return Task.CompletedTask;
    }

    private static void ThrowIf(bool fail)
    {
        if (fail)
        {
            throw new DependencyUnavailableException(DependencyNames.Database, "The test journal is switched off.");
        }
    }
}
