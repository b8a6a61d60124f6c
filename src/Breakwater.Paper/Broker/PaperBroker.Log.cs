using Breakwater.Domain.Brokers;
using Breakwater.Domain.Orders;
using Microsoft.Extensions.Logging;

namespace Breakwater.Paper.Broker;

public sealed partial class PaperBroker
{
    /// <summary>Log catalog of the paper broker; event ids 4000 to 4099.</summary>
    private static partial class Log
    {
        [LoggerMessage(
            EventId = 6000,
            EventName = "PaperBookLoaded",
            Level = LogLevel.Information,
            Message = "Paper broker book loaded from {Path}: {OrderCount} orders, {WorkingCount} working, " +
                "{PendingUpdates} undelivered updates, cash {Cash}")]
        public static partial void BookLoaded(
            ILogger logger,
            string path,
            int orderCount,
            int workingCount,
            int pendingUpdates,
            decimal cash);

        [LoggerMessage(
            EventId = 6001,
            EventName = "PaperBrokerStarted",
            Level = LogLevel.Information,
            Message = "Paper broker loop started on {Path} with {WorkingCount} working orders and " +
                "{PendingUpdates} undelivered updates")]
        public static partial void Started(ILogger logger, string path, int workingCount, int pendingUpdates);

        [LoggerMessage(
            EventId = 6002,
            EventName = "PaperBrokerStopped",
            Level = LogLevel.Information,
            Message = "Paper broker loop stopped")]
        public static partial void Stopped(ILogger logger);

        [LoggerMessage(
            EventId = 6010,
            EventName = "PaperOrderAccepted",
            Level = LogLevel.Information,
            Message = "Paper order {OrderId} ({ClientOrderId}) accepted as {BrokerOrderId}: {Side} {Quantity} " +
                "{Symbol} {Type}")]
        public static partial void OrderAccepted(
            ILogger logger,
            long orderId,
            string clientOrderId,
            string brokerOrderId,
            OrderSide side,
            long quantity,
            string symbol,
            OrderType type);

        [LoggerMessage(
            EventId = 6011,
            EventName = "PaperOrderRejected",
            Level = LogLevel.Warning,
            Message = "Paper order {OrderId} ({ClientOrderId}) rejected with {Code}: {Reason}")]
        public static partial void OrderRejected(
            ILogger logger,
            long orderId,
            string clientOrderId,
            BrokerRejectionCode code,
            string reason);

        [LoggerMessage(
            EventId = 6012,
            EventName = "PaperOrderRepeatAcknowledged",
            Level = LogLevel.Information,
            Message = "Paper order {OrderId} ({ClientOrderId}) was placed again with the same fields; " +
                "acknowledged as the existing {BrokerOrderId}")]
        public static partial void RepeatAcknowledged(
            ILogger logger,
            long orderId,
            string clientOrderId,
            string brokerOrderId);

        [LoggerMessage(
            EventId = 6013,
            EventName = "PaperOrderFilled",
            Level = LogLevel.Information,
            Message = "Paper order {OrderId} ({ClientOrderId}, {BrokerOrderId}) execution {ExecutionId}: " +
                "{Quantity} at {Price}, {FilledQuantity} of {OrderQuantity} filled")]
        public static partial void OrderFilled(
            ILogger logger,
            long orderId,
            string? clientOrderId,
            string brokerOrderId,
            string executionId,
            long quantity,
            decimal price,
            long filledQuantity,
            long orderQuantity);

        [LoggerMessage(
            EventId = 6014,
            EventName = "PaperOrderFinished",
            Level = LogLevel.Information,
            Message = "Paper order {OrderId} ({ClientOrderId}, {BrokerOrderId}) is {Status}: {Reason}")]
        public static partial void OrderFinished(
            ILogger logger,
            long orderId,
            string? clientOrderId,
            string brokerOrderId,
            OrderStatus status,
            string reason);

        [LoggerMessage(
            EventId = 6015,
            EventName = "PaperExecutionRejected",
            Level = LogLevel.Warning,
            Message = "Paper order {OrderId} ({ClientOrderId}, {BrokerOrderId}) could not execute: {Reason}")]
        public static partial void ExecutionRejected(
            ILogger logger,
            long orderId,
            string? clientOrderId,
            string brokerOrderId,
            string reason);

        [LoggerMessage(
            EventId = 6016,
            EventName = "PaperDayOrderExpired",
            Level = LogLevel.Information,
            Message = "Paper order {OrderId} ({ClientOrderId}, {BrokerOrderId}) expired at the end of the session")]
        public static partial void DayOrderExpired(
            ILogger logger,
            long orderId,
            string? clientOrderId,
            string brokerOrderId);

        [LoggerMessage(
            EventId = 6020,
            EventName = "PaperCancelAccepted",
            Level = LogLevel.Information,
            Message = "Cancel of paper order {OrderId} ({ClientOrderId}, {BrokerOrderId}) accepted")]
        public static partial void CancelAccepted(
            ILogger logger,
            long orderId,
            string clientOrderId,
            string brokerOrderId);

        [LoggerMessage(
            EventId = 6021,
            EventName = "PaperCancelRejected",
            Level = LogLevel.Warning,
            Message = "Cancel of paper order {OrderId} ({ClientOrderId}, {BrokerOrderId}) rejected: order {Problem}")]
        public static partial void CancelRejected(
            ILogger logger,
            long orderId,
            string clientOrderId,
            string? brokerOrderId,
            string problem);

        [LoggerMessage(
            EventId = 6030,
            EventName = "PaperUpdateDelivered",
            Level = LogLevel.Debug,
            Message = "Paper update {Sequence} for order {ClientOrderId} ({BrokerOrderId}) delivered: {Status}")]
        public static partial void UpdateDelivered(
            ILogger logger,
            string? clientOrderId,
            string brokerOrderId,
            OrderStatus status,
            long sequence);

        [LoggerMessage(
            EventId = 6031,
            EventName = "PaperUpdateDeliveryFailed",
            Level = LogLevel.Warning,
            Message = "Paper update {Sequence} for order {ClientOrderId} ({BrokerOrderId}, {Status}) was not " +
                "accepted by the sink; it stays in the outbox and is retried on the next step")]
        public static partial void DeliveryFailed(
            ILogger logger,
            string? clientOrderId,
            string brokerOrderId,
            OrderStatus status,
            long sequence,
            Exception exception);

        [LoggerMessage(
            EventId = 6032,
            EventName = "PaperDeliveryLoopFailed",
            Level = LogLevel.Error,
            Message = "Paper broker update delivery failed outside the sink; it is retried on the next step")]
        public static partial void DeliveryLoopFailed(ILogger logger, Exception exception);

        [LoggerMessage(
            EventId = 6033,
            EventName = "PaperUpdateDeliveryStillFailing",
            Level = LogLevel.Warning,
            Message = "Paper update {Sequence} for order {ClientOrderId} ({BrokerOrderId}) was refused by the sink " +
                "{Attempts} times in a row; it stays in the outbox")]
        public static partial void DeliveryStillFailing(
            ILogger logger,
            string? clientOrderId,
            string brokerOrderId,
            long sequence,
            int attempts);

        [LoggerMessage(
            EventId = 6034,
            EventName = "PaperUpdateDeliveredAfterRefusals",
            Level = LogLevel.Information,
            Message = "Paper update {Sequence} for order {ClientOrderId} ({BrokerOrderId}) was delivered after " +
                "{Attempts} refused attempts")]
        public static partial void DeliveredAfterRefusals(
            ILogger logger,
            string? clientOrderId,
            string brokerOrderId,
            long sequence,
            int attempts);

        [LoggerMessage(
            EventId = 6040,
            EventName = "PaperStepFailed",
            Level = LogLevel.Error,
            Message = "Paper broker step failed; the next step runs it again")]
        public static partial void StepFailed(ILogger logger, Exception exception);

        [LoggerMessage(
            EventId = 6035,
            EventName = "PaperFinalDeliveryFailed",
            Level = LogLevel.Error,
            Message = "The last delivery of paper broker updates at stop failed; the undelivered updates stay in the "
                + "book file for the next start")]
        public static partial void FinalDeliveryFailed(ILogger logger, Exception exception);
    }
}
