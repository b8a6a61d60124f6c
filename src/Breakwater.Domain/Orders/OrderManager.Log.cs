using Breakwater.Domain.Brokers;
using Breakwater.Domain.Journal;
using Microsoft.Extensions.Logging;

namespace Breakwater.Domain.Orders;

public sealed partial class OrderManager
{
    /// <summary>Log catalog of the order manager; event ids 1000 to 1099.</summary>
    private static partial class Log
    {
        [LoggerMessage(
            EventId = 1000,
            EventName = "OrderManagerStarted",
            Level = LogLevel.Information,
            Message = "Order manager started: highest journaled order id {MaxOrderId}, {OpenOrders} open orders loaded")]
        public static partial void Started(ILogger logger, long maxOrderId, int openOrders);

        [LoggerMessage(
            EventId = 1001,
            EventName = "OrderJournaled",
            Level = LogLevel.Debug,
            Message = "Order {OrderId} ({ClientOrderId}) journaled: {Side} {Quantity} {Symbol} {OrderType}")]
        public static partial void OrderJournaled(
            ILogger logger, long orderId, string clientOrderId, string symbol, OrderSide side, long quantity,
            OrderType orderType);

        [LoggerMessage(
            EventId = 1002,
            EventName = "OrderAcknowledged",
            Level = LogLevel.Debug,
            Message = "Order {OrderId} ({ClientOrderId}) acknowledged by the broker as {BrokerOrderId}, now {Status}")]
        public static partial void OrderAcknowledged(
            ILogger logger, long orderId, string clientOrderId, string brokerOrderId, OrderStatus status);

        [LoggerMessage(
            EventId = 1003,
            EventName = "OrderRejectedByBroker",
            Level = LogLevel.Information,
            Message = "Order {OrderId} ({ClientOrderId}) rejected by the broker ({Code}): {Reason}")]
        public static partial void OrderRejectedByBroker(
            ILogger logger, long orderId, string clientOrderId, BrokerRejectionCode code, string reason);

        [LoggerMessage(
            EventId = 1004,
            EventName = "OrderNotSent",
            Level = LogLevel.Warning,
            Message = "Order {OrderId} ({ClientOrderId}) was not sent because {Dependency} is unavailable; " +
                "journaling it as rejected")]
        public static partial void OrderNotSent(
            ILogger logger, long orderId, string clientOrderId, string dependency, Exception exception);

        [LoggerMessage(
            EventId = 1005,
            EventName = "SubmitUncertain",
            Level = LogLevel.Warning,
            Message = "Submit of order {OrderId} ({ClientOrderId}) failed after it may have reached the broker; " +
                "the reconciler will look it up instead of sending it again")]
        public static partial void SubmitUncertain(ILogger logger, long orderId, string clientOrderId, Exception exception);

        [LoggerMessage(
            EventId = 1006,
            EventName = "SubmitRefusedBrokerUnavailable",
            Level = LogLevel.Information,
            Message = "Order {ClientOrderId} refused before journaling because the broker is unavailable " +
                "(retry after {RetryAfter})")]
        public static partial void SubmitRefusedBrokerUnavailable(ILogger logger, string clientOrderId, TimeSpan? retryAfter);

        [LoggerMessage(
            EventId = 1010,
            EventName = "OrderFilled",
            Level = LogLevel.Debug,
            Message = "Order {OrderId} ({ClientOrderId}) fill {ExecutionId}: {FillQuantity} at {FillPrice}, " +
                "{FilledQuantity} filled, now {Status}")]
        public static partial void OrderFilled(
            ILogger logger, long orderId, string clientOrderId, string executionId, long fillQuantity, decimal fillPrice,
            long filledQuantity, OrderStatus status);

        [LoggerMessage(
            EventId = 1011,
            EventName = "OrderStatusChanged",
            Level = LogLevel.Debug,
            Message = "Order {OrderId} ({ClientOrderId}) changed from {OldStatus} to {NewStatus} (broker reason: {Reason})")]
        public static partial void OrderStatusChanged(
            ILogger logger, long orderId, string clientOrderId, OrderStatus oldStatus, OrderStatus newStatus,
            string? reason);

        [LoggerMessage(
            EventId = 1012,
            EventName = "OrderFinal",
            Level = LogLevel.Debug,
            Message = "Order {OrderId} ({ClientOrderId}) is {Status} with {FilledQuantity} filled (reason: {Reason})")]
        public static partial void OrderFinal(
            ILogger logger, long orderId, string clientOrderId, OrderStatus status, long filledQuantity, string? reason);

        [LoggerMessage(
            EventId = 1013,
            EventName = "UpdateOfFinalOrderIgnored",
            Level = LogLevel.Debug,
            Message = "Broker update {UpdateStatus} for order {OrderId} ({ClientOrderId}) ignored because the order " +
                "is already {Status}")]
        public static partial void UpdateOfFinalOrderIgnored(
            ILogger logger, long orderId, string clientOrderId, OrderStatus updateStatus, OrderStatus status);

        [LoggerMessage(
            EventId = 1014,
            EventName = "UpdateOfUnknownOrder",
            Level = LogLevel.Warning,
            Message = "Broker update {UpdateStatus} for broker order {BrokerOrderId} (client order id {ClientOrderId}) " +
                "matches no journaled order")]
        public static partial void UpdateOfUnknownOrder(
            ILogger logger, string brokerOrderId, string? clientOrderId, OrderStatus updateStatus);

        [LoggerMessage(
            EventId = 1016,
            EventName = "ChangeAlreadyJournaled",
            Level = LogLevel.Debug,
            Message = "Change to version {Version} of order {OrderId} ({ClientOrderId}) was already journaled; " +
                "the journal has version {StoredVersion}")]
        public static partial void ChangeAlreadyJournaled(
            ILogger logger, long orderId, string clientOrderId, int version, int storedVersion);

        [LoggerMessage(
            EventId = 1017,
            EventName = "JournalWriteFailed",
            Level = LogLevel.Warning,
            Message = "Journal write '{Change}' of order {OrderId} ({ClientOrderId}) failed; the order keeps its " +
                "journaled state")]
        public static partial void JournalWriteFailed(
            ILogger logger, long orderId, string clientOrderId, string change, Exception exception);

        [LoggerMessage(
            EventId = 1018,
            EventName = "StateReloaded",
            Level = LogLevel.Information,
            Message = "Change to version {Version} of order {OrderId} ({ClientOrderId}) was not journaled " +
                "({Outcome}), so version {StoredVersion} was reloaded from the journal")]
        public static partial void StateReloaded(
            ILogger logger, long orderId, string clientOrderId, int version, AppendOutcome outcome, int storedVersion);

        [LoggerMessage(
            EventId = 1019,
            EventName = "LateFillOnFinalOrder",
            Level = LogLevel.Error,
            Message = "Order {OrderId} ({ClientOrderId}) is {Status} but the broker reported fill {ExecutionId}: " +
                "{FillQuantity} at {FillPrice}. The fill is journaled and the order flagged for an operator")]
        public static partial void LateFillOnFinalOrder(
            ILogger logger, long orderId, string clientOrderId, OrderStatus status, string executionId,
            long fillQuantity, decimal fillPrice);

        [LoggerMessage(
            EventId = 1024,
            EventName = "CancelFailed",
            Level = LogLevel.Warning,
            Message = "Cancel of order {OrderId} ({ClientOrderId}) during cancel-all failed; the other cancels go on")]
        public static partial void CancelFailed(
            ILogger logger, long orderId, string clientOrderId, Exception exception);

        [LoggerMessage(
            EventId = 1025,
            EventName = "CancelDeferredUntilAck",
            Level = LogLevel.Information,
            Message = "Cancel of order {OrderId} ({ClientOrderId}) waits for its submit to end and is sent then")]
        public static partial void CancelDeferredUntilAck(ILogger logger, long orderId, string clientOrderId);

        [LoggerMessage(
            EventId = 1026,
            EventName = "PendingCancelFailed",
            Level = LogLevel.Warning,
            Message = "Cancel of order {OrderId} ({ClientOrderId}) requested during its submit failed, so the " +
                "reconciler sends it again once it finds the order at the broker")]
        public static partial void PendingCancelFailed(
            ILogger logger, long orderId, string clientOrderId, Exception exception);

        [LoggerMessage(
            EventId = 1020,
            EventName = "CancelRequested",
            Level = LogLevel.Information,
            Message = "Cancel of order {OrderId} ({ClientOrderId}, broker order {BrokerOrderId}) requested")]
        public static partial void CancelRequested(ILogger logger, long orderId, string clientOrderId, string? brokerOrderId);

        [LoggerMessage(
            EventId = 1021,
            EventName = "CancelRejected",
            Level = LogLevel.Information,
            Message = "Cancel of order {OrderId} ({ClientOrderId}) rejected by the broker ({Code}): {Reason}")]
        public static partial void CancelRejected(
            ILogger logger, long orderId, string clientOrderId, BrokerRejectionCode code, string reason);

        [LoggerMessage(
            EventId = 1022,
            EventName = "PendingCancelJournalSlow",
            Level = LogLevel.Warning,
            Message = "Journaling the pending cancel of order {OrderId} ({ClientOrderId}) took longer than {Timeout}; " +
                "answering without waiting for it")]
        public static partial void PendingCancelJournalSlow(
            ILogger logger, long orderId, string clientOrderId, TimeSpan timeout);

        [LoggerMessage(
            EventId = 1023,
            EventName = "CancelAllFinished",
            Level = LogLevel.Information,
            Message = "Cancel-all over {OpenOrders} open orders: {Requested} requested, {AlreadyFinal} already final, " +
                "{Failed} failed")]
        public static partial void CancelAllFinished(
            ILogger logger, int openOrders, int requested, int alreadyFinal, int failed);

        [LoggerMessage(
            EventId = 1030,
            EventName = "Reconciled",
            Level = LogLevel.Information,
            Message = "Reconciled {Checked} open orders with the broker: {Updated} updated, {Rejected} rejected, " +
                "{Unresolved} unresolved, {Orphans} broker orders without a journaled order")]
        public static partial void Reconciled(
            ILogger logger, int @checked, int updated, int rejected, int unresolved, int orphans);

        [LoggerMessage(
            EventId = 1031,
            EventName = "ReconcileLookupFailed",
            Level = LogLevel.Warning,
            Message = "Looking up order {OrderId} ({ClientOrderId}) at the broker failed; trying again later")]
        public static partial void ReconcileLookupFailed(
            ILogger logger, long orderId, string clientOrderId, Exception exception);

        [LoggerMessage(
            EventId = 1032,
            EventName = "UncertainOrderRejected",
            Level = LogLevel.Warning,
            Message = "Order {OrderId} ({ClientOrderId}) journaled as rejected: the broker has no record of it " +
                "{Age} after it was created")]
        public static partial void UncertainOrderRejected(ILogger logger, long orderId, string clientOrderId, TimeSpan age);

        [LoggerMessage(
            EventId = 1033,
            EventName = "AcknowledgedOrderMissingAtBroker",
            Level = LogLevel.Error,
            Message = "Order {OrderId} ({ClientOrderId}) was acknowledged as broker order {BrokerOrderId} but the " +
                "broker has no record of it; an operator must check it")]
        public static partial void AcknowledgedOrderMissingAtBroker(
            ILogger logger, long orderId, string clientOrderId, string? brokerOrderId);

        [LoggerMessage(
            EventId = 1034,
            EventName = "OrderAdopted",
            Level = LogLevel.Warning,
            Message = "Order {OrderId} ({ClientOrderId}) journaled from broker order {BrokerOrderId} ({Status}) that " +
                "had no journaled order")]
        public static partial void OrderAdopted(
            ILogger logger, long orderId, string clientOrderId, string brokerOrderId, OrderStatus status);

        [LoggerMessage(
            EventId = 1035,
            EventName = "ReconcileFailed",
            Level = LogLevel.Warning,
            Message = "Reconciling order {OrderId} ({ClientOrderId}) failed; trying again on the next pass")]
        public static partial void ReconcileFailed(ILogger logger, long orderId, string clientOrderId, Exception exception);

        [LoggerMessage(
            EventId = 1036,
            EventName = "UnsentOrderAdopted",
            Level = LogLevel.Warning,
            Message = "Order {OrderId} ({ClientOrderId}) was committed by an insert that reported a failure and was " +
                "never sent; sending it now for the repeated request")]
        public static partial void UnsentOrderAdopted(ILogger logger, long orderId, string clientOrderId);

        [LoggerMessage(
            EventId = 1037,
            EventName = "UntrackedUpdateNotLookedUp",
            Level = LogLevel.Information,
            Message = "Update {Status} of broker order {BrokerOrderId} ({ClientOrderId}) matches no open order, and " +
                "the journal could not be searched for it: {Reason}")]
        public static partial void UntrackedUpdateNotLookedUp(
            ILogger logger, string brokerOrderId, string? clientOrderId, OrderStatus status, string reason);

        [LoggerMessage(
            EventId = 1038,
            EventName = "ImpossibleFillRejected",
            Level = LogLevel.Error,
            Message = "Order {OrderId} ({ClientOrderId}): fill {ExecutionId} of {Quantity} at {Price} was rejected " +
                "and not journaled because {Problem}; the order is flagged for an operator")]
        public static partial void ImpossibleFillRejected(
            ILogger logger, long orderId, string clientOrderId, string executionId, long quantity, decimal price,
            string problem);
    }
}
