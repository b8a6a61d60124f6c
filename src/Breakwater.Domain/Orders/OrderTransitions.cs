namespace Breakwater.Domain.Orders;

/// <summary>Pure rules that compute an order's next status from what the broker reports.</summary>
internal static class OrderTransitions
{
    /// <summary>
    /// Returns the status after the broker reported <paramref name="reported"/> for an order now in
    /// <paramref name="current"/> with <paramref name="filledQuantity"/> of <paramref name="quantity"/> filled.
    /// </summary>
    /// <remarks>
    /// A final report always wins because the broker is the authority. A working report does not undo a pending
    /// cancel, which only the broker's cancel confirmation (or a complete fill) ends, and the fill count decides
    /// between submitted, partially filled and filled, since brokers report a working status beside a fill.
    /// </remarks>
    public static OrderStatus Next(OrderStatus current, OrderStatus reported, long filledQuantity, long quantity)
    {
        if (current.IsFinal())
        {
            return current;
        }

        if (reported.IsFinal())
        {
            return reported;
        }

        if (filledQuantity >= quantity)
        {
            return OrderStatus.Filled;
        }

        if (current == OrderStatus.PendingCancel || reported == OrderStatus.PendingCancel)
        {
            return OrderStatus.PendingCancel;
        }

        if (filledQuantity > 0)
        {
            return OrderStatus.PartiallyFilled;
        }

        return reported == OrderStatus.PendingSubmit && current == OrderStatus.PendingSubmit
            ? OrderStatus.PendingSubmit
            : OrderStatus.Submitted;
    }
}
