namespace Breakwater.Health.Endpoints;

/// <summary>The body of <c>GET /api/status</c>: everything a dashboard shows, in one request.</summary>
/// <param name="Status">
/// The service status (<c>healthy</c>, <c>degraded</c>, <c>unhealthy</c>), or <c>unknown</c> before every dependency
/// was probed once.
/// </param>
/// <param name="Ready">Whether readiness currently returns 200.</param>
/// <param name="OpenOrders">Orders that are not final, or null when no counter is registered.</param>
/// <param name="TimelineWindowSeconds">How far back each dependency's <c>timeline</c> reaches.</param>
public sealed record StatusResponse(
    string ServiceId,
    string Version,
    string ReleaseId,
    string Status,
    bool Ready,
    string Lifecycle,
    DateTimeOffset Time,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    int? OpenOrders,
    IReadOnlyList<DependencyStatusResponse> Dependencies,
    IReadOnlyList<TransitionResponse> Transitions,
    double TimelineWindowSeconds);

/// <summary>One dependency on the status endpoint.</summary>
/// <param name="Status">The status of the latest probe combined with the breaker, or <c>unknown</c> before it.</param>
/// <param name="Since">When <paramref name="Status"/> began.</param>
/// <param name="Timeline">The status changes in the window, oldest first, led by the status at the window start.</param>
public sealed record DependencyStatusResponse(
    string Name,
    bool Critical,
    string Status,
    DateTimeOffset? Since,
    ProbeResponse? Probe,
    BreakerResponse? Breaker,
    LastErrorResponse? LastError,
    IReadOnlyList<TimelineSampleResponse> Timeline);

/// <summary>The latest probe of a dependency.</summary>
/// <param name="Status">The probe's own status, before the breaker was applied.</param>
/// <param name="LatencyMs">How long the probe took, in milliseconds.</param>
/// <param name="Output">A fixed sentence when the dependency is not healthy.</param>
public sealed record ProbeResponse(
    string Status,
    double LatencyMs,
    double? ObservedValue,
    string? ObservedUnit,
    DateTimeOffset Time,
    string? Output);

/// <summary>A dependency's circuit breaker, read at request time.</summary>
/// <param name="State"><c>closed</c>, <c>open</c>, <c>halfOpen</c>, <c>isolated</c> or <c>disabled</c>.</param>
/// <param name="RetryAfterSeconds">While open, the seconds until a trial call is allowed.</param>
public sealed record BreakerResponse(
    string State,
    double? RetryAfterSeconds,
    string? LastTransitionReason,
    DateTimeOffset? LastTransitionTime);

/// <summary>The latest failed probe of a dependency, kept after it recovers.</summary>
public sealed record LastErrorResponse(string Message, DateTimeOffset Time);

/// <summary>A status change.</summary>
/// <param name="Subject">A dependency name, or <c>service</c>.</param>
/// <param name="From">The previous status, or null for the first observation.</param>
public sealed record TransitionResponse(string Subject, string? From, string To, string Reason, DateTimeOffset Time);

/// <summary>A status that a dependency took at <paramref name="Time"/>.</summary>
public sealed record TimelineSampleResponse(DateTimeOffset Time, string Status);
