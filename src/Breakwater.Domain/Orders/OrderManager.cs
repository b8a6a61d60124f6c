using System.Collections.Concurrent;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Journal;
using Breakwater.Domain.Lifecycle;
using Microsoft.Extensions.Logging;

namespace Breakwater.Domain.Orders;

/// <summary>
/// Owns the order lifecycle: journals each order before the broker sees it, applies the broker's updates in order,
/// cancels, and reconciles orders whose state at the broker is uncertain.
/// </summary>
/// <remarks>
/// <para>Invariants:</para>
/// <list type="bullet">
/// <item>An order reaches the broker only after its journal insert has committed.</item>
/// <item>A submit that may have reached the broker is never sent again; the reconciler looks the order up by client
/// order id and adopts the broker's state, or rejects the order once the broker has had no record of it for
/// <see cref="OrderManagerOptions.SubmitUncertainGracePeriod"/>.</item>
/// <item>A cancel goes to the broker first and journals the pending cancel only as a best effort.</item>
/// <item>A business rejection is journaled as <see cref="OrderStatus.Rejected"/> with the broker's reason.</item>
/// </list>
/// <para>All members are thread safe. Call <see cref="StartAsync"/> once before the first submit.</para>
/// </remarks>
public sealed partial class OrderManager : IBrokerUpdateSink
{
    /// <summary>Number of times one change is computed, counting recomputes after a version conflict.</summary>
    private const int MaxConflictAttempts = 3;

    private readonly IOrderJournal _journal;
    private readonly IBroker _broker;
    private readonly GatewayLifecycle _lifecycle;
    private readonly TimeProvider _time;
    private readonly ILogger<OrderManager> _logger;
    private readonly IDependencyAvailability? _availability;
    private readonly OrderManagerOptions _options;

    private readonly ConcurrentDictionary<string, Task<SubmitResult>> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, OrderEntry> _open = new();
    private readonly ConcurrentDictionary<string, OrderEntry> _openByClientId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, OrderEntry> _openByBrokerId = new(StringComparer.Ordinal);

    private long _lastOrderId;
    private long _lateFills;
    private int _started;

    public OrderManager(
        IOrderJournal journal,
        IBroker broker,
        GatewayLifecycle lifecycle,
        TimeProvider timeProvider,
        ILogger<OrderManager> logger,
        OrderManagerOptions? options = null,
        IDependencyAvailability? availability = null)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(lifecycle);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options ?? new OrderManagerOptions();
        var errors = _options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _journal = journal;
        _broker = broker;
        _lifecycle = lifecycle;
        _time = timeProvider;
        _logger = logger;
        _availability = availability;
    }

    /// <summary>
    /// Raised when an order becomes filled, cancelled or rejected, while the order's journal lock is held: handlers
    /// must return quickly and must not call back into the order manager.
    /// </summary>
    public event Action<Order>? OrderFinalized;

    /// <summary>Number of orders that are not final.</summary>
    public int OpenOrderCount => _open.Count;

    /// <summary>True once <see cref="StartAsync"/> has completed.</summary>
    public bool IsStarted => Volatile.Read(ref _started) == 1;

    /// <summary>Returns a snapshot of the orders that are not final, oldest first.</summary>
    public IReadOnlyList<Order> GetOpenOrders() =>
        _open.Values.Select(entry => entry.Order).Where(order => !order.IsFinal).OrderBy(order => order.Id).ToList();

    /// <summary>
    /// Seeds the order id counter from the journal and loads the open orders with their fills. Call it once, after the
    /// journal's migrations ran; a failed call may be repeated.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var maxId = await _journal.GetMaxOrderIdAsync(cancellationToken);
        var openOrders = await _journal.GetOpenOrdersAsync(cancellationToken);
        var entries = new List<OrderEntry>(openOrders.Count);
        foreach (var order in openOrders)
        {
            var entry = new OrderEntry(order);
            LoadFills(entry, await _journal.GetHistoryAsync(order.Id, cancellationToken), order);
            entries.Add(entry);
        }

        Interlocked.Exchange(ref _lastOrderId, Math.Max(maxId, Interlocked.Read(ref _lastOrderId)));
        foreach (var entry in entries)
        {
            Track(entry);
        }

        Volatile.Write(ref _started, 1);
        Log.Started(_logger, maxId, entries.Count);
    }

    /// <summary>
    /// Places an order: journals it, sends it to the broker and journals the acknowledgement.
    /// </summary>
    /// <returns>
    /// <see cref="SubmitOutcome.Created"/> for a new order (whose status may be <see cref="OrderStatus.Rejected"/>
    /// when the broker refused it), <see cref="SubmitOutcome.Existing"/> for a repeat of a known client order id with
    /// the same fields, <see cref="SubmitOutcome.Uncertain"/> when the broker may or may not have the order.
    /// </returns>
    /// <exception cref="GatewayNotAcceptingOrdersException">The gateway is starting or stopping.</exception>
    /// <exception cref="OrderConflictException">The client order id belongs to an order with other fields.</exception>
    /// <exception cref="DependencyUnavailableException">
    /// The broker or journal is unavailable and nothing was written, or (<see cref="OrderNotSentException"/>) the
    /// order was journaled as rejected without reaching the broker.
    /// </exception>
    public async Task<SubmitResult> SubmitAsync(OrderRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_lifecycle.IsAcceptingOrders || !IsStarted)
        {
            throw new GatewayNotAcceptingOrdersException(_lifecycle.State);
        }

        // Concurrent repeats of one client order id share one submit, so the journal gets one insert and the broker
        // one order. The journal's idempotent insert covers repeats that arrive after this one finished.
        var completion = new TaskCompletionSource<SubmitResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _inFlight.GetOrAdd(request.ClientOrderId, completion.Task);
        if (shared != completion.Task)
        {
            SubmitResult earlier;
            try
            {
                earlier = await shared.WaitAsync(cancellationToken);
            }
            catch (OrderConflictException conflict)
                when (conflict.Kind == OrderConflictKind.ClientOrderIdReused && conflict.Order is not null)
            {
                // The request this one joined conflicted with the stored order; this one may still be its repeat.
                return AsRepeat(request, conflict.Order);
            }

            return AsRepeat(request, earlier.Order);
        }

        try
        {
            var result = await SubmitCoreAsync(request, cancellationToken);
            completion.SetResult(result);
            return result;
        }
        catch (Exception exception)
        {
            completion.SetException(exception);

            // Concurrent repeats observe the failure when there are any; reading it here keeps a submit that no
            // repeat waited for from raising TaskScheduler.UnobservedTaskException later.
            _ = completion.Task.Exception;
            throw;
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<string, Task<SubmitResult>>(request.ClientOrderId, completion.Task));
        }
    }

    /// <summary>Returns the order with <paramref name="orderId"/>: the in-memory state when open, else the journal's.</summary>
    public async Task<Order?> GetOrderAsync(long orderId, CancellationToken cancellationToken) =>
        _open.TryGetValue(orderId, out var entry)
            ? entry.Order
            : await _journal.GetOrderAsync(orderId, cancellationToken);

    /// <summary>
    /// Waits until the order is filled, cancelled or rejected and returns its final state.
    /// </summary>
    /// <exception cref="OrderNotFoundException">No order has <paramref name="orderId"/>.</exception>
    public async Task<Order> WaitForFinalAsync(long orderId, CancellationToken cancellationToken)
    {
        if (_open.TryGetValue(orderId, out var entry))
        {
            return await entry.Final.Task.WaitAsync(cancellationToken);
        }

        var order = await _journal.GetOrderAsync(orderId, cancellationToken)
            ?? throw new OrderNotFoundException(orderId);
        if (order.IsFinal)
        {
            return order;
        }

        // The order is open in the journal but was not loaded, which happens only before StartAsync ran.
        return _open.TryGetValue(orderId, out entry)
            ? await entry.Final.Task.WaitAsync(cancellationToken)
            : throw new InvalidOperationException(
                $"Order {orderId} is open in the journal but not tracked; call {nameof(StartAsync)} first.");
    }

    private static SubmitResult AsRepeat(OrderRequest request, Order existing)
    {
        if (!request.HasSameFieldsAs(existing))
        {
            throw new OrderConflictException(
                OrderConflictKind.ClientOrderIdReused,
                existing,
                $"Client order id '{request.ClientOrderId}' is already used by order {existing.Id} with different " +
                "fields; use a new client order id for a new order.");
        }

        return new SubmitResult(existing, SubmitOutcome.Existing);
    }

    private async Task<SubmitResult> SubmitCoreAsync(OrderRequest request, CancellationToken cancellationToken)
    {
        if (_availability is not null && !_availability.IsAvailable(DependencyNames.Broker, out var retryAfter))
        {
            // A repeat of a known order is served from the journal even while the broker is down.
            var known = await _journal.FindByClientOrderIdAsync(request.ClientOrderId, cancellationToken);
            if (known is not null)
            {
                return AsRepeat(request, known);
            }

            Log.SubmitRefusedBrokerUnavailable(_logger, request.ClientOrderId, retryAfter);
            throw new DependencyUnavailableException(
                DependencyNames.Broker,
                "The broker is unavailable, so the order was not accepted; nothing was journaled.",
                retryAfter);
        }

        var order = Order.Create(Interlocked.Increment(ref _lastOrderId), request, _time.GetUtcNow());

        // From here on the client's cancellation is ignored: a committed insert must be followed through to the
        // broker, and the journal and broker adapters bound each call with their own timeouts.
        var insert = await _journal.InsertOrderAsync(order, CancellationToken.None);
        if (!insert.Inserted && !IsUnsentInsert(insert.Order, order.Id))
        {
            return AsRepeat(request, insert.Order);
        }

        if (!insert.Inserted && insert.Order.Id != order.Id)
        {
            // Checks the fields before the earlier row is sent in place of this request.
            AsRepeat(request, insert.Order);
            Log.UnsentOrderAdopted(_logger, insert.Order.Id, insert.Order.ClientOrderId);
        }

        var entry = new OrderEntry(insert.Order) { Submitting = true };
        Track(entry);
        var journaled = insert.Order;
        Log.OrderJournaled(
            _logger, journaled.Id, journaled.ClientOrderId, journaled.Symbol, journaled.Side, journaled.Quantity,
            journaled.Type);
        SubmitResult placed;
        try
        {
            placed = await PlaceAsync(entry);
        }
        finally
        {
            bool cancelPending;
            lock (entry.Sync)
            {
                entry.Submitting = false;
                cancelPending = entry.CancelPending;
            }

            if (cancelPending)
            {
                await SendPendingCancelAsync(entry);
            }
        }

        return placed;
    }

    private async Task<SubmitResult> PlaceAsync(OrderEntry entry)
    {
        var order = entry.Order;
        BrokerAck ack;
        try
        {
            ack = await _broker.PlaceOrderAsync(BrokerOrder.From(order), CancellationToken.None);
        }
        catch (BrokerRejectionException rejection)
        {
            Log.OrderRejectedByBroker(_logger, order.Id, order.ClientOrderId, rejection.Code, rejection.Message);
            var rejected = await ChangeAsync(
                entry,
                current => current.IsFinal ? null : Reject(current, rejection.Message),
                "rejected by the broker");
            return new SubmitResult(rejected, SubmitOutcome.Created);
        }
        catch (DependencyUnavailableException unavailable) when (!unavailable.RequestMayHaveReachedDependency)
        {
            Log.OrderNotSent(_logger, order.Id, order.ClientOrderId, unavailable.Dependency, unavailable);
            var rejected = await TryChangeAsync(
                entry,
                current => current.IsFinal ? null : Reject(current, "broker unavailable"),
                "rejected because the broker is unavailable");
            throw new OrderNotSentException(rejected ?? entry.Order, unavailable);
        }
#pragma warning disable CA1031 // Any other failure may have happened after the order left; it is reconciled, never resent.
        catch (Exception uncertain)
#pragma warning restore CA1031
        {
            Log.SubmitUncertain(_logger, order.Id, order.ClientOrderId, uncertain);
            var marked = await TryChangeAsync(
                entry,
                current => current.Status == OrderStatus.PendingSubmit && current.Attention == OrderAttention.None
                    ? Bump(current) with { Attention = OrderAttention.SubmitUncertain }
                    : null,
                "submit outcome uncertain");
            return new SubmitResult(marked ?? entry.Order, SubmitOutcome.Uncertain);
        }

        TrackBrokerId(entry, ack.BrokerOrderId);
        var acknowledged = await TryChangeAsync(entry, current => ApplyAck(current, ack), "acknowledged by the broker");
        if (acknowledged is null)
        {
            // The broker has the order but the journal still records pending submit, which the reconciler repairs.
            return new SubmitResult(entry.Order, SubmitOutcome.Created);
        }

        Log.OrderAcknowledged(_logger, order.Id, order.ClientOrderId, ack.BrokerOrderId, acknowledged.Status);
        return new SubmitResult(acknowledged, SubmitOutcome.Created);
    }

    /// <summary>
    /// Returns whether <paramref name="existing"/>, found by an insert that did not insert, is a row this process
    /// committed but never sent to the broker: either the retried insert of this very submit (it has the id this
    /// submit allocated, so the first attempt committed and only its reply was lost), or the row of an earlier submit
    /// whose insert committed but reported a failure, so that the client received 503 and retries now. Such a row
    /// is pending submit without a broker id, and the order manager does not track it: every open order of an earlier
    /// process is loaded by <see cref="StartAsync"/>, and every order sent by this one is tracked.
    /// </summary>
    private bool IsUnsentInsert(Order existing, long allocatedId) =>
        existing.Id == allocatedId
        || (existing.Status == OrderStatus.PendingSubmit && existing.BrokerOrderId is null
            && existing.Attention == OrderAttention.None && !_open.ContainsKey(existing.Id));

    private Order? ApplyAck(Order current, BrokerAck ack)
    {
        if (current.IsFinal || (current.BrokerOrderId is not null && current.Status != OrderStatus.PendingSubmit))
        {
            // An update that raced the acknowledgement already moved the order on.
            return null;
        }

        var status = OrderTransitions.Next(current.Status, ack.Status, current.FilledQuantity, current.Quantity);
        return Bump(current) with
        {
            Status = status,
            BrokerOrderId = ack.BrokerOrderId,
            Attention = current.Attention == OrderAttention.SubmitUncertain ? OrderAttention.None : current.Attention,
        };
    }

    private Order Reject(Order current, string reason) =>
        Bump(current) with { Status = OrderStatus.Rejected, Reason = reason, Attention = OrderAttention.None };

    private Order Bump(Order current) =>
        current with { Version = current.Version + 1, UpdatedAt = _time.GetUtcNow() };

    private void Track(OrderEntry entry)
    {
        var order = entry.Order;
        if (order.IsFinal)
        {
            return;
        }

        _open[order.Id] = entry;
        _openByClientId[order.ClientOrderId] = entry;
        if (order.BrokerOrderId is not null)
        {
            _openByBrokerId[order.BrokerOrderId] = entry;
        }
    }

    private void TrackBrokerId(OrderEntry entry, string brokerOrderId)
    {
        if (!entry.Order.IsFinal)
        {
            _openByBrokerId[brokerOrderId] = entry;
        }
    }

    private void Untrack(OrderEntry entry)
    {
        var order = entry.Order;
        _open.TryRemove(new KeyValuePair<long, OrderEntry>(order.Id, entry));
        _openByClientId.TryRemove(new KeyValuePair<string, OrderEntry>(order.ClientOrderId, entry));
        if (order.BrokerOrderId is not null)
        {
            _openByBrokerId.TryRemove(new KeyValuePair<string, OrderEntry>(order.BrokerOrderId, entry));
        }
    }
}
