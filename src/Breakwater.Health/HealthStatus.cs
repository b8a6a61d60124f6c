namespace Breakwater.Health;

/// <summary>The health of one dependency or of the whole service, ordered from best to worst.</summary>
public enum HealthStatus
{
    /// <summary>Working as expected.</summary>
    Healthy = 0,

    /// <summary>Working with reduced capacity or in a state that may fail soon (a half-open breaker).</summary>
    Degraded = 1,

    /// <summary>Not usable.</summary>
    Unhealthy = 2,
}

/// <summary>Text forms of <see cref="HealthStatus"/> used in JSON, logs and metrics.</summary>
public static class HealthStatusText
{
    /// <summary>Returns <c>healthy</c>, <c>degraded</c> or <c>unhealthy</c>.</summary>
    public static string ToText(this HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };

    /// <summary>
    /// Returns the status name of the IETF draft "Health Check Response Format for HTTP APIs": <c>pass</c>,
    /// <c>warn</c> or <c>fail</c>.
    /// </summary>
    public static string ToDraftStatus(this HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "pass",
        HealthStatus.Degraded => "warn",
        _ => "fail",
    };

    /// <summary>Returns the worse of two statuses.</summary>
    public static HealthStatus Worst(HealthStatus first, HealthStatus second) => first >= second ? first : second;
}
