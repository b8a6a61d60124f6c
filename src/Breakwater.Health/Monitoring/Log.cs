using Microsoft.Extensions.Logging;

namespace Breakwater.Health.Monitoring;

/// <summary>Log messages of the health monitor. Event ids 4000 to 4099 belong to health.</summary>
internal static partial class Log
{
    [LoggerMessage(
        EventId = 4001,
        EventName = "DependencyHealthy",
        Level = LogLevel.Information,
        Message = "Dependency {Dependency} is healthy (previously {PreviousStatus}).")]
    public static partial void DependencyHealthy(ILogger logger, string dependency, string previousStatus);

    [LoggerMessage(
        EventId = 4002,
        EventName = "DependencyDegraded",
        Level = LogLevel.Warning,
        Message = "Dependency {Dependency} is degraded (previously {PreviousStatus}): {Reason}")]
    public static partial void DependencyDegraded(
        ILogger logger, string dependency, string previousStatus, string reason, Exception? exception);

    [LoggerMessage(
        EventId = 4003,
        EventName = "DependencyUnhealthy",
        Level = LogLevel.Error,
        Message = "Dependency {Dependency} is unhealthy (previously {PreviousStatus}): {Reason}")]
    public static partial void DependencyUnhealthy(
        ILogger logger, string dependency, string previousStatus, string reason, Exception? exception);

    [LoggerMessage(
        EventId = 4004,
        EventName = "ServiceHealthy",
        Level = LogLevel.Information,
        Message = "Service is healthy (previously {PreviousStatus}): {Reason}")]
    public static partial void ServiceHealthy(ILogger logger, string previousStatus, string reason);

    [LoggerMessage(
        EventId = 4005,
        EventName = "ServiceDegraded",
        Level = LogLevel.Warning,
        Message = "Service is degraded (previously {PreviousStatus}): {Reason}")]
    public static partial void ServiceDegraded(ILogger logger, string previousStatus, string reason);

    [LoggerMessage(
        EventId = 4006,
        EventName = "ServiceUnhealthy",
        Level = LogLevel.Error,
        Message = "Service is unhealthy (previously {PreviousStatus}): {Reason}")]
    public static partial void ServiceUnhealthy(ILogger logger, string previousStatus, string reason);

    [LoggerMessage(
        EventId = 4010,
        EventName = "ProbeAbandoned",
        Level = LogLevel.Warning,
        Message = "The {Dependency} probe ignored cancellation after its {TimeoutMs} ms timeout; " +
            "no new probe of this dependency starts until it ends.")]
    public static partial void ProbeAbandoned(ILogger logger, string dependency, double timeoutMs);

    [LoggerMessage(
        EventId = 4013,
        EventName = "MonitorRoundFailed",
        Level = LogLevel.Error,
        Message = "A health monitor round for {Dependency} failed; the next round runs at the next interval.")]
    public static partial void MonitorRoundFailed(ILogger logger, string dependency, Exception exception);

    [LoggerMessage(
        EventId = 4011,
        EventName = "MonitorStarted",
        Level = LogLevel.Information,
        Message = "Health monitor started for {Dependencies}.")]
    public static partial void MonitorStarted(ILogger logger, string dependencies);

    [LoggerMessage(
        EventId = 4012,
        EventName = "MonitorStopped",
        Level = LogLevel.Information,
        Message = "Health monitor stopped.")]
    public static partial void MonitorStopped(ILogger logger);
}
