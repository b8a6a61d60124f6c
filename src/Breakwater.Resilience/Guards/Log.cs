using Microsoft.Extensions.Logging;

namespace Breakwater.Resilience.Guards;

/// <summary>Log messages of the guarded dependency decorators; event ids 1120 to 1139.</summary>
internal static partial class Log
{
    [LoggerMessage(
        EventId = 1120,
        EventName = "DependencyCallRetrying",
        Level = LogLevel.Warning,
        Message = "Retrying {Operation} on {Dependency}: attempt {Attempt} failed, next attempt in {RetryDelay}")]
    public static partial void RetryingCall(
        ILogger logger, Exception? exception, string dependency, string operation, int attempt, TimeSpan retryDelay);

    [LoggerMessage(
        EventId = 1121,
        EventName = "DependencyCallOutcomeUncertain",
        Level = LogLevel.Warning,
        Message = "{Operation} on {Dependency} failed after the request was sent; it may have been executed "
            + "and must be reconciled")]
    public static partial void OutcomeUncertain(
        ILogger logger, Exception exception, string dependency, string operation);
}
