using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Journal;
using Breakwater.Domain.Orders;
using Breakwater.Resilience.CircuitBreaking;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Breakwater.Resilience.Guards;

/// <summary>
/// An <see cref="IOrderJournal"/> whose calls pass the database circuit breaker with its per-call timeout.
/// </summary>
/// <remarks>
/// <para>
/// Every call except <see cref="MigrateAsync"/> is retried with exponential backoff and jitter. Reads are safe to
/// repeat, and so are both writes: <see cref="InsertOrderAsync"/> is idempotent by client order id and
/// <see cref="AppendChangeAsync"/> ignores a change it has already journaled.
/// </para>
/// <para>
/// <see cref="MigrateAsync"/> goes straight to the inner journal: it runs once at start, may take longer than any
/// per-call timeout, and its failure stops the host, so it neither needs nor should trip the breaker.
/// </para>
/// <para>
/// While the breaker rejects calls, every other method throws <see cref="DependencyUnavailableException"/> with
/// <see cref="DependencyUnavailableException.RetryAfter"/> and does not call the inner journal. Thread safe when the
/// inner journal is.
/// </para>
/// </remarks>
public sealed class GuardedOrderJournal : IOrderJournal, IAsyncDisposable, IDisposable
{
    private readonly IOrderJournal _inner;
    private readonly OwnedInner _owned;
    private readonly DependencyGuard _guard;

    public GuardedOrderJournal(
        IOrderJournal inner,
        CircuitBreaker breaker,
        GuardOptions options,
        TimeProvider timeProvider,
        ILogger<GuardedOrderJournal>? logger = null,
        bool ownsInner = false)
    {
        ArgumentNullException.ThrowIfNull(inner);

        _inner = inner;
        _owned = new OwnedInner(inner, ownsInner);
        _guard = new DependencyGuard(
            DependencyNames.Database,
            breaker,
            options,
            timeProvider,
            logger ?? NullLogger<GuardedOrderJournal>.Instance);
    }

    public Task MigrateAsync(CancellationToken cancellationToken) => _inner.MigrateAsync(cancellationToken);

    public Task<JournalInsertResult> InsertOrderAsync(Order order, CancellationToken cancellationToken) =>
        _guard.RunRetriedAsync(
            "InsertOrder",
            static (args, token) => new ValueTask<JournalInsertResult>(args.Inner.InsertOrderAsync(args.Order, token)),
            (Inner: _inner, Order: order),
            cancellationToken);

    public Task<AppendOutcome> AppendChangeAsync(OrderChange change, CancellationToken cancellationToken) =>
        _guard.RunRetriedAsync(
            "AppendChange",
            static (args, token) => new ValueTask<AppendOutcome>(args.Inner.AppendChangeAsync(args.Change, token)),
            (Inner: _inner, Change: change),
            cancellationToken);

    public Task<Order?> GetOrderAsync(long id, CancellationToken cancellationToken) =>
        _guard.RunRetriedAsync(
            "GetOrder",
            static (args, token) => new ValueTask<Order?>(args.Inner.GetOrderAsync(args.Id, token)),
            (Inner: _inner, Id: id),
            cancellationToken);

    public Task<Order?> FindByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken) =>
        _guard.RunRetriedAsync(
            "FindByClientOrderId",
            static (args, token) =>
                new ValueTask<Order?>(args.Inner.FindByClientOrderIdAsync(args.ClientOrderId, token)),
            (Inner: _inner, ClientOrderId: clientOrderId),
            cancellationToken);

    public Task<OrderPage> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken) =>
        _guard.RunRetriedAsync(
            "ListOrders",
            static (args, token) => new ValueTask<OrderPage>(args.Inner.ListOrdersAsync(args.Query, token)),
            (Inner: _inner, Query: query),
            cancellationToken);

    public Task<IReadOnlyList<Order>> GetOpenOrdersAsync(CancellationToken cancellationToken) =>
        _guard.RunRetriedAsync(
            "GetOpenOrders",
            static (inner, token) => new ValueTask<IReadOnlyList<Order>>(inner.GetOpenOrdersAsync(token)),
            _inner,
            cancellationToken);

    public Task<IReadOnlyList<OrderEvent>> GetHistoryAsync(long orderId, CancellationToken cancellationToken) =>
        _guard.RunRetriedAsync(
            "GetHistory",
            static (args, token) =>
                new ValueTask<IReadOnlyList<OrderEvent>>(args.Inner.GetHistoryAsync(args.Id, token)),
            (Inner: _inner, Id: orderId),
            cancellationToken);

    public Task<long> GetMaxOrderIdAsync(CancellationToken cancellationToken) =>
        _guard.RunRetriedAsync(
            "GetMaxOrderId",
            static (inner, token) => new ValueTask<long>(inner.GetMaxOrderIdAsync(token)),
            _inner,
            cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) =>
        _guard.RunRetriedAsync(
            "Ping",
            static async (inner, token) =>
            {
                await inner.PingAsync(token).ConfigureAwait(false);
                return true;
            },
            _inner,
            cancellationToken);

    /// <summary>Disposes the inner service when this guard owns it (see the constructor's <c>ownsInner</c>).</summary>
    public ValueTask DisposeAsync() => _owned.DisposeAsync();

    /// <summary>Disposes the inner service when this guard owns it, blocking until an asynchronous disposal ends.</summary>
    public void Dispose() => _owned.Dispose();
}
