using Breakwater.Domain.Brokers;
using Breakwater.Domain.Orders;

namespace Breakwater.Paper.Broker;

/// <summary>One order in the paper broker's book. Mutated only while the broker's lock is held.</summary>
internal sealed class PaperOrder
{
    /// <summary>Assigned by the store when the order is inserted.</summary>
    public long Number { get; set; }

    public string BrokerOrderId => FormatBrokerOrderId(Number);

    /// <summary>Client order id, or null for an order added by <see cref="PaperBroker.AddExternalOrder"/>.</summary>
    public string? ClientOrderId { get; init; }

    public long GatewayOrderId { get; init; }

    public required string Symbol { get; init; }

    public OrderSide Side { get; init; }

    public long Quantity { get; init; }

    public OrderType Type { get; init; }

    public decimal? LimitPrice { get; init; }

    public TimeInForce TimeInForce { get; init; }

    public OrderStatus Status { get; set; }

    public long FilledQuantity { get; set; }

    /// <summary>A cancel was accepted and is confirmed on the broker loop's next step.</summary>
    public bool CancelRequested { get; set; }

    /// <summary>
    /// Whether another client placed the order. Such orders are excluded from the gateway scope and their updates are
    /// not sent to the sink.
    /// </summary>
    public bool External { get; init; }

    public string? Reason { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public List<Fill> Fills { get; } = [];

    public long RemainingQuantity => Quantity - FilledQuantity;

    public bool IsWorking => !Status.IsFinal();

    public static string FormatBrokerOrderId(long number) => $"PB{number}";

    public static string FormatExecutionId(long number, int fillSequence) => $"PB{number}.{fillSequence}";

    public BrokerOrderState ToState() => new(
        BrokerOrderId,
        ClientOrderId,
        Symbol,
        Side,
        Quantity,
        Type,
        LimitPrice,
        Status,
        FilledQuantity,
        [.. Fills]);

    public bool HasSameFieldsAs(BrokerOrder order) =>
        order.Symbol.Equals(Symbol, StringComparison.OrdinalIgnoreCase)
        && order.Side == Side
        && order.Quantity == Quantity
        && order.Type == Type
        && order.LimitPrice == LimitPrice
        && order.TimeInForce == TimeInForce;
}

/// <summary>An update waiting in the outbox, in the order the broker produced it.</summary>
internal sealed record OutboxEntry(long Sequence, BrokerOrderUpdate Update);

/// <summary>
/// The fields of a <see cref="PaperOrder"/> that a step changes, kept so a failed batch can put them back.
/// </summary>
internal readonly struct OrderSnapshot(PaperOrder order)
{
    private readonly OrderStatus _status = order.Status;
    private readonly long _filledQuantity = order.FilledQuantity;
    private readonly int _fillCount = order.Fills.Count;
    private readonly string? _reason = order.Reason;
    private readonly bool _cancelRequested = order.CancelRequested;

    public void Restore()
    {
        order.Status = _status;
        order.FilledQuantity = _filledQuantity;
        order.Fills.RemoveRange(_fillCount, order.Fills.Count - _fillCount);
        order.Reason = _reason;
        order.CancelRequested = _cancelRequested;
    }
}

/// <summary>What a step did to one order, acted on (queued for delivery and logged) once its batch committed.</summary>
internal sealed record StepChange(
    PaperOrder Order,
    StepChangeKind Kind,
    OrderStatus Status,
    long FilledQuantity,
    Fill? Fill,
    string? Reason,
    long? Sequence,
    BrokerOrderUpdate? Update);

internal enum StepChangeKind
{
    Filled,
    Finished,
    Expired,
    ExecutionRejected,
}
