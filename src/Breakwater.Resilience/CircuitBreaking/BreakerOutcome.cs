using System.Runtime.ExceptionServices;

namespace Breakwater.Resilience.CircuitBreaking;

/// <summary>
/// The outcome of <see cref="CircuitBreaker.ExecuteOutcomeAsync{TResult, TState}"/>: a result, an exception, or a
/// rejection that carries no exception object.
/// </summary>
public readonly struct BreakerOutcome<TResult>
{
    private BreakerOutcome(
        TResult? result, ExceptionDispatchInfo? exception, bool rejected, BreakerState state, TimeSpan? retryAfter)
    {
        Result = result;
        ExceptionInfo = exception;
        IsRejected = rejected;
        RejectedState = state;
        RetryAfter = retryAfter;
    }

    /// <summary>True when the breaker rejected the call without running it.</summary>
    public bool IsRejected { get; }

    /// <summary>The breaker's state when it rejected the call; meaningful only when <see cref="IsRejected"/>.</summary>
    public BreakerState RejectedState { get; }

    /// <summary>For a rejection, the time until calls may run again; null while the breaker is isolated.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The call's result when it completed without an exception.</summary>
    public TResult? Result { get; }

    /// <summary>The exception the call ended with, or null.</summary>
    public Exception? Exception => ExceptionInfo?.SourceException;

    /// <summary>The exception with its original stack trace, for rethrowing.</summary>
    public ExceptionDispatchInfo? ExceptionInfo { get; }

    /// <summary>True when the call ran and returned a result.</summary>
    public bool IsSuccess => !IsRejected && ExceptionInfo is null;

    internal static BreakerOutcome<TResult> FromResult(TResult result) => new(result, null, false, default, null);

    internal static BreakerOutcome<TResult> FromException(Exception exception) =>
        new(default, ExceptionDispatchInfo.Capture(exception), false, default, null);

    internal static BreakerOutcome<TResult> Rejected(BreakerState state, TimeSpan? retryAfter) =>
        new(default, null, true, state, retryAfter);
}
