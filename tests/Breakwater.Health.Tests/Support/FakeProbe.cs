using Breakwater.Health.Probes;

namespace Breakwater.Health.Tests.Support;

/// <summary>A probe whose behaviour a test sets and whose calls it counts.</summary>
internal sealed class FakeProbe(string dependency, string measurement = "check", string componentType = "component")
    : IDependencyProbe
{
    private int _calls;
    private TaskCompletionSource _called = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Dependency { get; } = dependency;

    public string Measurement { get; } = measurement;

    public string ComponentType { get; } = componentType;

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>The behaviour of the next calls; healthy with 1.5 ms latency by default.</summary>
    public Func<CancellationToken, Task<ProbeResult>> Behaviour { get; set; } = Healthy;

    public static Task<ProbeResult> Healthy(CancellationToken cancellationToken) =>
        Task.FromResult(ProbeResult.Healthy(1.5, "ms"));

    public static Task<ProbeResult> Failing(CancellationToken cancellationToken) =>
        Task.FromException<ProbeResult>(new IOException("Connection refused by Host=db.internal;Password=hunter2"));

    public static Task<ProbeResult> Degraded(CancellationToken cancellationToken) =>
        Task.FromResult(new ProbeResult(HealthStatus.Degraded, 900, "ms", "Slow response."));

    /// <summary>Completes when the probe has been called at least <paramref name="count"/> times.</summary>
    public async Task WaitForCallsAsync(int count)
    {
        while (Calls < count)
        {
            var called = Volatile.Read(ref _called).Task;
            if (Calls >= count)
            {
                break;
            }

            await called.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        var called = Interlocked.Exchange(ref _called, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        called.TrySetResult();
        return Behaviour(cancellationToken);
    }
}
