namespace Breakwater.Health;

/// <summary>Counts the orders that are not final, for the status endpoint. The gateway's order manager implements it.</summary>
/// <remarks>Called on every status request, so it must be cheap and thread safe (an in-memory count, not a query).</remarks>
public interface IOpenOrderCounter
{
    /// <summary>Returns the number of orders whose status is not final.</summary>
    int CountOpenOrders();
}
