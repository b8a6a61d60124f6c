using System.Globalization;

namespace Breakwater.Resilience.CircuitBreaking;

/// <summary>
/// A call was rejected without running because its breaker is open, isolated, or half-open with every probe slot taken.
/// </summary>
public sealed class BreakerOpenException : Exception
{
    public BreakerOpenException()
        : this("unknown", BreakerState.Open, null)
    {
    }

    public BreakerOpenException(string message)
        : base(message)
    {
        BreakerName = "unknown";
        State = BreakerState.Open;
    }

    public BreakerOpenException(string message, Exception innerException)
        : base(message, innerException)
    {
        BreakerName = "unknown";
        State = BreakerState.Open;
    }

    public BreakerOpenException(string breakerName, BreakerState state, TimeSpan? retryAfter)
        : base(CreateMessage(breakerName, state, retryAfter))
    {
        BreakerName = breakerName;
        State = state;
        RetryAfter = retryAfter;
    }

    /// <summary>The name of the breaker that rejected the call.</summary>
    public string BreakerName { get; }

    /// <summary>The breaker's state when it rejected the call.</summary>
    public BreakerState State { get; }

    /// <summary>Time until calls may run again; null while the breaker is isolated by an operator.</summary>
    public TimeSpan? RetryAfter { get; }

    private static string CreateMessage(string breakerName, BreakerState state, TimeSpan? retryAfter)
    {
        string rejected = $"The circuit breaker '{breakerName}' is {state} and rejected the call";
        return retryAfter is { } wait
            ? string.Create(CultureInfo.InvariantCulture, $"{rejected}; retry after {wait.TotalSeconds:0.###} s.")
            : rejected + "; an operator must reset it.";
    }
}

/// <summary>A call guarded by a breaker ran past its call timeout or probe timeout and was cancelled.</summary>
public sealed class BreakerTimeoutException : TimeoutException
{
    public BreakerTimeoutException()
        : this("unknown", TimeSpan.Zero)
    {
    }

    public BreakerTimeoutException(string message)
        : base(message)
    {
        BreakerName = "unknown";
    }

    public BreakerTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
        BreakerName = "unknown";
    }

    public BreakerTimeoutException(string breakerName, TimeSpan timeout, Exception? innerException = null)
        : base(
            string.Create(
                CultureInfo.InvariantCulture,
                $"The call guarded by circuit breaker '{breakerName}' timed out after {timeout.TotalSeconds:0.###} s."),
            innerException)
    {
        BreakerName = breakerName;
        Timeout = timeout;
    }

    /// <summary>The name of the breaker whose timeout cancelled the call.</summary>
    public string BreakerName { get; }

    /// <summary>The timeout that elapsed.</summary>
    public TimeSpan Timeout { get; }
}
