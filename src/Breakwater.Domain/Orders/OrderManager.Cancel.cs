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
    public async Task<CancelAllResult> CancelAllAsync(CancellationToken cancellationToken)
    {
        var entries = _open.Values.Where(entry => !entry.Order.IsFinal).OrderBy(entry => entry.Order.Id).ToList();
        var requested = 0;
        var alreadyFinal = 0;
        var failures = new List<CancelFailure>();
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = _options.CancelAllParallelism,
            CancellationToken = cancellationToken,
        };
        await Parallel.ForEachAsync(entries, parallel, async (entry, token) =>
        {
            var order = entry.Order;
            try
            {
                await CancelEntryAsync(entry, token);
                Interlocked.Increment(ref requested);
            }
            catch (OrderConflictException conflict) when (conflict.Kind == OrderConflictKind.AlreadyFinal)
            {
                Interlocked.Increment(ref alreadyFinal);
            }
            catch (Exception exception) when (exception is OrderConflictException or DependencyUnavailableException
                or TimeoutException or IOException or InvalidOperationException)
            {
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

    private static Order AsPendingCancel(Order order) =>
        order.IsFinal || order.Status == OrderStatus.PendingCancel ? order : order with { Status = OrderStatus.PendingCancel };

    private static OrderConflictException AlreadyFinal(Order order, Exception? innerException = null) =>
        new(
            OrderConflictKind.AlreadyFinal,
            order,
            $"Order {order.Id} is already {order.Status.ToString().ToLowerInvariant()} and cannot be cancelled.",
            innerException);
}
