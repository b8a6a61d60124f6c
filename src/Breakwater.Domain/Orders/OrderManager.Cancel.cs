using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;

namespace Breakwater.Domain.Orders;

public sealed partial class OrderManager
{
    /// <summary>
    /// Requests the cancel of an open order at the broker, then journals <see cref="OrderStatus.PendingCancel"/> as a
    /// best effort. The broker's confirmation arrives later as an update.
    /// </summary>
    /// <exception cref="OrderNotFoundException">No order has <paramref name="orderId"/>.</exception>
    /// <exception cref="OrderConflictException">The order is already final, or the broker refused the cancel.</exception>
    /// <exception cref="DependencyUnavailableException">The broker could not be reached.</exception>
    public async Task<CancelResult> CancelAsync(long orderId, CancellationToken cancellationToken)
    {
        if (!_open.TryGetValue(orderId, out var entry))
        {
            // Not open in memory: the order is final or unknown, and only then is the journal consulted.
            var order = await _journal.GetOrderAsync(orderId, cancellationToken)
                ?? throw new OrderNotFoundException(orderId);
            if (!_open.TryGetValue(orderId, out entry))
            {
                throw AlreadyFinal(order);
            }
        }

        return await CancelEntryAsync(entry, cancellationToken);
    }

    /// <summary>
    /// Requests the cancel of every open order, at most <see cref="OrderManagerOptions.CancelAllParallelism"/> at once.
    /// Never touches the journal before the broker, so it works while the database is down.
    /// </summary>
    /// <remarks>
    /// Once started, the cancels run to the end even when <paramref name="cancellationToken"/> is cancelled (a client
    /// that disconnects must not leave half of the orders working): the token only stops the caller's wait. A cancel
    /// that fails, for any reason, is reported in <see cref="CancelAllResult.Failures"/> and the others go on.
    /// </remarks>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<CancelAllResult> CancelAllAsync(CancellationToken cancellationToken) =>
        CancelAllCoreAsync().WaitAsync(cancellationToken);

    private async Task<CancelAllResult> CancelAllCoreAsync()
    {
        var entries = _open.Values.Where(entry => !entry.Order.IsFinal).OrderBy(entry => entry.Order.Id).ToList();
        var requested = 0;
        var alreadyFinal = 0;
        var failures = new List<CancelFailure>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.CancelAllParallelism };
        await Parallel.ForEachAsync(entries, parallel, async (entry, _) =>
        {
            var order = entry.Order;
            try
            {
                await CancelEntryAsync(entry, CancellationToken.None);
                Interlocked.Increment(ref requested);
            }
            catch (OrderConflictException conflict) when (conflict.Kind == OrderConflictKind.AlreadyFinal)
            {
                Interlocked.Increment(ref alreadyFinal);
            }
#pragma warning disable CA1031 // One failed cancel must not stop the others; each failure is logged and reported.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Log.CancelFailed(_logger, order.Id, order.ClientOrderId, exception);
                lock (failures)
                {
                    failures.Add(new CancelFailure(order.Id, order.ClientOrderId, exception.Message));
                }
            }
        });

        Log.CancelAllFinished(_logger, entries.Count, requested, alreadyFinal, failures.Count);
        return new CancelAllResult(requested, alreadyFinal, failures.OrderBy(f => f.OrderId).ToList());
    }

    private async Task<CancelResult> CancelEntryAsync(OrderEntry entry, CancellationToken cancellationToken)
    {
        var order = entry.Order;
        if (order.IsFinal)
        {
            throw AlreadyFinal(order);
        }

        if (order.BrokerOrderId is null && entry.Submitting)
        {
            // The broker has not acknowledged the order yet, so it may not know it: the submit sends the cancel as
            // soon as it ends, whatever its outcome.
            lock (entry.Sync)
            {
                if (entry.Submitting)
                {
                    entry.CancelPending = true;
                    Log.CancelDeferredUntilAck(_logger, order.Id, order.ClientOrderId);
                    return new CancelResult(entry.Order, Journaled: false);
                }
            }
        }

        var reference = new BrokerOrderReference(order.Id, order.ClientOrderId, order.BrokerOrderId);
        try
        {
            await _broker.CancelOrderAsync(reference, cancellationToken);
        }
        catch (BrokerRejectionException rejection) when (rejection.Code == BrokerRejectionCode.OrderAlreadyFinal)
        {
            Log.CancelRejected(_logger, order.Id, order.ClientOrderId, rejection.Code, rejection.Message);
            throw AlreadyFinal(entry.Order, rejection);
        }
        catch (BrokerRejectionException rejection)
        {
            Log.CancelRejected(_logger, order.Id, order.ClientOrderId, rejection.Code, rejection.Message);
            throw new OrderConflictException(
                OrderConflictKind.CancelRejected,
                entry.Order,
                $"The broker rejected the cancel of order {order.Id}: {rejection.Message}",
                rejection);
        }

        Log.CancelRequested(_logger, order.Id, order.ClientOrderId, order.BrokerOrderId);

        // The broker has the cancel; journaling the pending cancel must not delay the response when the database is
        // slow or down, because the broker's confirmation is journaled later anyway.
        var journaling = TryChangeAsync(
            entry,
            current => current.IsFinal || current.Status == OrderStatus.PendingCancel
                ? null
                : Bump(current) with { Status = OrderStatus.PendingCancel },
            "cancel requested");
        Order? journaled = null;
        try
        {
            journaled = await journaling.WaitAsync(_options.BestEffortJournalTimeout, _time, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            Log.PendingCancelJournalSlow(_logger, order.Id, order.ClientOrderId, _options.BestEffortJournalTimeout);
        }

        // When the journal write failed or is still waiting, the broker has the cancel all the same, so the response
        // shows the pending cancel that the journal will record once it catches up.
        return new CancelResult(journaled ?? AsPendingCancel(entry.Order), journaled is not null);
    }

    /// <summary>
    /// Sends a cancel that arrived while the order's submit waited for the broker. When it fails the order keeps its
    /// pending cancel, and the reconciler sends it again once it finds the order at the broker.
    /// </summary>
    private async Task SendPendingCancelAsync(OrderEntry entry)
    {
        var order = entry.Order;
        try
        {
            await CancelEntryAsync(entry, CancellationToken.None);
            ClearPendingCancel(entry);
        }
        catch (OrderConflictException conflict) when (conflict.Kind == OrderConflictKind.AlreadyFinal)
        {
            ClearPendingCancel(entry);
        }
#pragma warning disable CA1031 // The submit's own result must reach its caller; the failure is logged and retried.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.PendingCancelFailed(_logger, order.Id, order.ClientOrderId, exception);
        }
    }

    private static void ClearPendingCancel(OrderEntry entry)
    {
        lock (entry.Sync)
        {
            entry.CancelPending = false;
        }
    }

    private static Order AsPendingCancel(Order order) =>
        order.IsFinal || order.Status == OrderStatus.PendingCancel
            ? order
            : order with { Status = OrderStatus.PendingCancel };

    private static OrderConflictException AlreadyFinal(Order order, Exception? innerException = null) =>
        new(
            OrderConflictKind.AlreadyFinal,
            order,
            $"Order {order.Id} is already {order.Status.ToString().ToLowerInvariant()} and cannot be cancelled.",
            innerException);
}
