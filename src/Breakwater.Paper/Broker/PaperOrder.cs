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
