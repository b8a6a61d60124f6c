using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Journal;
using Breakwater.Domain.Orders;
using Microsoft.Extensions.Logging;

namespace Breakwater.Journal.Spill;

/// <summary>
/// An <see cref="IOrderJournal"/> that writes an order change to the <see cref="DurableSpillQueue"/> when the
/// database cannot take it, so that broker updates and fills are durable (fsynced) before the caller acknowledges
/// them, and replays the spilled changes into the database once it is back.
/// </summary>
/// <remarks>
/// <para>
/// Only <see cref="AppendChangeAsync"/> spills. <see cref="InsertOrderAsync"/> never does: an order reaches the broker
/// only after its row is committed in the database, so a failed insert surfaces to the caller (503).
/// </para>
/// <para>
/// Order of changes. The journal applies a change only when its version is newer than the stored one, so the
/// changes of one order must reach the database in the order they were made. This class keeps, per order id, the
/// number of spilled changes that are not replayed yet. While that number is above zero every later change of the
/// same order is appended to the spill as well, even when the database is reachable again, and the replay applies
/// the spill in append order; the direct path is used again only after the last spilled change of that order has
/// been applied. The caller (the order manager) makes at most one change of an order at a time, under the order's
/// lock, so a change is counted before any later change of that order is decided. Changes of different orders are
/// independent and may take different paths.
/// </para>
/// <para>
/// A direct write that failed may still have committed (the connection broke after the commit). Its spilled copy
/// is then ignored by the database on replay, because <see cref="IOrderJournal.AppendChangeAsync"/> ignores a
/// version it already has and a fill whose execution id it knows.
/// </para>
/// <para>
/// Reads of one order (<see cref="GetOrderAsync"/>, <see cref="FindByClientOrderIdAsync"/>) return the latest
/// spilled state while changes of that order wait in the spill. Lists and histories come from the database only.
/// Thread safe.
/// </para>
/// </remarks>
public sealed partial class SpillingOrderJournal : IOrderJournal
{
    private readonly IOrderJournal _inner;
    private readonly DurableSpillQueue _spill;
    private readonly ILogger<SpillingOrderJournal> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<long, PendingOrder> _pending = [];
    private int _pendingChanges;

    /// <summary>Creates the decorator over <paramref name="inner"/>, normally the guarded database journal.</summary>
    public SpillingOrderJournal(IOrderJournal inner, DurableSpillQueue spill, ILogger<SpillingOrderJournal> logger)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(spill);
        ArgumentNullException.ThrowIfNull(logger);
        _inner = inner;
        _spill = spill;
        _logger = logger;
    }

    /// <summary>Raised after a change was appended to the spill, so that a replayer can wake up.</summary>
    public event Action? Spilled;

    /// <summary>The number of changes appended to the spill by this process and not replayed yet.</summary>
    public int PendingChanges => Volatile.Read(ref _pendingChanges);

    /// <summary>
    /// Applies the migrations, then replays every change left in the spill by an earlier process, so that the
    /// order manager loads the open orders with those changes applied. Throws while the database is unavailable.
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await _inner.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await ReplayAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<JournalInsertResult> InsertOrderAsync(Order order, CancellationToken cancellationToken) =>
        _inner.InsertOrderAsync(order, cancellationToken);

    /// <summary>
    /// Journals <paramref name="change"/> in the database, or appends it to the spill when the database is
    /// unavailable or changes of the same order still wait in the spill. Returns true after a spill append: the
    /// change is durable and is written to the database by a later <see cref="ReplayAsync"/>.
    /// </summary>
    public async Task<bool> AppendChangeAsync(OrderChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var orderId = change.Order.Id;
        bool spillFirst;
        lock (_lock)
        {
            spillFirst = _pending.ContainsKey(orderId);
            if (spillFirst)
            {
                CountLocked(change.Order);
            }
        }

        if (!spillFirst)
        {
            try
            {
                return await _inner.AppendChangeAsync(change, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (IsUnavailable(exception, cancellationToken))
            {
                Log.SpillingChange(_logger, orderId, change.Order.Version, exception.Message);
                lock (_lock)
                {
                    CountLocked(change.Order);
                }
            }
        }

        try
        {
            await _spill.AppendAsync(change, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            lock (_lock)
            {
                UncountLocked(orderId);
            }

            throw;
        }

        Spilled?.Invoke();
        return true;
    }

    /// <summary>
    /// Writes the pending spilled changes to the database in append order. Stops at the first failure, leaving that
    /// change and the later ones pending, and rethrows it.
    /// </summary>
    public Task<SpillReplayResult> ReplayAsync(CancellationToken cancellationToken) =>
        _spill.ReplayAsync(
            async change =>
            {
                var written = await _inner.AppendChangeAsync(change, cancellationToken).ConfigureAwait(false);
                lock (_lock)
                {
                    UncountLocked(change.Order.Id);
                }

                return written;
            },
            cancellationToken);

    /// <inheritdoc />
    public async Task<Order?> GetOrderAsync(long id, CancellationToken cancellationToken) =>
        TryGetSpilled(id) ?? await _inner.GetOrderAsync(id, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<Order?> FindByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        var order = await _inner.FindByClientOrderIdAsync(clientOrderId, cancellationToken).ConfigureAwait(false);
        return order is null ? null : TryGetSpilled(order.Id) ?? order;
    }

    /// <inheritdoc />
    public Task<OrderPage> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken) =>
        _inner.ListOrdersAsync(query, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Order>> GetOpenOrdersAsync(CancellationToken cancellationToken) =>
        _inner.GetOpenOrdersAsync(cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<OrderEvent>> GetHistoryAsync(long orderId, CancellationToken cancellationToken) =>
        _inner.GetHistoryAsync(orderId, cancellationToken);

    /// <inheritdoc />
    public Task<long> GetMaxOrderIdAsync(CancellationToken cancellationToken) =>
        _inner.GetMaxOrderIdAsync(cancellationToken);

    /// <inheritdoc />
    public Task PingAsync(CancellationToken cancellationToken) => _inner.PingAsync(cancellationToken);

    private static bool IsUnavailable(Exception exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && JournalFailures.IsTransient(exception)
        && exception is not DependencyUnavailableException { Dependency: not DependencyNames.Database };

    private Order? TryGetSpilled(long id)
    {
        lock (_lock)
        {
            return _pending.TryGetValue(id, out var pending) ? pending.Latest : null;
        }
    }

    private void CountLocked(Order order)
    {
        _pending[order.Id] = _pending.TryGetValue(order.Id, out var pending)
            ? new PendingOrder(pending.Count + 1, order.Version >= pending.Latest.Version ? order : pending.Latest)
            : new PendingOrder(1, order);
        _pendingChanges++;
    }

    private void UncountLocked(long orderId)
    {
        // Changes left by an earlier process were never counted, so a missing id is expected during a replay.
        if (!_pending.TryGetValue(orderId, out var pending))
        {
            return;
        }

        _pendingChanges--;
        if (pending.Count <= 1)
        {
            _pending.Remove(orderId);
        }
        else
        {
            _pending[orderId] = pending with { Count = pending.Count - 1 };
        }
    }

    private readonly record struct PendingOrder(int Count, Order Latest);

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 3110,
            EventName = "SpillingChange",
            Level = LogLevel.Warning,
            Message = "The journal database could not take version {Version} of order {OrderId}, so the change " +
                "was appended to the spill log for a later replay: {Reason}")]
        public static partial void SpillingChange(ILogger logger, long orderId, int version, string reason);
    }
}
