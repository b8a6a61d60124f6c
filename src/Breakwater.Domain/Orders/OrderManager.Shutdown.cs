namespace Breakwater.Domain.Orders;

public sealed partial class OrderManager
{
    /// <summary>
    /// Number of submits that have passed the lifecycle check and not finished yet, journaled or not. The shutdown
    /// sweep waits for it to reach zero, so that an order answered with 201 during the sweep is cancelled too.
    /// </summary>
    public int InFlightSubmitCount => _inFlight.Count;

    /// <summary>Returns whether the order with <paramref name="orderId"/> is tracked and not final.</summary>
    public bool IsOpen(long orderId) => _open.ContainsKey(orderId);

    /// <summary>
    /// Journals <see cref="OrderAttention.CancelUnconfirmed"/> on an open order whose cancel the broker did not
    /// confirm in time. Best effort: a journal failure is logged and returns false.
    /// </summary>
    /// <returns>True when the mark is journaled (or was already); false when the order is final or not tracked.</returns>
    public async Task<bool> MarkCancelUnconfirmedAsync(long orderId)
    {
        if (!_open.TryGetValue(orderId, out var entry))
        {
            return false;
        }

        var marked = await TryChangeAsync(
            entry,
            current => current.IsFinal || current.Attention == OrderAttention.CancelUnconfirmed
                ? null
                : Bump(current) with { Attention = OrderAttention.CancelUnconfirmed },
            "cancel not confirmed by the broker before the shutdown deadline");
        return marked is { IsFinal: false, Attention: OrderAttention.CancelUnconfirmed };
    }
}
