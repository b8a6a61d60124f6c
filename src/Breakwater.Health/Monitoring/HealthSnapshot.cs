using Breakwater.Health.Breakers;

namespace Breakwater.Health.Monitoring;

/// <summary>
/// The latest result of every dependency and the service status derived from them. Immutable: the monitor replaces
/// the whole snapshot after each probe, so readers see either the old or the new one and never a mix.
/// </summary>
public sealed class HealthSnapshot
{
    private readonly DependencySnapshot?[] _entries;

    internal HealthSnapshot(IReadOnlyList<string> dependencies, DependencySnapshot?[] entries, long version)
    {
        DependencyNames = dependencies;
        _entries = entries;
        Version = version;
        Dependencies = [.. entries.OfType<DependencySnapshot>()];
        Pending = [.. dependencies.Where((_, index) => entries[index] is null)];
        Status = Combine(Dependencies);
    }

    /// <summary>The monitored dependencies in registration order.</summary>
    public IReadOnlyList<string> DependencyNames { get; }

    /// <summary>The dependencies that have at least one result, in registration order.</summary>
    public IReadOnlyList<DependencySnapshot> Dependencies { get; }

    /// <summary>The dependencies that have no result yet.</summary>
    public IReadOnlyList<string> Pending { get; }

    /// <summary>True once every monitored dependency has at least one result.</summary>
    public bool IsComplete => Pending.Count == 0;

    /// <summary>
    /// The service status: unhealthy when a critical dependency is unhealthy; degraded when a non-critical one is
    /// unhealthy or any is degraded; otherwise healthy. Dependencies without a result are not counted, so check
    /// <see cref="IsComplete"/> first.
    /// </summary>
    public HealthStatus Status { get; }

    /// <summary>Increases by one with every published snapshot; 0 for the empty snapshot at start.</summary>
    public long Version { get; }

    internal DependencySnapshot? EntryAt(int index) => _entries[index];

    internal DependencySnapshot?[] CopyEntries() => (DependencySnapshot?[])_entries.Clone();

    internal static HealthStatus Combine(IEnumerable<DependencySnapshot> dependencies)
    {
        var status = HealthStatus.Healthy;
        foreach (var dependency in dependencies)
        {
            var effect = dependency.Status switch
            {
                HealthStatus.Unhealthy when dependency.Critical => HealthStatus.Unhealthy,
                HealthStatus.Healthy => HealthStatus.Healthy,
                _ => HealthStatus.Degraded,
            };
            status = HealthStatusText.Worst(status, effect);
        }

        return status;
    }
}

/// <summary>The latest result of one dependency.</summary>
/// <param name="Name">The dependency, one of <see cref="Domain.Dependencies.DependencyNames"/>.</param>
/// <param name="Measurement">What the probe measures, for example <c>heartbeat</c>.</param>
/// <param name="ComponentType">The draft's <c>componentType</c>.</param>
/// <param name="Critical">Whether an unhealthy status makes the whole service unhealthy.</param>
/// <param name="Status">The dependency's status after the breaker state was applied to the probe result.</param>
/// <param name="ProbeStatus">The status reported by the probe alone.</param>
/// <param name="ObservedValue">The measured value (latency in ms, quote age in s), or null.</param>
/// <param name="ObservedUnit">The unit of <paramref name="ObservedValue"/>.</param>
/// <param name="Output">A fixed sentence that explains a status other than healthy; null when healthy.</param>
/// <param name="Time">When the probe finished.</param>
/// <param name="ProbeDuration">How long the probe took, up to the timeout.</param>
/// <param name="Breaker">The breaker state read right after the probe, or null when the dependency has none.</param>
/// <param name="StatusSince">When <paramref name="Status"/> was first observed without interruption.</param>
/// <param name="LastError">The output of the latest failed probe, kept after recovery; null if none failed.</param>
/// <param name="LastErrorTime">When <paramref name="LastError"/> was observed.</param>
public sealed record DependencySnapshot(
    string Name,
    string Measurement,
    string ComponentType,
    bool Critical,
    HealthStatus Status,
    HealthStatus ProbeStatus,
    double? ObservedValue,
    string? ObservedUnit,
    string? Output,
    DateTimeOffset Time,
    TimeSpan ProbeDuration,
    BreakerView? Breaker,
    DateTimeOffset StatusSince,
    string? LastError,
    DateTimeOffset? LastErrorTime);

/// <summary>One change of status, of a dependency or of the whole service.</summary>
/// <param name="Subject">A dependency name, or <see cref="HealthSnapshotStore.ServiceSubject"/> for the service.</param>
/// <param name="From">The previous status, or null for the first observation.</param>
/// <param name="To">The new status.</param>
/// <param name="Reason">A fixed sentence explaining the new status.</param>
/// <param name="Time">When the change was observed.</param>
public sealed record StatusTransition(
    string Subject,
    HealthStatus? From,
    HealthStatus To,
    string Reason,
    DateTimeOffset Time);

/// <summary>A status that a dependency took at <paramref name="Time"/> and kept until the next sample.</summary>
public readonly record struct StatusSample(DateTimeOffset Time, HealthStatus Status);
