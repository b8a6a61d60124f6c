using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Journal;

namespace Breakwater.Domain.Orders;

public sealed partial class OrderManager
{
    /// <summary>
    /// Runs <see cref="ReconcileUncertainAsync"/> every <see cref="OrderManagerOptions.ReconcileInterval"/> until
    /// <paramref name="cancellationToken"/> is cancelled. The host runs it as a background service.
    /// </summary>
    public async Task RunReconcilerAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.ReconcileInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await ReconcileUncertainAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Normal shutdown.
        }
    }

    /// <summary>
    /// Looks up, by client order id, every open order whose submit outcome is uncertain (marked
    /// <see cref="OrderAttention.SubmitUncertain"/>, or still pending submit with no submit running) and adopts the
    /// broker's state. An order the broker has no record of is journaled as rejected once it is older than
    /// <see cref="OrderManagerOptions.SubmitUncertainGracePeriod"/>. Never sends an order again.
    /// </summary>
    /// <returns>The number of orders whose state was resolved.</returns>
    public async Task<int> ReconcileUncertainAsync(CancellationToken cancellationToken)
    {
        var candidates = _open.Values
            .Where(entry => !entry.Submitting
                && entry.Order is { IsFinal: false } order
                && (order.Attention == OrderAttention.SubmitUncertain || order.Status == OrderStatus.PendingSubmit
                    || HasPendingCancel(entry)))
            .ToList();
        var resolved = 0;
        foreach (var entry in candidates)
        {
            try
            {
                var outcome = await ReconcileEntryAsync(entry, knownState: null, cancellationToken);
                if (outcome is ReconcileOutcome.Updated or ReconcileOutcome.Rejected)
                {
                    resolved++;
                }

                if (HasPendingCancel(entry) && entry.Order is { IsFinal: false, BrokerOrderId: not null })
                {
                    await SendPendingCancelAsync(entry);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A journal failure leaves the order as it was; the next pass tries again.
                Log.ReconcileFailed(_logger, entry.Order.Id, entry.Order.ClientOrderId, exception);
            }
        }

        return resolved;
    }

    /// <summary>
    /// Compares every journaled open order with the broker and journals the broker's status and fills; used at start
    /// after a crash. Working orders that no journaled order matches are returned as orphans, for the caller's orphan
    /// policy (cancel them at the broker, or take them over with <see cref="AdoptAsync"/>).
    /// </summary>
    /// <exception cref="DependencyUnavailableException">The broker's open orders could not be listed.</exception>
    public async Task<ReconcileReport> ReconcileAsync(CancellationToken cancellationToken)
    {
        var working = await _broker.GetOpenOrdersAsync(OpenOrderScope.Gateway, cancellationToken);
        var byBrokerId = working.ToDictionary(state => state.BrokerOrderId, StringComparer.Ordinal);
        var byClientId = working.Where(state => state.ClientOrderId is not null)
            .GroupBy(state => state.ClientOrderId!, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.First(), StringComparer.Ordinal);
        var matched = new HashSet<string>(StringComparer.Ordinal);
        var entries = _open.Values.OrderBy(entry => entry.Order.Id).ToList();
        int updated = 0, rejected = 0;
        var unresolved = new List<long>();
        foreach (var entry in entries)
        {
            var order = entry.Order;
            BrokerOrderState? state = null;
            if (order.BrokerOrderId is not null)
            {
                byBrokerId.TryGetValue(order.BrokerOrderId, out state);
            }

            if (state is null)
            {
                byClientId.TryGetValue(order.ClientOrderId, out state);
            }

            if (state is not null)
            {
                matched.Add(state.BrokerOrderId);
            }

            var outcome = await ReconcileEntryAsync(entry, state, cancellationToken);
            switch (outcome)
            {
                case ReconcileOutcome.Updated:
                    updated++;
                    break;
                case ReconcileOutcome.Rejected:
                    rejected++;
                    break;
                case ReconcileOutcome.Unresolved:
                    unresolved.Add(order.Id);
                    break;
            }
        }

        var orphans = working.Where(state => !matched.Contains(state.BrokerOrderId)).ToList();
        Log.Reconciled(_logger, entries.Count, updated, rejected, unresolved.Count, orphans.Count);
        return new ReconcileReport(entries.Count, updated, rejected, unresolved, orphans);
    }

    /// <summary>
    /// Journals an order that works at the broker but that this gateway has no record of, with the broker's status
    /// and fills, and tracks it like any other order from then on.
    /// </summary>
    /// <returns>The journaled order, or the existing one when its client order id is already journaled.</returns>
    public async Task<Order> AdoptAsync(BrokerOrderState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var clientOrderId = state.ClientOrderId ?? "adopted-" + state.BrokerOrderId;
        var request = new OrderRequest(
            clientOrderId, state.Symbol, state.Side, state.Quantity, state.Type, state.LimitPrice, TimeInForce.Gtc);
        var order = Order.Create(Interlocked.Increment(ref _lastOrderId), request, _time.GetUtcNow()) with
        {
            BrokerOrderId = state.BrokerOrderId,
        };
        var insert = await _journal.InsertOrderAsync(order, cancellationToken);
        if (!insert.Inserted)
        {
            return insert.Order;
        }

        var entry = new OrderEntry(insert.Order);
        Track(entry);
        Log.OrderAdopted(_logger, order.Id, clientOrderId, state.BrokerOrderId, state.Status);
        await ReconcileEntryAsync(entry, state, cancellationToken);
        return entry.Order;
    }

    private static bool HasPendingCancel(OrderEntry entry)
    {
        lock (entry.Sync)
        {
            return entry.CancelPending;
        }
    }

    private enum ReconcileOutcome
    {
        Unchanged,
        Updated,
        Rejected,
        Unresolved,
    }

    private async Task<ReconcileOutcome> ReconcileEntryAsync(
        OrderEntry entry, BrokerOrderState? knownState, CancellationToken cancellationToken)
    {
        var order = entry.Order;
        if (entry.Submitting)
        {
            return ReconcileOutcome.Unresolved;
        }

        var state = knownState;
        if (state is null)
        {
            try
            {
                state = await _broker.FindOrderAsync(order.ClientOrderId, cancellationToken);
            }
            catch (Exception exception) when (exception is DependencyUnavailableException or TimeoutException
                or IOException or BrokerRejectionException)
            {
                Log.ReconcileLookupFailed(_logger, order.Id, order.ClientOrderId, exception);
                return ReconcileOutcome.Unresolved;
            }
        }

        await entry.Gate.WaitAsync(cancellationToken);
        try
        {
            var before = entry.Order;
            if (before.IsFinal)
            {
                return ReconcileOutcome.Unchanged;
            }

            if (state is not null)
            {
                await AdoptStateLockedAsync(entry, state);
                return entry.Order.Version == before.Version ? ReconcileOutcome.Unchanged : ReconcileOutcome.Updated;
            }

            return await ResolveMissingLockedAsync(entry);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private async Task AdoptStateLockedAsync(OrderEntry entry, BrokerOrderState state)
    {
        var quantity = entry.Order.Quantity;
        var cumulative = entry.Order.FilledQuantity;
        foreach (var fill in state.Fills.Where(fill => !entry.ExecutionIds.Contains(fill.ExecutionId)))
        {
            cumulative += fill.Quantity;
            var reported = cumulative >= quantity ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
            await ApplyUpdateLockedAsync(
                entry,
                new BrokerOrderUpdate(state.BrokerOrderId, state.ClientOrderId, reported, cumulative, fill, null, fill.Time));
        }

        await ApplyUpdateLockedAsync(
            entry,
            new BrokerOrderUpdate(
                state.BrokerOrderId,
                state.ClientOrderId,
                state.Status,
                state.FilledQuantity,
                Fill: null,
                Reason: state.Status.IsFinal() ? "reconciled with the broker" : null,
                _time.GetUtcNow()));
    }

    private async Task<ReconcileOutcome> ResolveMissingLockedAsync(OrderEntry entry)
    {
        var order = entry.Order;
        if (order.Status != OrderStatus.PendingSubmit)
        {
            // The broker acknowledged the order once; a missing record is for an operator, not for a guess.
            Log.AcknowledgedOrderMissingAtBroker(_logger, order.Id, order.ClientOrderId, order.BrokerOrderId);
            return ReconcileOutcome.Unresolved;
        }

        if (order.Attention != OrderAttention.SubmitUncertain)
        {
            // The grace period starts when the submit is known to be uncertain, which is now for an order left
            // pending by an earlier process; the mark's time is journaled, so a restart does not reset it.
            var marked = Bump(order) with { Attention = OrderAttention.SubmitUncertain };
            await CommitLockedAsync(entry, marked, OrderEventKind.AttentionChanged, fill: null, "submit outcome uncertain");
            return ReconcileOutcome.Unresolved;
        }

        // UpdatedAt is the time of the uncertain mark, because a pending-submit order does not change again until it
        // is resolved.
        var age = _time.GetUtcNow() - order.UpdatedAt;
        if (age >= _options.SubmitUncertainGracePeriod)
        {
            var reason =
                $"The broker has no record of the order {_options.SubmitUncertainGracePeriod.TotalSeconds:0.###} s " +
                "after an uncertain submit, so it was never placed.";
            var outcome = await CommitLockedAsync(
                entry, Reject(order, reason), OrderEventKind.StatusChanged, fill: null, reason);
            if (outcome != AppendOutcome.Appended)
            {
                // The journal was ahead of this state and it was reloaded; the next pass looks at the stored one.
                return ReconcileOutcome.Unresolved;
            }

            Log.UncertainOrderRejected(_logger, order.Id, order.ClientOrderId, age);
            return ReconcileOutcome.Rejected;
        }

        return ReconcileOutcome.Unresolved;
    }
}
