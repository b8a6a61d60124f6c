using Breakwater.Health.Options;
using Breakwater.Health.Probes;
using Microsoft.Extensions.Options;

namespace Breakwater.Health.Monitoring;

/// <summary>
/// Holds the latest <see cref="HealthSnapshot"/>, the recent status transitions and a per-dependency timeline of the
/// last hour. <see cref="DependencyMonitor"/> writes; the endpoints and metrics read.
/// </summary>
/// <remarks>
/// Thread safe. <see cref="Current"/> is a lock-free reference read, so health requests never contend with probes;
/// the history accessors copy under a short lock.
/// </remarks>
public sealed class HealthSnapshotStore
{
    /// <summary>The <see cref="StatusTransition.Subject"/> of a change of the whole service's status.</summary>
    public const string ServiceSubject = "service";

    /// <summary>How far back <see cref="GetTimeline"/> reaches.</summary>
    public static readonly TimeSpan TimelineWindow = TimeSpan.FromHours(1);

    // Bounds memory when a short interval makes a status flap; 1,024 changes an hour is one every 3.5 s.
    private const int MaxTimelineSamples = 1024;

    private readonly Lock _gate = new();
    private readonly Queue<StatusTransition> _transitions = new();
    private readonly Dictionary<string, Queue<StatusSample>> _timelines = new(StringComparer.Ordinal);
    private readonly int _maxTransitions;
    private readonly TaskCompletionSource _firstComplete = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _timeProvider;
    private readonly long _startTimestamp;
    private HealthSnapshot _current;

    public HealthSnapshotStore(
        IEnumerable<DependencyProbeRegistration> registrations,
        IOptions<HealthOptions> options,
        TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        _startTimestamp = timeProvider.GetTimestamp();
        StartedAt = timeProvider.GetUtcNow();
        var names = registrations.Select(registration => registration.Dependency).Distinct(StringComparer.Ordinal).ToArray();
        _current = new HealthSnapshot(names, new DependencySnapshot?[names.Length], 0);
        _maxTransitions = options.Value.TransitionHistorySize;
        foreach (var name in names)
        {
            _timelines[name] = new Queue<StatusSample>();
        }
    }

    /// <summary>When the store was created, which is when the health services started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Time since <see cref="StartedAt"/>, measured with the monotonic clock.</summary>
    public TimeSpan Uptime => _timeProvider.GetElapsedTime(_startTimestamp);

    /// <summary>Raised after a new snapshot is published, on the probing thread; handlers must be fast.</summary>
    public event Action<HealthSnapshot>? SnapshotPublished;

    /// <summary>The latest snapshot; never null (empty before the first probe).</summary>
    public HealthSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Completes when the first complete snapshot is published.</summary>
    public Task WaitForFirstCompleteSnapshotAsync(CancellationToken cancellationToken) =>
        _firstComplete.Task.WaitAsync(cancellationToken);

    /// <summary>Returns the recent status transitions, oldest first.</summary>
    public IReadOnlyList<StatusTransition> GetTransitions()
    {
        lock (_gate)
        {
            return [.. _transitions];
        }
    }

    /// <summary>
    /// Returns the status changes of <paramref name="dependency"/> in the last hour before <paramref name="now"/>,
    /// oldest first, led by the last change before the hour so that the status at the start of the window is known.
    /// </summary>
    public IReadOnlyList<StatusSample> GetTimeline(string dependency, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_timelines.TryGetValue(dependency, out var samples))
            {
                return [];
            }

            PruneTimeline_NeedsLock(samples, now);
            return [.. samples];
        }
    }

    /// <summary>
    /// Publishes a new result of the dependency at <paramref name="index"/> and returns what changed, so that the
    /// caller can log outside the lock and then call <see cref="NotifyPublished"/>.
    /// </summary>
    internal PublishResult Publish(int index, DependencySnapshot entry)
    {
        HealthSnapshot published;
        StatusTransition? dependencyChange = null;
        StatusTransition? serviceChange = null;
        lock (_gate)
        {
            var previous = _current;
            var old = previous.EntryAt(index);
            var entries = previous.CopyEntries();
            entries[index] = entry with
            {
                StatusSince = old is not null && old.Status == entry.Status ? old.StatusSince : entry.Time,
                LastError = entry.Output ?? old?.LastError,
                LastErrorTime = entry.Output is null ? old?.LastErrorTime : entry.Time,
            };
            published = new HealthSnapshot(previous.DependencyNames, entries, previous.Version + 1);

            if (old is null || old.Status != entry.Status)
            {
                dependencyChange = new StatusTransition(
                    entry.Name, old?.Status, entry.Status, entry.Output ?? "The check passed.", entry.Time);
                AddTransition_NeedsLock(dependencyChange);
                var samples = _timelines[entry.Name];
                samples.Enqueue(new StatusSample(entry.Time, entry.Status));
                PruneTimeline_NeedsLock(samples, entry.Time);
            }

            var wasComplete = previous.IsComplete;
            if (published.IsComplete && (!wasComplete || previous.Status != published.Status))
            {
                serviceChange = new StatusTransition(
                    ServiceSubject,
                    wasComplete ? previous.Status : null,
                    published.Status,
                    DescribeService(published),
                    entry.Time);
                AddTransition_NeedsLock(serviceChange);
            }

            Volatile.Write(ref _current, published);
        }

        if (published.IsComplete)
        {
            _firstComplete.TrySetResult();
        }

        return new PublishResult(published, dependencyChange, serviceChange);
    }

    /// <summary>Raises <see cref="SnapshotPublished"/>; the monitor calls it after logging the changes.</summary>
    internal void NotifyPublished(HealthSnapshot snapshot) => SnapshotPublished?.Invoke(snapshot);

    private static string DescribeService(HealthSnapshot snapshot)
    {
        var failing = snapshot.Dependencies.Where(dependency => dependency.Status != HealthStatus.Healthy).ToArray();
        if (failing.Length == 0)
        {
            return "Every dependency is healthy.";
        }

        return string.Join(" ", failing.Select(dependency =>
            $"{dependency.Name} is {dependency.Status.ToText()}{(dependency.Critical ? " (critical)" : "")}."));
    }

    private void AddTransition_NeedsLock(StatusTransition transition)
    {
        _transitions.Enqueue(transition);
        while (_transitions.Count > _maxTransitions)
        {
            _transitions.Dequeue();
        }
    }

    private static void PruneTimeline_NeedsLock(Queue<StatusSample> samples, DateTimeOffset now)
    {
        var windowStart = now - TimelineWindow;

        // Keep one sample from before the window: it is the status in force when the window starts.
        while (samples.Count > 1 && (samples.Count > MaxTimelineSamples || SecondIsBefore(samples, windowStart)))
        {
            samples.Dequeue();
        }
    }

    private static bool SecondIsBefore(Queue<StatusSample> samples, DateTimeOffset windowStart)
    {
        using var enumerator = samples.GetEnumerator();
        enumerator.MoveNext();
        enumerator.MoveNext();
        return enumerator.Current.Time <= windowStart;
    }
}

/// <summary>What one publication changed.</summary>
internal readonly record struct PublishResult(
    HealthSnapshot Snapshot,
    StatusTransition? DependencyChange,
    StatusTransition? ServiceChange);
