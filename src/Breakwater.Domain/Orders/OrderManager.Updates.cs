using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Journal;

namespace Breakwater.Domain.Orders;

public sealed partial class OrderManager
{
    /// <summary>
    /// Journals a status change or fill reported by the broker. Updates of one order are applied one at a time and in
    /// arrival order; a fill whose execution id is already journaled is ignored.
    /// </summary>
    /// <remarks>
    /// The returned task completes once the change is committed, so an adapter that awaits it may treat the update as
    /// delivered. It faults when the journal write fails; the adapter should deliver the update again later.
    /// </remarks>
    public async ValueTask OnOrderUpdateAsync(BrokerOrderUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (!IsStarted)
        {
            // Before the open orders are loaded every update would look untracked and be acknowledged as a late
            // duplicate. Throwing makes the adapter deliver it again once the orders are loaded.
            throw new InvalidOperationException(
                $"The update {update.Status} of broker order {update.BrokerOrderId} arrived before the order " +
                $"manager started, so it was not applied. Deliver it again after {nameof(StartAsync)} completes.");
        }

        var entry = FindEntry(update.BrokerOrderId, update.ClientOrderId);
        if (entry is null)
        {
            await HandleUntrackedUpdateAsync(update, cancellationToken);
            return;
        }

        await entry.Gate.WaitAsync(cancellationToken);
        try
        {
            await ApplyUpdateLockedAsync(entry, update);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>Number of fills the broker reported for orders that were already cancelled or rejected.</summary>
    public long LateFillCount => Interlocked.Read(ref _lateFills);

    private OrderEntry? FindEntry(string? brokerOrderId, string? clientOrderId)
    {
        if (brokerOrderId is not null && _openByBrokerId.TryGetValue(brokerOrderId, out var entry))
        {
            return entry;
        }

        return clientOrderId is not null && _openByClientId.TryGetValue(clientOrderId, out entry) ? entry : null;
    }

    private async Task HandleUntrackedUpdateAsync(BrokerOrderUpdate update, CancellationToken cancellationToken)
    {
        // A status update of a final order is a late duplicate. A fill of one changes the position, so it is journaled.
        // An update that matches no journaled order is logged as a warning.
        Order? known;
        try
        {
            known = update.ClientOrderId is null
                ? null
                : await _journal.FindByClientOrderIdAsync(update.ClientOrderId, cancellationToken);
        }
        catch (DependencyUnavailableException unavailable) when (update.Fill is null)
        {
            // Nothing of an untracked order is journaled, so a status update is acknowledged without the lookup
            // instead of blocking the broker's later updates until the database is back. A fill is never dropped:
            // the exception makes the adapter deliver it again.
            Log.UntrackedUpdateNotLookedUp(
                _logger, update.BrokerOrderId, update.ClientOrderId, update.Status, unavailable.Message);
            return;
        }

        if (known is null)
        {
            Log.UpdateOfUnknownOrder(_logger, update.BrokerOrderId, update.ClientOrderId, update.Status);
            return;
        }

        if (update.Fill is null || !known.IsFinal)
        {
            Log.UpdateOfFinalOrderIgnored(_logger, known.Id, known.ClientOrderId, update.Status, known.Status);
            return;
        }

        // A final order has no tracked entry, so a transient one carries its journaled fills and a redelivered fill is
        // recognised. The journal's version check separates two deliveries that arrive at once.
        var entry = new OrderEntry(known);
        await entry.Gate.WaitAsync(cancellationToken);
        try
        {
            await ReloadLockedAsync(entry);
            await ApplyUpdateLockedAsync(entry, update);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private async Task ApplyUpdateLockedAsync(OrderEntry entry, BrokerOrderUpdate update)
    {
        // A version conflict means the in-memory state was behind the journal, because a write whose outcome was
        // unknown committed after all. The state was reloaded, so the change is computed again from the stored one.
        for (var attempt = 1; ; attempt++)
        {
            if (await TryApplyUpdateLockedAsync(entry, update) != AppendOutcome.VersionConflict)
            {
                return;
            }

            if (attempt == MaxConflictAttempts)
            {
                throw ConflictPersists(entry.Order, attempt);
            }
        }
    }

    /// <summary>Journals the change <paramref name="update"/> makes; null when it changes nothing.</summary>
    private async Task<AppendOutcome?> TryApplyUpdateLockedAsync(OrderEntry entry, BrokerOrderUpdate update)
    {
        var current = entry.Order;
        if (update.Fill is { } fill && !entry.ExecutionIds.Contains(fill.ExecutionId))
        {
            if (DescribeImpossibleFill(current, fill) is { } problem)
            {
                return await RejectFillLockedAsync(entry, fill, problem);
            }

            return current.IsFinal
                ? await ApplyLateFillLockedAsync(entry, fill)
                : await ApplyFillLockedAsync(entry, update, fill);
        }

        if (current.IsFinal)
        {
            Log.UpdateOfFinalOrderIgnored(_logger, current.Id, current.ClientOrderId, update.Status, current.Status);
            return null;
        }

        var status = OrderTransitions.Next(current.Status, update.Status, current.FilledQuantity, current.Quantity);
        var brokerOrderId = current.BrokerOrderId ?? update.BrokerOrderId;
        var attention = ClearSubmitUncertain(current.Attention);
        if (status == current.Status && brokerOrderId == current.BrokerOrderId && attention == current.Attention)
        {
            return null;
        }

        var changed = Bump(current) with
        {
            Status = status,
            BrokerOrderId = brokerOrderId,
            Attention = attention,
            Reason = status.IsFinal() ? update.Reason ?? current.Reason : current.Reason,
        };
        var outcome = await CommitLockedAsync(entry, changed, OrderEventKind.StatusChanged, fill: null, update.Reason);
        if (outcome == AppendOutcome.Appended)
        {
            Log.OrderStatusChanged(_logger, current.Id, current.ClientOrderId, current.Status, status, update.Reason);
        }

        return outcome;
    }

    private async Task<AppendOutcome> ApplyFillLockedAsync(OrderEntry entry, BrokerOrderUpdate update, Fill fill)
    {
        var current = entry.Order;
        var filled = current.FilledQuantity + fill.Quantity;
        var next = Bump(current) with
        {
            Status = OrderTransitions.Next(current.Status, update.Status, filled, current.Quantity),
            FilledQuantity = filled,
            AverageFillPrice = (entry.FilledNotional + (fill.Quantity * fill.Price)) / filled,
            BrokerOrderId = current.BrokerOrderId ?? update.BrokerOrderId,
            Attention = ClearSubmitUncertain(current.Attention),
            Reason = update.Status.IsFinal() ? update.Reason ?? current.Reason : current.Reason,
        };
        var outcome = await CommitLockedAsync(entry, next, OrderEventKind.Filled, fill, detail: null);
        if (outcome == AppendOutcome.Appended)
        {
            Log.OrderFilled(_logger, current.Id, current.ClientOrderId, fill.ExecutionId, fill.Quantity, fill.Price,
                filled, next.Status);
        }

        return outcome;
    }

    /// <summary>
    /// Journals a fill of a cancelled or rejected order without changing its status, and flags the order: the broker
    /// executed what the gateway believed was off the market, so the position needs an operator.
    /// </summary>
    private async Task<AppendOutcome> ApplyLateFillLockedAsync(OrderEntry entry, Fill fill)
    {
        var current = entry.Order;
        var filled = current.FilledQuantity + fill.Quantity;
        var next = Bump(current) with
        {
            FilledQuantity = filled,
            AverageFillPrice = (entry.FilledNotional + (fill.Quantity * fill.Price)) / filled,
            Attention = OrderAttention.LateFill,
        };
        var outcome = await CommitLockedAsync(
            entry, next, OrderEventKind.Filled, fill, $"fill reported after the order was {current.Status}");
        if (outcome == AppendOutcome.Appended)
        {
            Interlocked.Increment(ref _lateFills);
            Log.LateFillOnFinalOrder(
                _logger, current.Id, current.ClientOrderId, current.Status, fill.ExecutionId, fill.Quantity, fill.Price);
        }

        return outcome;
    }

    /// <summary>Returns why <paramref name="fill"/> cannot be a fill of <paramref name="order"/>, or null.</summary>
    private static string? DescribeImpossibleFill(Order order, Fill fill)
    {
        if (fill.Quantity <= 0)
        {
            return $"quantity {fill.Quantity} is not positive";
        }

        if (fill.Price <= 0m)
        {
            return $"price {fill.Price} is not positive";
        }

        var filled = order.FilledQuantity + fill.Quantity;
        return filled > order.Quantity
            ? $"it takes the filled quantity to {filled}, above the order quantity {order.Quantity}"
            : null;
    }

    /// <summary>
    /// Leaves the order's quantities as they are and flags it for an operator. Nothing is thrown, because the adapter
    /// would deliver the same fill again for ever; a journal failure while flagging still propagates, so the flag is
    /// written once the journal is back.
    /// </summary>
    private async Task<AppendOutcome?> RejectFillLockedAsync(OrderEntry entry, Fill fill, string problem)
    {
        var current = entry.Order;
        Log.ImpossibleFillRejected(
            _logger, current.Id, current.ClientOrderId, fill.ExecutionId, fill.Quantity, fill.Price, problem);
        if (current.Attention == OrderAttention.InvalidFill)
        {
            return null;
        }

        var flagged = Bump(current) with { Attention = OrderAttention.InvalidFill };
        return await CommitLockedAsync(
            entry, flagged, OrderEventKind.AttentionChanged, fill: null,
            $"fill {fill.ExecutionId} rejected: {problem}");
    }

    private static OrderAttention ClearSubmitUncertain(OrderAttention attention) =>
        attention == OrderAttention.SubmitUncertain ? OrderAttention.None : attention;

    /// <summary>
    /// Applies <paramref name="change"/> to the current state under the order's lock and journals the result; when the
    /// journal is ahead of the in-memory state, reloads it and applies <paramref name="change"/> to the stored state.
    /// Returns the new state, or the current one when <paramref name="change"/> returned null. Journal failures
    /// propagate.
    /// </summary>
    private async Task<Order> ChangeAsync(OrderEntry entry, Func<Order, Order?> change, string detail)
    {
        await entry.Gate.WaitAsync();
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var current = entry.Order;
                var next = change(current);
                if (next is null)
                {
                    return current;
                }

                var kind = next.Status == current.Status && next.Attention != current.Attention
                    ? OrderEventKind.AttentionChanged
                    : OrderEventKind.StatusChanged;
                if (await CommitLockedAsync(entry, next, kind, fill: null, detail) != AppendOutcome.VersionConflict)
                {
                    return entry.Order;
                }

                if (attempt == MaxConflictAttempts)
                {
                    throw ConflictPersists(entry.Order, attempt);
                }
            }
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>Like <see cref="ChangeAsync"/>, but logs a journal failure and returns null instead of throwing.</summary>
    private async Task<Order?> TryChangeAsync(OrderEntry entry, Func<Order, Order?> change, string detail)
    {
        try
        {
            return await ChangeAsync(entry, change, detail);
        }
#pragma warning disable CA1031 // The caller has a fallback for every journal failure; the failure is logged.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.JournalWriteFailed(_logger, entry.Order.Id, entry.Order.ClientOrderId, detail, exception);
            return null;
        }
    }

    /// <summary>
    /// Journals <paramref name="next"/> and makes it the current state, together with <paramref name="fill"/>. When the
    /// journal rejects the change, or an earlier write's outcome is unknown, reloads the order and its fills from the
    /// journal instead and returns why the change was not written. The caller holds the order's lock.
    /// </summary>
    private async Task<AppendOutcome> CommitLockedAsync(
        OrderEntry entry, Order next, OrderEventKind kind, Fill? fill, string? detail)
    {
        if (entry.Stale)
        {
            await ReloadLockedAsync(entry);
            if (entry.Order.Version != next.Version - 1)
            {
                Log.StateReloaded(
                    _logger, next.Id, next.ClientOrderId, next.Version, AppendOutcome.VersionConflict,
                    entry.Order.Version);
                return AppendOutcome.VersionConflict;
            }
        }

        var change = new OrderChange(
            next, new OrderEvent(next.Id, next.Version, kind, next.Status, next.UpdatedAt, fill, detail));
        AppendOutcome outcome;
        try
        {
            outcome = await _journal.AppendChangeAsync(change, CancellationToken.None);
        }
        catch
        {
            // The write may still commit (a timed-out call whose statement is queued, a lost commit ack), so the
            // next change starts from the journal's state rather than from this one.
            entry.Stale = true;
            throw;
        }

        if (outcome == AppendOutcome.Appended)
        {
            if (fill is not null)
            {
                entry.ExecutionIds.Add(fill.ExecutionId);
                entry.FilledNotional += fill.Quantity * fill.Price;
            }

            SetStateLocked(entry, next);
            return outcome;
        }

        await ReloadLockedAsync(entry);
        Log.StateReloaded(_logger, next.Id, next.ClientOrderId, next.Version, outcome, entry.Order.Version);
        return outcome;
    }

    /// <summary>
    /// Replaces the in-memory state of the order, its execution ids and its filled notional by the journal's. The
    /// caller holds the order's lock.
    /// </summary>
    private async Task ReloadLockedAsync(OrderEntry entry)
    {
        var id = entry.Order.Id;
        var history = await _journal.GetHistoryAsync(id, CancellationToken.None);
        var stored = await _journal.GetOrderAsync(id, CancellationToken.None)
            ?? throw new InvalidOperationException(
                $"Order {id} cannot be reloaded because the journal has no order with that id.");
        LoadFills(entry, history, stored);
        entry.Stale = false;
        if (stored.Version >= entry.Order.Version)
        {
            SetStateLocked(entry, stored);
        }
    }

    /// <summary>Sets the execution ids and filled notional of <paramref name="entry"/> from the journaled fills.</summary>
    private static void LoadFills(OrderEntry entry, IReadOnlyList<OrderEvent> history, Order stored)
    {
        entry.ExecutionIds.Clear();
        entry.FilledNotional = 0m;
        var quantity = 0L;
        foreach (var fill in history.Select(e => e.Fill).OfType<Fill>())
        {
            if (entry.ExecutionIds.Add(fill.ExecutionId))
            {
                entry.FilledNotional += fill.Quantity * fill.Price;
                quantity += fill.Quantity;
            }
        }

        if (quantity != stored.FilledQuantity && stored.AverageFillPrice is { } average)
        {
            // NOTE: the spilling journal returns the spilled order state but the database's history, so fills still in
            // the spill are missing here. The notional then comes from the average price, rounded as stored.
            entry.FilledNotional = average * stored.FilledQuantity;
        }
    }

    private static InvalidOperationException ConflictPersists(Order order, int attempts) =>
        new($"Order {order.Id} was not journaled after {attempts} attempts because the journal rejected each " +
            $"change as not newer than its version {order.Version}. Deliver the update again.");

    private void SetStateLocked(OrderEntry entry, Order order)
    {
        var previous = entry.Order;
        entry.Order = order;
        if (order.BrokerOrderId is not null && previous.BrokerOrderId is null && !order.IsFinal)
        {
            _openByBrokerId[order.BrokerOrderId] = entry;
        }

        if (!order.IsFinal || previous.IsFinal)
        {
            return;
        }

        Untrack(entry);
        entry.Final.TrySetResult(order);
        Log.OrderFinal(_logger, order.Id, order.ClientOrderId, order.Status, order.FilledQuantity, order.Reason);
        OrderFinalized?.Invoke(order);
    }
}
