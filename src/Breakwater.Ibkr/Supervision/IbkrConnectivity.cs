namespace Breakwater.Ibkr.Supervision;

/// <summary>What a TWS system or farm code means for the connection.</summary>
public enum IbkrConnectivityEvent
{
    /// <summary>Not a connectivity code.</summary>
    None,

    /// <summary>1100: TWS lost its link to IBKR; the socket stays up but orders cannot reach the broker.</summary>
    BrokerLost,

    /// <summary>1101: the link is back but market data subscriptions were lost and must be requested again.</summary>
    BrokerRestoredDataLost,

    /// <summary>1102: the link is back and subscriptions survived.</summary>
    BrokerRestored,

    /// <summary>1300: TWS reset its socket port; the connection must be opened again.</summary>
    ReconnectRequired,

    /// <summary>2103, 2105, 2157: a market data, historical data or security definition farm is broken.</summary>
    MarketDataDegraded,

    /// <summary>2104, 2106, 2158: a farm connection is OK again.</summary>
    MarketDataRestored,

    /// <summary>2107, 2108: a farm is inactive but available on demand; nothing to do.</summary>
    Informational,

    /// <summary>100: the client exceeded the message rate.</summary>
    PacingViolation,
}

/// <summary>Maps TWS error codes to <see cref="IbkrConnectivityEvent"/>.</summary>
public static class IbkrConnectivity
{
    public static IbkrConnectivityEvent Classify(int code) => code switch
    {
        1100 => IbkrConnectivityEvent.BrokerLost,
        1101 => IbkrConnectivityEvent.BrokerRestoredDataLost,
        1102 => IbkrConnectivityEvent.BrokerRestored,
        1300 => IbkrConnectivityEvent.ReconnectRequired,
        2103 or 2105 or 2157 => IbkrConnectivityEvent.MarketDataDegraded,
        2104 or 2106 or 2158 => IbkrConnectivityEvent.MarketDataRestored,
        2107 or 2108 => IbkrConnectivityEvent.Informational,
        100 => IbkrConnectivityEvent.PacingViolation,
        _ => IbkrConnectivityEvent.None,
    };
}
