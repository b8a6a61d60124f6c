using Breakwater.Domain.Orders;

namespace Breakwater.Domain.Journal;

/// <summary>
/// Durable record of every order, status transition and fill. A task returned by a write completes only after the
/// write is committed to durable storage, so a caller may act on it (send the order to the broker, answer 201).
/// </summary>
/// <remarks>
/// Implementations are thread safe. Failures to reach the store surface as
/// <see cref="Dependencies.DependencyUnavailableException"/> or as the provider's own exception, which the database
/// circuit breaker classifies.
/// </remarks>
public interface IOrderJournal
{
    /// <summary>Applies the versioned schema migrations that are missing. Safe when several processes start at once.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Journals a new order and its <see cref="OrderEventKind.Created"/> event, unless an order with the same client
    /// order id exists; then nothing is written and the existing order is returned.
    /// </summary>
    Task<JournalInsertResult> InsertOrderAsync(Order order, CancellationToken cancellationToken);

    /// <summary>
    /// Journals a change of one order: its new state and the event that led to it.
    /// </summary>
    /// <returns>
    /// <see cref="AppendOutcome.Appended"/> when the change was journaled; otherwise nothing was written and the
    /// outcome says why: the fill's execution id is known (<see cref="AppendOutcome.DuplicateFill"/>), or the journaled
    /// version is not older than the change's (<see cref="AppendOutcome.VersionConflict"/>). Replays are therefore
    /// harmless, and a caller whose state is behind the journal can tell so and reload it.
    /// </returns>
    Task<AppendOutcome> AppendChangeAsync(OrderChange change, CancellationToken cancellationToken);

    Task<Order?> GetOrderAsync(long id, CancellationToken cancellationToken);

    Task<Order?> FindByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken);

    /// <summary>Lists orders newest first, one page at a time.</summary>
    Task<OrderPage> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken);

    /// <summary>Returns every order whose status is not final, oldest first.</summary>
    Task<IReadOnlyList<Order>> GetOpenOrdersAsync(CancellationToken cancellationToken);

    /// <summary>Returns the events of one order in the order they were journaled; empty for an unknown id.</summary>
    Task<IReadOnlyList<OrderEvent>> GetHistoryAsync(long orderId, CancellationToken cancellationToken);

    /// <summary>Returns the highest order id journaled, or 0 when the journal is empty.</summary>
    Task<long> GetMaxOrderIdAsync(CancellationToken cancellationToken);

    /// <summary>Runs the cheapest round trip to the store (<c>SELECT 1</c>); used by the health probe.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}

/// <param name="Order">The journaled order: the new one, or the one that already had the client order id.</param>
/// <param name="Inserted">False when an order with the same client order id was already journaled.</param>
public readonly record struct JournalInsertResult(Order Order, bool Inserted);

/// <summary>What <see cref="IOrderJournal.AppendChangeAsync"/> did with a change.</summary>
public enum AppendOutcome
{
    /// <summary>The change is journaled (or, by a spilling journal, durable and waiting for its replay).</summary>
    Appended,

    /// <summary>Nothing was written: the journal already holds a fill with the change's execution id.</summary>
    DuplicateFill,

    /// <summary>
    /// Nothing was written: the journaled version of the order is not older than the change's, so the change was
    /// computed from a state that is behind the journal (or is a replay of a journaled change).
    /// </summary>
    VersionConflict,
}

/// <param name="Order">The order's state after the change; its version is one above the journaled one.</param>
/// <param name="Event">The event that produced the change.</param>
public sealed record OrderChange(Order Order, OrderEvent Event);

public enum OrderStatusFilter
{
    Open,
    Filled,
    Cancelled,
    Rejected,
    All,
}

/// <param name="Limit">Page size, 1 to 500.</param>
/// <param name="BeforeId">Cursor: only orders with a smaller id are listed; null for the first page.</param>
public sealed record OrderQuery(OrderStatusFilter Status, int Limit, long? BeforeId);

/// <param name="NextBeforeId">The cursor for the next page, or null when this page is the last.</param>
public sealed record OrderPage(IReadOnlyList<Order> Orders, long? NextBeforeId);
