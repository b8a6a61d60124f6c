namespace Breakwater.Domain.Orders;

/// <summary>
/// A validated request to place an order. The HTTP layer checks the field rules before it builds one.
/// </summary>
public sealed record OrderRequest(
    string ClientOrderId,
    string Symbol,
    OrderSide Side,
    long Quantity,
    OrderType Type,
    decimal? LimitPrice,
    TimeInForce TimeInForce)
{
    /// <summary>
    /// Returns whether <paramref name="order"/> was placed with the same fields, which makes a repeated request with
    /// the same client order id idempotent rather than a conflict.
    /// </summary>
    public bool HasSameFieldsAs(Order order) =>
        order.ClientOrderId == ClientOrderId
        && order.Symbol == Symbol
        && order.Side == Side
        && order.Quantity == Quantity
        && order.Type == Type
        && order.LimitPrice == LimitPrice
        && order.TimeInForce == TimeInForce;
}
