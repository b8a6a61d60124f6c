namespace Breakwater.Domain.Lifecycle;

public enum LifecycleState
{
    /// <summary>The host is starting: migrations, reconciliation and the first health snapshot are not done yet.</summary>
    Starting,

    /// <summary>Accepting orders.</summary>
    Running,

    /// <summary>A shutdown signal arrived: new orders are refused and open orders are being cancelled.</summary>
    Stopping,
}

/// <summary>
/// The gateway's lifecycle state, shared by the order API (which refuses orders unless running), readiness and status.
/// Thread safe; transitions only move forward (starting, running, stopping).
/// </summary>
public sealed class GatewayLifecycle
{
    private int _state = (int)LifecycleState.Starting;

    /// <summary>Raised after each transition, on the thread that made it.</summary>
    public event Action<LifecycleState>? StateChanged;

    public LifecycleState State => (LifecycleState)Volatile.Read(ref _state);

    public bool IsAcceptingOrders => State == LifecycleState.Running;

    /// <summary>Moves from starting to running; returns false when the gateway is already running or stopping.</summary>
    public bool MarkRunning() => TryMove(LifecycleState.Starting, LifecycleState.Running);

    /// <summary>Moves to stopping from any earlier state; returns false when it was already stopping.</summary>
    public bool MarkStopping()
    {
        while (true)
        {
            var current = State;
            if (current == LifecycleState.Stopping)
            {
                return false;
            }

            if (TryMove(current, LifecycleState.Stopping))
            {
                return true;
            }
        }
    }

    private bool TryMove(LifecycleState from, LifecycleState to)
    {
        if (Interlocked.CompareExchange(ref _state, (int)to, (int)from) != (int)from)
        {
            return false;
        }

        StateChanged?.Invoke(to);
        return true;
    }
}
