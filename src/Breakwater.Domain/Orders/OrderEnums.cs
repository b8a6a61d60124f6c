namespace Breakwater.Domain.Orders;

public enum OrderSide
{
    Buy,
    Sell,
}

public enum OrderType
{
    Market,
    Limit,
}

public enum TimeInForce
{
    /// <summary>Expires at the end of the trading day.</summary>
    Day,

    /// <summary>Good till cancelled.</summary>
    Gtc,
}

/// <summary>
/// Lifecycle status of an order. <see cref="Filled"/>, <see cref="Cancelled"/> and <see cref="Rejected"/> are final.
/// </summary>
public enum OrderStatus
{
    /// <summary>Journaled and not yet acknowledged by the broker.</summary>
    PendingSubmit,

    /// <summary>Acknowledged by the broker and working.</summary>
    Submitted,

    PartiallyFilled,
    Filled,

    /// <summary>A cancel was sent and the broker has not confirmed it yet.</summary>
    PendingCancel,

    Cancelled,
    Rejected,
}

/// <summary>
/// Marks an order whose state at the broker is not known for sure, so that reconciliation and operators look at it.
/// </summary>
public enum OrderAttention
{
    None,

    /// <summary>The submit failed in a way that may have reached the broker; reconcile by client order id.</summary>
    SubmitUncertain,

    /// <summary>A cancel was sent during shutdown and the broker did not confirm it before the deadline.</summary>
    CancelUnconfirmed,

    /// <summary>
    /// The broker reported a fill after the order was journaled as cancelled or rejected: the position differs from
    /// what the order's final status says. The fill is journaled; an operator must look at the order.
    /// </summary>
    LateFill,

    /// <summary>
    /// The broker reported a fill that cannot be true: a quantity or price that is not positive, or a quantity that
    /// takes the filled total above the order's quantity. The fill was not journaled and the order's quantities were
    /// left as they were; an operator must compare the order with the broker's records.
    /// </summary>
    InvalidFill,
}

public static class OrderStatusExtensions
{
    /// <summary>Returns whether no further transition can happen from <paramref name="status"/>.</summary>
    public static bool IsFinal(this OrderStatus status) =>
        status is OrderStatus.Filled or OrderStatus.Cancelled or OrderStatus.Rejected;
}
