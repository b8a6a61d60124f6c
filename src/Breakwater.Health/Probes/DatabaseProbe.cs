using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Journal;

namespace Breakwater.Health.Probes;

/// <summary>Checks the order journal with <see cref="IOrderJournal.PingAsync"/> (<c>SELECT 1</c>) and reports its latency.</summary>
public sealed class DatabaseProbe : IDependencyProbe
{
    private readonly IOrderJournal _journal;
    private readonly TimeProvider _timeProvider;

    public DatabaseProbe(IOrderJournal journal, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _journal = journal;
        _timeProvider = timeProvider;
    }

    public string Dependency => DependencyNames.Database;

    public async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        await _journal.PingAsync(cancellationToken);
        return ProbeResult.Healthy(_timeProvider.GetElapsedTime(started).TotalMilliseconds, "ms");
    }
}
