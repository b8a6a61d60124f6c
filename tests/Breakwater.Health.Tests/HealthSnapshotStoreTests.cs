using Breakwater.Health.Monitoring;
using Breakwater.Health.Options;
using Breakwater.Health.Probes;
using Microsoft.Extensions.Time.Testing;

namespace Breakwater.Health.Tests;

public sealed class HealthSnapshotStoreTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 15, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Publish_ManyChanges_KeepsConfiguredNumberOfTransitions()
    {
        var store = CreateStore(historySize: 3);

        for (var i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            store.Publish(0, Entry(i % 2 == 0 ? HealthStatus.Unhealthy : HealthStatus.Healthy));
        }

        var transitions = store.GetTransitions();
        Assert.Equal(3, transitions.Count);
        Assert.Equal(_time.GetUtcNow(), transitions[^1].Time);
        Assert.Equal(HealthStatus.Healthy, transitions[^1].To);
    }

    [Fact]
    public void Publish_SameStatusAgain_AddsNoTransitionAndKeepsSince()
    {
        var store = CreateStore(historySize: 200);
        store.Publish(0, Entry(HealthStatus.Unhealthy));
        var firstTime = _time.GetUtcNow();

        _time.Advance(TimeSpan.FromSeconds(5));
        var result = store.Publish(0, Entry(HealthStatus.Unhealthy));

        Assert.Null(result.DependencyChange);
        Assert.Null(result.ServiceChange);
        Assert.Equal(2, store.GetTransitions().Count);
        Assert.Equal(firstTime, result.Snapshot.Dependencies[0].StatusSince);
    }

    [Fact]
    public async Task Publish_FirstEntry_CompletesFirstSnapshotWait()
    {
        var store = CreateStore(historySize: 200);
        var wait = store.WaitForFirstCompleteSnapshotAsync(CancellationToken.None);
        var before = wait.IsCompleted;

        store.Publish(0, Entry(HealthStatus.Healthy));
        await wait.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(before);
        Assert.True(wait.IsCompletedSuccessfully);
    }

    private HealthSnapshotStore CreateStore(int historySize) => new(
        [new DependencyProbeRegistration("database", "responseTime", "datastore", _ => throw new NotSupportedException())],
        Microsoft.Extensions.Options.Options.Create(new HealthOptions { TransitionHistorySize = historySize }),
        _time);

    private DependencySnapshot Entry(HealthStatus status) => new(
        "database", "responseTime", "datastore", Critical: true, status, status, null, null,
        status == HealthStatus.Healthy ? null : ProbeOutputs.ConnectionFailed,
        _time.GetUtcNow(), TimeSpan.Zero, null, default, null, null);
}
