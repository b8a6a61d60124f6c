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
        var entry = FindEntry(update.BrokerOrderId, update.ClientOrderId);
        if (entry is null)
        {
            await LogUntrackedUpdateAsync(update, cancellationToken);
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

    private OrderEntry? FindEntry(string? brokerOrderId, string? clientOrderId)
    {
        if (brokerOrderId is not null && _openByBrokerId.TryGetValue(brokerOrderId, out var entry))
        {
            return entry;
        }

        return clientOrderId is not null && _openByClientId.TryGetValue(clientOrderId, out entry) ? entry : null;
    }

    private async Task LogUntrackedUpdateAsync(BrokerOrderUpdate update, CancellationToken cancellationToken)
    {
        // An update of a final order is a late duplicate; one that matches no journaled order is worth a warning.
        Order? known;
        try
        {
            known = update.ClientOrderId is null
                ? null
                : await _journal.FindByClientOrderIdAsync(update.ClientOrderId, cancellationToken);
        }
        catch (DependencyUnavailableException unavailable)
        {
            // Nothing of an untracked order is journaled, so the update is acknowledged without the lookup instead
            // of blocking the broker's later updates until the database is back.
            Log.UntrackedUpdateNotLookedUp(
                _logger, update.BrokerOrderId, update.ClientOrderId, update.Status, unavailable.Message);
            return;
        }

        if (known is not null)
        {
            Log.UpdateOfFinalOrderIgnored(_logger, known.Id, known.ClientOrderId, update.Status, known.Status);
            return;
        }

        Log.UpdateOfUnknownOrder(_logger, update.BrokerOrderId, update.ClientOrderId, update.Status);
    }

    private async Task ApplyUpdateLockedAsync(OrderEntry entry, BrokerOrderUpdate update)
    {
        var current = entry.Order;
        if (current.IsFinal)
        {
            Log.UpdateOfFinalOrderIgnored(_logger, current.Id, current.ClientOrderId, update.Status, current.Status);
            return;
        }

        if (update.Fill is { } fill && !entry.ExecutionIds.Contains(fill.ExecutionId))
        {
            var filled = current.FilledQuantity + fill.Quantity;
            var notional = entry.FilledNotional + (fill.Quantity * fill.Price);
            var next = Bump(current) with
            {
                Status = OrderTransitions.Next(current.Status, update.Status, filled, current.Quantity),
                FilledQuantity = filled,
                AverageFillPrice = notional / filled,
                BrokerOrderId = current.BrokerOrderId ?? update.BrokerOrderId,
                Attention = ClearSubmitUncertain(current.Attention),
                Reason = update.Status.IsFinal() ? update.Reason ?? current.Reason : current.Reason,
            };
            if (filled > current.Quantity)
            {
                Log.OverfillReported(_logger, current.Id, current.ClientOrderId, filled, current.Quantity);
            }

            if (await CommitLockedAsync(entry, next, OrderEventKind.Filled, fill, detail: null))
            {
                entry.ExecutionIds.Add(fill.ExecutionId);
                entry.FilledNotional = notional;
                Log.OrderFilled(_logger, current.Id, current.ClientOrderId, fill.ExecutionId, fill.Quantity, fill.Price,
                    filled, next.Status);
            }

            return;
        }

        var status = OrderTransitions.Next(current.Status, update.Status, current.FilledQuantity, current.Quantity);
        var brokerOrderId = current.BrokerOrderId ?? update.BrokerOrderId;
        var attention = ClearSubmitUncertain(current.Attention);
        if (status == current.Status && brokerOrderId == current.BrokerOrderId && attention == current.Attention)
        {
            return;
        }

        var changed = Bump(current) with
        {
            Status = status,
            BrokerOrderId = brokerOrderId,
            Attention = attention,
            Reason = status.IsFinal() ? update.Reason ?? current.Reason : current.Reason,
        };
        if (await CommitLockedAsync(entry, changed, OrderEventKind.StatusChanged, fill: null, update.Reason))
        {
            Log.OrderStatusChanged(_logger, current.Id, current.ClientOrderId, current.Status, status, update.Reason);
        }
    }

    private static OrderAttention ClearSubmitUncertain(OrderAttention attention) =>
        attention == OrderAttention.SubmitUncertain ? OrderAttention.None : attention;

    /// <summary>
    /// Applies <paramref name="change"/> to the current state under the order's lock and journals the result.
    /// Returns the new state, or the current one when <paramref name="change"/> returned null. Journal failures
    /// propagate.
    /// </summary>
    private async Task<Order> ChangeAsync(OrderEntry entry, Func<Order, Order?> change, string detail)
    {
        await entry.Gate.WaitAsync();
        try
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
            await CommitLockedAsync(entry, next, kind, fill: null, detail);
            return entry.Order;
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
    /// Journals <paramref name="next"/> and makes it the current state. Returns false when the journal already had the
    /// change; the state is then reloaded from the journal. The caller holds the order's lock.
    /// </summary>
    private async Task<bool> CommitLockedAsync(
        OrderEntry entry, Order next, OrderEventKind kind, Fill? fill, string? detail)
    {
        var change = new OrderChange(
            next, new OrderEvent(next.Id, next.Version, kind, next.Status, next.UpdatedAt, fill, detail));
        var appended = await _journal.AppendChangeAsync(change, CancellationToken.None);
        if (!appended)
        {
            var stored = await _journal.GetOrderAsync(next.Id, CancellationToken.None);
            Log.ChangeAlreadyJournaled(_logger, next.Id, next.ClientOrderId, next.Version, stored?.Version ?? 0);
            if (stored is not null && stored.Version >= entry.Order.Version)
            {
                SetStateLocked(entry, stored);
            }

            if (fill is not null)
            {
                entry.ExecutionIds.Add(fill.ExecutionId);
            }

            return false;
        }

        SetStateLocked(entry, next);
        return true;
    }

    private void SetStateLocked(OrderEntry entry, Order order)
    {
        var previous = entry.Order;
        entry.Order = order;
        if (order.BrokerOrderId is not null && previous.BrokerOrderId is null && !order.IsFinal)
        {
            _openByBrokerId[order.BrokerOrderId] = entry;
        }

        if (!order.IsFinal)
        {
            return;
        }

        Untrack(entry);
        entry.Final.TrySetResult(order);
        Log.OrderFinal(_logger, order.Id, order.ClientOrderId, order.Status, order.FilledQuantity, order.Reason);
        OrderFinalized?.Invoke(order);
    }
}
