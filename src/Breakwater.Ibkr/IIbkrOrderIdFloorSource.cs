namespace Breakwater.Ibkr;

/// <summary>
/// Supplies the lowest TWS order id the adapter may use, from the host's durable record of the ids it used before
/// (the journal's highest IBKR order id + 1). The adapter calls it once, before its first order.
/// </summary>
/// <remarks>
/// TWS sends a nextValidId above every id of the same client id that it remembers, but a reset of the API
/// order id sequence in TWS, or a new TWS installation, loses that memory. The journal does not.
/// </remarks>
public interface IIbkrOrderIdFloorSource
{
    /// <summary>Returns the lowest order id that no journaled order has used; 0 when there is none.</summary>
    Task<long> GetOrderIdFloorAsync(CancellationToken cancellationToken);
}
