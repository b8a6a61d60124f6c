using Breakwater.Domain.Brokers;
using Breakwater.Domain.Orders;

namespace Breakwater.Gateway.Shutdown;

public sealed partial class CancelSweep
{
    /// <summary>
    /// True when the order manager refused the cancel because the broker answered that it has no such order (IBKR
    /// error 10147). Sending the same cancel again gets the same answer, so the sweep stops retrying it.
    /// </summary>
    private static bool IsUnknownToBroker(OrderConflictException conflict) =>
        conflict.Kind == OrderConflictKind.CancelRejected
        && conflict.InnerException is BrokerRejectionException { Code: BrokerRejectionCode.OrderNotFound };

    /// <summary>
    /// Looks the order up by its client order id and journals the state the broker reports, fills first; when the
    /// broker has no record of it, or the order is still open afterwards, flags it as
    /// <see cref="OrderAttention.CancelUnconfirmed"/> for an operator. Never throws.
    /// </summary>
    private async Task ResolveUnknownToBrokerAsync(
        long orderId, string clientOrderId, string? brokerOrderId, Exception refusal, CancellationToken token)
    {
        Log.CancelTargetUnknown(_logger, orderId, clientOrderId, brokerOrderId, refusal.Message);
        try
        {
            if (await _broker.FindOrderAsync(clientOrderId, token) is { } state)
            {
                await JournalBrokerStateAsync(state, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // The order is flagged below whatever the lookup or the journal did.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.CancelTargetLookupFailed(_logger, orderId, clientOrderId, exception);
        }

        if (_orders.IsOpen(orderId) && await _orders.MarkCancelUnconfirmedAsync(orderId))
        {
            Log.CancelTargetFlagged(_logger, orderId, clientOrderId);
        }
    }

    private async Task JournalBrokerStateAsync(BrokerOrderState state, CancellationToken token)
    {
        var now = _time.GetUtcNow();
        var filled = 0L;
        foreach (var fill in state.Fills)
        {
            filled += fill.Quantity;
            var status = filled >= state.Quantity ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
            await _orders.OnOrderUpdateAsync(
                new BrokerOrderUpdate(state.BrokerOrderId, state.ClientOrderId, status, filled, fill, null, now), token);
        }

        await _orders.OnOrderUpdateAsync(
            new BrokerOrderUpdate(
                state.BrokerOrderId, state.ClientOrderId, state.Status, state.FilledQuantity, null,
                "state read from the broker after it reported the cancel target unknown", now),
            token);
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 5015,
            EventName = "ShutdownCancelTargetUnknown",
            Level = LogLevel.Warning,
            Message = "The broker has no order to cancel for order {OrderId} ({ClientOrderId}, broker order " +
                "{BrokerOrderId}): {Reason}; looking it up instead of sending the cancel again")]
        public static partial void CancelTargetUnknown(
            ILogger logger, long orderId, string clientOrderId, string? brokerOrderId, string reason);

        [LoggerMessage(
            EventId = 5016,
            EventName = "ShutdownCancelTargetLookupFailed",
            Level = LogLevel.Warning,
            Message = "Looking up order {OrderId} ({ClientOrderId}) at the broker after an unknown-order answer failed")]
        public static partial void CancelTargetLookupFailed(
            ILogger logger, long orderId, string clientOrderId, Exception exception);

        [LoggerMessage(
            EventId = 5017,
            EventName = "ShutdownCancelTargetFlagged",
            Level = LogLevel.Error,
            Message = "Order {OrderId} ({ClientOrderId}) is still open in the journal but unknown to the broker's " +
                "cancel; flagged as cancel unconfirmed for an operator")]
        public static partial void CancelTargetFlagged(ILogger logger, long orderId, string clientOrderId);
    }
}
