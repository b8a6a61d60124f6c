using Breakwater.Domain.Dependencies;

namespace Breakwater.Health.Options;

/// <summary>Options of health checking, bound from the <c>Breakwater:Health</c> configuration section.</summary>
public sealed class HealthOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Breakwater:Health";

    /// <summary>The broker heartbeat. Critical by default.</summary>
    public DependencyHealthOptions Broker { get; set; } = new() { Critical = true };

    /// <summary>The order journal database. Critical by default.</summary>
    public DependencyHealthOptions Database { get; set; } = new() { Critical = true };

    /// <summary>Market data freshness. Not critical by default: orders can still be placed on stale quotes.</summary>
    public MarketDataHealthOptions MarketData { get; set; } = new() { Critical = false };

    /// <summary>
    /// When true, readiness returns 503 while the service is degraded. When false (the default), it returns 200 with
    /// status <c>warn</c>.
    /// </summary>
    public bool DegradedIsUnavailable { get; set; }

    /// <summary>The draft's <c>serviceId</c>. Default <c>breakwater-gateway</c>.</summary>
    public string ServiceId { get; set; } = "breakwater-gateway";

    /// <summary>The draft's <c>description</c>.</summary>
    public string Description { get; set; } = "Breakwater trading gateway";

    /// <summary>
    /// The draft's <c>version</c>, the public version of the service. Default: the major part of
    /// <see cref="ReleaseId"/>.
    /// </summary>
    public string? Version { get; set; }

    /// <summary>
    /// The draft's <c>releaseId</c>. Default: the informational version of the entry assembly, so that every build
    /// reports its own.
    /// </summary>
    public string? ReleaseId { get; set; }

    /// <summary>Maximum number of status transitions kept for the status endpoint, 1 to 10,000. Default 200.</summary>
    public int TransitionHistorySize { get; set; } = 200;

    /// <summary>Returns the options of <paramref name="dependency"/>, or null for a name that has none.</summary>
    public DependencyHealthOptions? For(string dependency) => dependency switch
    {
        DependencyNames.Broker => Broker,
        DependencyNames.Database => Database,
        DependencyNames.MarketData => MarketData,
        _ => null,
    };
}

/// <summary>Options of one dependency's health check.</summary>
public class DependencyHealthOptions
{
    /// <summary>
    /// When true, the service is unhealthy while this dependency is unhealthy; when false, the service is only
    /// degraded.
    /// </summary>
    public bool Critical { get; set; }

    /// <summary>Time between the starts of two probes, 100 ms to 1 hour. Default 5 s.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time after which a probe counts as failed, greater than zero and at most <see cref="Interval"/>. Default 2 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The dependency's status while its breaker is open: Degraded or Unhealthy. Default Unhealthy.</summary>
    public HealthStatus OpenBreakerStatus { get; set; } = HealthStatus.Unhealthy;

    /// <summary>The dependency's status while its breaker is half-open: Degraded or Unhealthy. Default Degraded.</summary>
    public HealthStatus HalfOpenBreakerStatus { get; set; } = HealthStatus.Degraded;
}

/// <summary>Options of the market data check, which adds freshness rules to the common ones.</summary>
public sealed class MarketDataHealthOptions : DependencyHealthOptions
{
    /// <summary>
    /// Maximum age of the newest quote during trading hours, greater than zero. Default 30 s.
    /// </summary>
    public TimeSpan MaxQuoteAge { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The hours in which quotes must be fresh; outside them a stale quote is healthy.</summary>
    public TradingHoursOptions TradingHours { get; set; } = new();
}

/// <summary>The regular trading session. Default: Monday to Friday, 09:30 to 16:00 in America/New_York.</summary>
/// <remarks>
/// An <see cref="End"/> before <see cref="Start"/> describes a session that runs past midnight; the session then
/// belongs to the day on which it starts.
/// </remarks>
public sealed class TradingHoursOptions
{
    /// <summary>Local time at which the session opens.</summary>
    public TimeOnly Start { get; set; } = new(9, 30);

    /// <summary>Local time at which the session closes; must differ from <see cref="Start"/>.</summary>
    public TimeOnly End { get; set; } = new(16, 0);

    /// <summary>The IANA (or Windows) id of the time zone of <see cref="Start"/> and <see cref="End"/>.</summary>
    public string TimeZone { get; set; } = "America/New_York";

    /// <summary>The days on which the session opens. Empty (the default) means Monday to Friday.</summary>
    // NOTE: exchange holidays are not modelled, so on a holiday a stale feed during these hours reports unhealthy.
    public IList<DayOfWeek> Days { get; set; } = new List<DayOfWeek>();

    /// <summary>Returns the configured days, or Monday to Friday when none are configured.</summary>
    internal IReadOnlyList<DayOfWeek> EffectiveDays => Days.Count > 0
        ? [.. Days]
        : [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];
}
