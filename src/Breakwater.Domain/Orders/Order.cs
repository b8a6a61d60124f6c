namespace Breakwater.Domain.Orders;

/// <summary>
/// The journaled state of one order. Instances are immutable; every change produces a new instance with a higher
/// <see cref="Version"/>.
/// </summary>
/// <param name="Id">Gateway order id, assigned before the order is journaled and increasing with each order.</param>
/// <param name="BrokerOrderId">The broker's id for the order, known once the broker acknowledged it.</param>
/// <param name="FilledQuantity">Cumulative filled quantity.</param>
/// <param name="AverageFillPrice">Quantity-weighted average fill price, or null before the first fill.</param>
/// <param name="Reason">Why the order was rejected or cancelled, when known.</param>
/// <param name="Version">Starts at 1 and grows by one with each journaled change.</param>
public sealed record Order(
    long Id,
    string ClientOrderId,
    string Symbol,
    OrderSide Side,
    long Quantity,
    OrderType Type,
    decimal? LimitPrice,
    TimeInForce TimeInForce,
    OrderStatus Status,
    long FilledQuantity,
    decimal? AverageFillPrice,
    string? BrokerOrderId,
    string? Reason,
    OrderAttention Attention,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Version)
{
    public long RemainingQuantity => Quantity - FilledQuantity;

    public bool IsFinal => Status.IsFinal();

    /// <summary>Creates the first journaled state of an order, <see cref="OrderStatus.PendingSubmit"/>.</summary>
    public static Order Create(long id, OrderRequest request, DateTimeOffset now) => new(
        id,
        request.ClientOrderId,
        request.Symbol,
        request.Side,
        request.Quantity,
        request.Type,
        request.LimitPrice,
        request.TimeInForce,
        OrderStatus.PendingSubmit,
        FilledQuantity: 0,
        AverageFillPrice: null,
        BrokerOrderId: null,
        Reason: null,
        OrderAttention.None,
        now,
        now,
        Version: 1);
}
