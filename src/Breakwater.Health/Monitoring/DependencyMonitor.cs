using System.Data.Common;
using System.Net.Sockets;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Lifecycle;
using Breakwater.Health.Breakers;
using Breakwater.Health.Metrics;
using Breakwater.Health.Options;
using Breakwater.Health.Probes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Breakwater.Health.Monitoring;

/// <summary>
/// Probes every registered dependency on its own interval and publishes the results to
/// <see cref="HealthSnapshotStore"/>. Health requests read the store only, so the number of requests never changes how
/// often a dependency is checked.
/// </summary>
/// <remarks>
/// Each dependency has one loop, so at most one probe of a dependency runs at a time. A probe call is bounded by the
/// dependency's timeout even when it ignores cancellation: the monitor stops waiting, reports the timeout and starts no
/// new call until the abandoned one ends. Status changes are logged once each, with event ids 4001 to 4006.
/// </remarks>
public sealed class DependencyMonitor : BackgroundService
{
    private readonly IServiceProvider _services;
    private readonly HealthSnapshotStore _store;
    private readonly IBreakerStateSource _breakers;
    private readonly BreakwaterMetrics _metrics;
    private readonly GatewayLifecycle _lifecycle;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<DependencyMonitor> _logger;
    private readonly HealthOptions _options;
    private readonly DependencyLoop[] _loops;

    public DependencyMonitor(
        IServiceProvider services,
        IEnumerable<DependencyProbeRegistration> registrations,
        HealthSnapshotStore store,
        IBreakerStateSource breakers,
        BreakwaterMetrics metrics,
        GatewayLifecycle lifecycle,
        TimeProvider timeProvider,
        IOptions<HealthOptions> options,
        ILogger<DependencyMonitor> logger)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        ArgumentNullException.ThrowIfNull(options);
        _services = services;
        _store = store;
        _breakers = breakers;
        _metrics = metrics;
        _lifecycle = lifecycle;
        _timeProvider = timeProvider;
        _logger = logger;
        _options = options.Value;

        // The store orders dependencies by first registration. A later registration of the same name replaces the
        // earlier probe, so a host can swap a default probe.
        var byName = new Dictionary<string, DependencyProbeRegistration>(StringComparer.Ordinal);
        foreach (var registration in registrations)
        {
            byName[registration.Dependency] = registration;
        }

        _loops = [.. store.Current.DependencyNames.Select((name, index) =>
            new DependencyLoop(index, byName[name], _options.For(name) ?? new DependencyHealthOptions()))];
    }

    /// <summary>
    /// Starts a probe of <paramref name="dependency"/> (or of every dependency when null) as soon as its current probe,
    /// if any, ends. Requests that arrive while a probe runs are merged into one extra probe. Thread safe.
    /// </summary>
    public void RequestProbe(string? dependency = null)
    {
        foreach (var loop in _loops)
        {
            if (dependency is null || string.Equals(loop.Registration.Dependency, dependency, StringComparison.Ordinal))
            {
                loop.RequestProbe();
            }
        }
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _lifecycle.StateChanged += OnLifecycleChanged;
        Log.MonitorStarted(_logger, string.Join(", ", _loops.Select(loop => loop.Registration.Dependency)));
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _lifecycle.StateChanged -= OnLifecycleChanged;
        await base.StopAsync(cancellationToken);
        Log.MonitorStopped(_logger);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_loops.Select(loop => RunLoopAsync(loop, stoppingToken)));

    private void OnLifecycleChanged(LifecycleState state) => RequestProbe();

    private async Task RunLoopAsync(DependencyLoop loop, CancellationToken stoppingToken)
    {
        // Leave the caller's thread at once so that a slow probe factory cannot delay host start or the other loops.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = _timeProvider.GetTimestamp();
            loop.ResetTrigger();
            try
            {
                await ProbeOnceAsync(loop, stoppingToken);
            }
#pragma warning disable CA1031 // One failed round (a throwing snapshot subscriber) must not end health monitoring.
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                Log.MonitorRoundFailed(_logger, loop.Registration.Dependency, exception);
            }

            var remaining = loop.Options.Interval - _timeProvider.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero || stoppingToken.IsCancellationRequested)
            {
                continue;
            }

            using var waitCancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var delay = Task.Delay(remaining, _timeProvider, waitCancellation.Token);
            await Task.WhenAny(delay, loop.PendingTrigger);
            await waitCancellation.CancelAsync();
        }
    }

    private async Task ProbeOnceAsync(DependencyLoop loop, CancellationToken stoppingToken)
    {
        var timeout = loop.Options.Timeout;
        using var probeCancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);

        // The timeout timer starts before the probe is called, so a test clock advanced during the call still fires it.
        var timeoutTask = Task.Delay(timeout, _timeProvider, probeCancellation.Token);
        var started = _timeProvider.GetTimestamp();
        var (result, exception) = await CallProbeAsync(loop, timeoutTask, probeCancellation, stoppingToken);
        await probeCancellation.CancelAsync();
        if (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        var duration = _timeProvider.GetElapsedTime(started);
        _metrics.RecordProbeDuration(loop.Registration.Dependency, duration);
        Publish(loop, result, duration, exception);
    }

    private async Task<(ProbeResult Result, Exception? Exception)> CallProbeAsync(
        DependencyLoop loop,
        Task timeoutTask,
        CancellationTokenSource probeCancellation,
        CancellationToken stoppingToken)
    {
        if (loop.Abandoned is { IsCompleted: false })
        {
            return (ProbeResult.Unhealthy(ProbeOutputs.PreviousProbeRunning), null);
        }

        Task<ProbeResult> probeTask;
        try
        {
            loop.Probe ??= loop.Registration.Factory(_services);
        }
#pragma warning disable CA1031 // A probe that cannot be created is a failed check, never a crash of the monitor.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return (ProbeResult.Unhealthy(ProbeOutputs.ProbeNotCreated), exception);
        }

        // Task.Run keeps a probe that blocks before its first await off this loop, so the timeout still applies, and
        // turns a synchronous throw into a faulted task that is classified below like any other failure.
        var probe = loop.Probe;
        probeTask = Task.Run(() => probe.ProbeAsync(probeCancellation.Token), CancellationToken.None);

        var finished = await Task.WhenAny(probeTask, timeoutTask);
        if (finished != probeTask)
        {
            if (stoppingToken.IsCancellationRequested)
            {
                return (ProbeResult.Unhealthy(ProbeOutputs.ConnectionFailed), null);
            }

            await probeCancellation.CancelAsync();
            if (!probeTask.IsCompleted)
            {
                // The probe ignored its token. Keep a reference instead of awaiting it, and observe its fault so that
                // it does not surface as an unobserved task exception.
                loop.Abandoned = probeTask;
                _ = probeTask.ContinueWith(
                    static task => _ = task.Exception,
                    CancellationToken.None,
                    TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
                Log.ProbeAbandoned(_logger, loop.Registration.Dependency, loop.Options.Timeout.TotalMilliseconds);
            }

            return (ProbeResult.Unhealthy(ProbeOutputs.TimedOut(loop.Options.Timeout)), null);
        }

        try
        {
            return (await probeTask, null);
        }
#pragma warning disable CA1031 // Every probe failure is reported as a status, never rethrown.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return (ClassifyFailure(exception), exception);
        }
    }

    private static ProbeResult ClassifyFailure(Exception exception) => exception switch
    {
        DependencyUnavailableException or SocketException or IOException or DbException or TimeoutException
            or HttpRequestException or OperationCanceledException => ProbeResult.Unhealthy(ProbeOutputs.ConnectionFailed),
        _ => ProbeResult.Unhealthy(ProbeOutputs.ProbeFailed),
    };

    private void Publish(DependencyLoop loop, ProbeResult result, TimeSpan duration, Exception? exception)
    {
        var registration = loop.Registration;
        var breaker = ReadBreaker(registration.Dependency);
        var (status, output) = HealthEvaluator.Evaluate(result, breaker, loop.Options);
        var entry = new DependencySnapshot(
            registration.Dependency,
            registration.Measurement,
            registration.ComponentType,
            loop.Options.Critical,
            status,
            result.Status,
            result.ObservedValue,
            result.ObservedValue is null ? null : result.ObservedUnit,
            output,
            _timeProvider.GetUtcNow(),
            duration,
            breaker,
            StatusSince: default,
            LastError: null,
            LastErrorTime: null);

        var published = _store.Publish(loop.Index, entry);
        if (published.DependencyChange is { } dependencyChange)
        {
            LogDependencyChange(dependencyChange, exception);
        }

        if (published.ServiceChange is { } serviceChange)
        {
            LogServiceChange(serviceChange);
        }

        _store.NotifyPublished(published.Snapshot);
    }

    private BreakerView? ReadBreaker(string dependency)
    {
        try
        {
            return _breakers.GetBreaker(dependency);
        }
#pragma warning disable CA1031 // A broken breaker adapter must not stop health reporting, so the probe result is reported alone.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private void LogDependencyChange(StatusTransition change, Exception? exception)
    {
        var previous = change.From?.ToText() ?? "unknown";
        switch (change.To)
        {
            case HealthStatus.Healthy:
                Log.DependencyHealthy(_logger, change.Subject, previous);
                break;
            case HealthStatus.Degraded:
                Log.DependencyDegraded(_logger, change.Subject, previous, change.Reason, exception);
                break;
            default:
                Log.DependencyUnhealthy(_logger, change.Subject, previous, change.Reason, exception);
                break;
        }
    }

    private void LogServiceChange(StatusTransition change)
    {
        var previous = change.From?.ToText() ?? "unknown";
        switch (change.To)
        {
            case HealthStatus.Healthy:
                Log.ServiceHealthy(_logger, previous, change.Reason);
                break;
            case HealthStatus.Degraded:
                Log.ServiceDegraded(_logger, previous, change.Reason);
                break;
            default:
                Log.ServiceUnhealthy(_logger, previous, change.Reason);
                break;
        }
    }

    /// <summary>The state of one dependency's probing loop. Only that loop touches it, except for the trigger.</summary>
    private sealed class DependencyLoop(int index, DependencyProbeRegistration registration, DependencyHealthOptions options)
    {
        private TaskCompletionSource _trigger = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Index { get; } = index;

        public DependencyProbeRegistration Registration { get; } = registration;

        public DependencyHealthOptions Options { get; } = options;

        public IDependencyProbe? Probe { get; set; }

        public Task? Abandoned { get; set; }

        public void RequestProbe() => Volatile.Read(ref _trigger).TrySetResult();

        public Task PendingTrigger => Volatile.Read(ref _trigger).Task;

        /// <summary>Replaces the trigger before a probe, so that a request made during the probe wakes the next wait.</summary>
        public void ResetTrigger() =>
            Volatile.Write(ref _trigger, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
