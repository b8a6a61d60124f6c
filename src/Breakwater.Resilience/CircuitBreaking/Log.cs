using Microsoft.Extensions.Logging;

namespace Breakwater.Resilience.CircuitBreaking;

/// <summary>Log messages of the circuit breakers; event ids 1100 to 1119.</summary>
internal static partial class Log
{
    public static void Transition(ILogger logger, BreakerTransition transition)
    {
        switch (transition.To)
        {
            case BreakerState.Open:
                BreakerOpened(
                    logger,
                    transition.BreakerName,
                    transition.From,
                    transition.BreakDuration ?? TimeSpan.Zero,
                    transition.Reason,
                    transition.Detail);
                break;
            case BreakerState.Isolated:
                BreakerIsolated(logger, transition.BreakerName, transition.From, transition.Detail);
                break;
            case BreakerState.HalfOpen:
                BreakerHalfOpened(logger, transition.BreakerName, transition.Detail);
                break;
            case BreakerState.Closed:
                BreakerClosed(logger, transition.BreakerName, transition.From, transition.Reason, transition.Detail);
                break;
            default:
                BreakerDisabled(logger, transition.BreakerName, transition.From, transition.Detail);
                break;
        }
    }

    [LoggerMessage(
        EventId = 1100,
        EventName = "BreakerOpened",
        Level = LogLevel.Warning,
        Message = "Circuit breaker {BreakerName} opened from {FromState} for {BreakDuration} ({Reason}): {Detail}")]
    public static partial void BreakerOpened(
        ILogger logger,
        string breakerName,
        BreakerState fromState,
        TimeSpan breakDuration,
        BreakerTransitionReason reason,
        string detail);

    [LoggerMessage(
        EventId = 1101,
        EventName = "BreakerHalfOpened",
        Level = LogLevel.Information,
        Message = "Circuit breaker {BreakerName} is half-open: {Detail}")]
    public static partial void BreakerHalfOpened(ILogger logger, string breakerName, string detail);

    [LoggerMessage(
        EventId = 1102,
        EventName = "BreakerClosed",
        Level = LogLevel.Information,
        Message = "Circuit breaker {BreakerName} closed from {FromState} ({Reason}): {Detail}")]
    public static partial void BreakerClosed(
        ILogger logger, string breakerName, BreakerState fromState, BreakerTransitionReason reason, string detail);

    [LoggerMessage(
        EventId = 1103,
        EventName = "BreakerIsolated",
        Level = LogLevel.Warning,
        Message = "Circuit breaker {BreakerName} isolated by an operator from {FromState}: {Detail}")]
    public static partial void BreakerIsolated(
        ILogger logger, string breakerName, BreakerState fromState, string detail);

    [LoggerMessage(
        EventId = 1104,
        EventName = "BreakerDisabled",
        Level = LogLevel.Information,
        Message = "Circuit breaker {BreakerName} returned to disabled from {FromState}: {Detail}")]
    public static partial void BreakerDisabled(
        ILogger logger, string breakerName, BreakerState fromState, string detail);

    [LoggerMessage(
        EventId = 1105,
        EventName = "BreakerTransitionHandlerFailed",
        Level = LogLevel.Error,
        Message = "A handler of circuit breaker {BreakerName} failed on the transition from {FromState} to {ToState}")]
    public static partial void TransitionHandlerFailed(
        ILogger logger, Exception exception, string breakerName, BreakerState fromState, BreakerState toState);
}
