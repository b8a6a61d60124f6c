using System.Diagnostics.Metrics;
using Breakwater.Domain.Dependencies;
using Breakwater.Health.Breakers;
using Breakwater.Health.Monitoring;

namespace Breakwater.Health.Metrics;

/// <summary>
/// Owns the <c>Breakwater</c> meter: breaker state, transitions and rejections, dependency status, probe duration and
/// order outcomes. Exported in Prometheus text on <c>/metrics</c>.
/// </summary>
/// <remarks>
/// Thread safe. In Prometheus the instruments appear as <c>breakwater_breaker_state</c>,
/// <c>breakwater_breaker_transitions_total</c>, <c>breakwater_breaker_rejections_total</c>,
/// <c>breakwater_dependency_status</c>, <c>breakwater_health_probe_duration_seconds</c> and
/// <c>breakwater_orders_total</c>.
/// NOTE: OpenTelemetry subscribes to meters by name across the process, so two hosts in one process (parallel test
/// servers) export each other's measurements.
/// </remarks>
public sealed class BreakwaterMetrics
{
    private static readonly double[] ProbeDurationBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>The meter name to register with OpenTelemetry.</summary>
    public const string MeterName = "Breakwater";

    private static readonly string[] OrderOutcomes = ["accepted", "rejected", "filled", "cancelled", "failed"];

    private readonly Counter<long> _breakerTransitions;
    private readonly Counter<long> _breakerRejections;
    private readonly Histogram<double> _probeDuration;
    private readonly Counter<long> _orders;

    public BreakwaterMetrics(IMeterFactory meterFactory, IBreakerStateSource breakers, HealthSnapshotStore store)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(breakers);
        ArgumentNullException.ThrowIfNull(store);
        var meter = meterFactory.Create(MeterName);

        meter.CreateObservableGauge(
            "breakwater.breaker.state",
            () => ObserveBreakers(breakers),
            unit: "{state}",
            description: "Circuit breaker state: 0 closed, 1 half-open, 2 open, 3 isolated, 4 disabled or absent.");
        _breakerTransitions = meter.CreateCounter<long>(
            "breakwater.breaker.transitions",
            unit: "{transition}",
            description: "Circuit breaker state transitions, tagged with the breaker and the states.");
        _breakerRejections = meter.CreateCounter<long>(
            "breakwater.breaker.rejections",
            unit: "{call}",
            description: "Calls rejected by an open or isolated circuit breaker.");
        meter.CreateObservableGauge(
            "breakwater.dependency.status",
            () => ObserveDependencies(store),
            unit: "{status}",
            description: "Dependency health from the latest probe: 0 healthy, 1 degraded, 2 unhealthy.");
        // OpenTelemetry's default buckets (0 to 10,000) suit milliseconds; probes are measured in seconds.
        _probeDuration = meter.CreateHistogram(
            "breakwater.health.probe.duration",
            unit: "s",
            description: "Duration of dependency health probes, up to the probe timeout.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ProbeDurationBuckets });
        _orders = meter.CreateCounter<long>(
            "breakwater.orders",
            unit: "{order}",
            description: "Orders by outcome: accepted, rejected, filled, cancelled or failed.");
    }

    /// <summary>Returns the gauge value of a breaker state.</summary>
    public static int ToGaugeValue(BreakerState? state) => state switch
    {
        BreakerState.Closed => 0,
        BreakerState.HalfOpen => 1,
        BreakerState.Open => 2,
        BreakerState.Isolated => 3,
        _ => 4,
    };

    /// <summary>Counts a transition of the breaker of <paramref name="breaker"/> (a dependency name).</summary>
    public void RecordBreakerTransition(string breaker, BreakerState from, BreakerState to) =>
        _breakerTransitions.Add(
            1,
            new KeyValuePair<string, object?>("breaker", breaker),
            new KeyValuePair<string, object?>("from", from.ToText()),
            new KeyValuePair<string, object?>("to", to.ToText()));

    /// <summary>Counts a call that the breaker of <paramref name="breaker"/> rejected without calling the dependency.</summary>
    public void RecordBreakerRejection(string breaker) =>
        _breakerRejections.Add(1, new KeyValuePair<string, object?>("breaker", breaker));

    /// <summary>
    /// Counts an order outcome: <c>accepted</c>, <c>rejected</c>, <c>filled</c>, <c>cancelled</c> or <c>failed</c>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="outcome"/> is not one of these.</exception>
    public void RecordOrderOutcome(string outcome)
    {
        if (!OrderOutcomes.Contains(outcome, StringComparer.Ordinal))
        {
            throw new ArgumentException(
                $"The order outcome must be one of {string.Join(", ", OrderOutcomes)}, but it is '{outcome}'.",
                nameof(outcome));
        }

        _orders.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    }

    internal void RecordProbeDuration(string dependency, TimeSpan duration) =>
        _probeDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("dependency", dependency));

    private static IEnumerable<Measurement<int>> ObserveBreakers(IBreakerStateSource breakers)
    {
        foreach (var name in DependencyNames.All)
        {
            BreakerView? view;
            try
            {
                view = breakers.GetBreaker(name);
            }
#pragma warning disable CA1031 // A failing adapter reports the breaker as absent instead of breaking the scrape.
            catch (Exception)
#pragma warning restore CA1031
            {
                view = null;
            }

            yield return new Measurement<int>(ToGaugeValue(view?.State), new KeyValuePair<string, object?>("breaker", name));
        }
    }

    private static IEnumerable<Measurement<int>> ObserveDependencies(HealthSnapshotStore store)
    {
        foreach (var dependency in store.Current.Dependencies)
        {
            yield return new Measurement<int>(
                (int)dependency.Status,
                new KeyValuePair<string, object?>("dependency", dependency.Name));
        }
    }
}
