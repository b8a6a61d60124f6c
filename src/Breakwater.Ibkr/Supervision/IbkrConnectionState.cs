namespace Breakwater.Ibkr.Supervision;

public enum IbkrConnectionStatus
{
    /// <summary>Not started, or stopped.</summary>
    Stopped,

    /// <summary>An attempt to open a session is under way.</summary>
    Connecting,

    /// <summary>A session is open and has passed start-up.</summary>
    Connected,

    /// <summary>The last session ended; the supervisor is waiting to try again.</summary>
    Disconnected,
}

/// <summary>How a dependency should be reported in health and to its circuit breaker.</summary>
public enum IbkrHealth
{
    Healthy,

    /// <summary>Unavailable, but expected to come back by itself (a scheduled restart, a farm notice).</summary>
    Degraded,

    Unhealthy,
}

/// <summary>A snapshot of the supervisor's view of the gateway.</summary>
/// <param name="BrokerAvailable">A session is open and TWS has its link to IBKR (no 1100 in force).</param>
/// <param name="MarketDataAvailable">A session is open and no market data farm is reported broken.</param>
/// <param name="DisconnectedSince">When the broker became unavailable, or null while it is available.</param>
/// <param name="LastError">The last connection failure, for logs and health details; never contains a secret.</param>
public sealed record IbkrConnectionState(
    IbkrConnectionStatus Status,
    bool BrokerAvailable,
    bool MarketDataAvailable,
    DateTimeOffset? DisconnectedSince,
    int ConsecutiveFailures,
    string? LastError);
