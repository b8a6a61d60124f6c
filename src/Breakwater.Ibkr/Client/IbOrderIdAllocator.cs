namespace Breakwater.Ibkr.Client;

/// <summary>
/// Hands out TWS order ids that never go backwards. The next id is the largest of a floor supplied by the caller
/// (the journal's highest broker order id + 1), the server's latest nextValidId and the last id handed out + 1.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class IbOrderIdAllocator
{
    private readonly Lock _gate = new();
    private long _floor;
    private long _serverNext;
    private long _lastIssued = -1;

    /// <summary>Raises the floor; a lower value than the current floor is ignored.</summary>
    public void RaiseFloor(long floor)
    {
        lock (_gate)
        {
            _floor = Math.Max(_floor, floor);
        }
    }

    /// <summary>Records a nextValidId from the server; a lower value than one seen before is ignored.</summary>
    public void OnNextValidId(long serverNext)
    {
        lock (_gate)
        {
            _serverNext = Math.Max(_serverNext, serverNext);
        }
    }

    /// <summary>The id that <see cref="Next"/> would return now.</summary>
    public long Peek()
    {
        lock (_gate)
        {
            return PeekLocked();
        }
    }

    /// <summary>Returns a new order id, larger than every id returned before.</summary>
    /// <exception cref="InvalidOperationException">The next id does not fit the 32-bit order id of the TWS API.</exception>
    public int Next()
    {
        lock (_gate)
        {
            var next = PeekLocked();
            if (next > int.MaxValue)
            {
                throw new InvalidOperationException(
                    $"The next TWS order id would be {next}, above the protocol maximum of {int.MaxValue}; reset the "
                    + "API order id sequence in TWS or IB Gateway.");
            }

            _lastIssued = next;
            return (int)next;
        }
    }

    private long PeekLocked() => Math.Max(Math.Max(_floor, _serverNext), _lastIssued + 1);
}
