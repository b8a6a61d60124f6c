using Breakwater.Domain.Dependencies;
using Breakwater.Health.Monitoring;
using Breakwater.Ibkr.Supervision;
using Breakwater.Resilience.CircuitBreaking;

namespace Breakwater.Gateway.Hosting.Ibkr;

/// <summary>
/// Drives the <c>broker</c> and <c>marketData</c> circuit breakers from the IBKR connection supervisor: while TWS or
/// IB Gateway is unreachable (no session, or 1100 in force) both breakers are isolated, so orders and quotes are
/// rejected at once with 503 instead of waiting for a timeout; when the supervisor reports the broker available
/// again (a new session, 1101 or 1102) the coordinator resets the breakers it isolated.
/// </summary>
/// <remarks>
/// Isolation rather than counted failures, because the supervisor has already detected that the link is down. Counting would
/// let the first few orders of every outage run into timeouts, and an open breaker would probe a dead socket. A
/// breaker that an operator isolated, or that opened on failures, is left alone. Market data farm notices (2103,
/// 2105, 2157) do not isolate the market data breaker; the market data probe reports them as degraded. Thread safe:
/// the supervisor raises state changes on its own threads, and each change re-reads the current state under a lock.
/// </remarks>
internal sealed partial class IbkrBreakerCoordinator : IHostedService
{
    /// <summary>The isolation reason the coordinator uses; other reasons belong to an operator.</summary>
    public const string IsolationReason = "IB Gateway is not connected.";

    private readonly IbkrConnectionSupervisor _supervisor;
    private readonly BreakerRegistry _breakers;
    private readonly IServiceProvider _services;
    private readonly ILogger<IbkrBreakerCoordinator> _logger;
    private readonly Lock _gate = new();
    private bool _brokerIsolated;

    public IbkrBreakerCoordinator(
        IbkrConnectionSupervisor supervisor,
        BreakerRegistry breakers,
        IServiceProvider services,
        ILogger<IbkrBreakerCoordinator> logger)
    {
        _supervisor = supervisor;
        _breakers = breakers;
        _services = services;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _supervisor.StateChanged += OnStateChanged;
        Apply();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _supervisor.StateChanged -= OnStateChanged;
        return Task.CompletedTask;
    }

    private void OnStateChanged(IbkrConnectionState state) => Apply();

    private void Apply()
    {
        bool changed;
        lock (_gate)
        {
            var state = _supervisor.State;

            // Stopped is the host shutting down the supervisor: the breakers keep their state for the final requests.
            var available = state.BrokerAvailable || state.Status == IbkrConnectionStatus.Stopped;
            changed = available == _brokerIsolated;
            if (!changed)
            {
                return;
            }

            if (available)
            {
                ResetIfIsolatedByUs(DependencyNames.Broker);
                ResetIfIsolatedByUs(DependencyNames.MarketData);
                _brokerIsolated = false;
                Log.BreakersReleased(_logger, state.Status);
            }
            else
            {
                Isolate(DependencyNames.Broker);
                Isolate(DependencyNames.MarketData);
                _brokerIsolated = true;
                Log.BreakersIsolated(_logger, state.Status, _supervisor.IsInRestartWindow(), state.LastError ?? "none");
            }
        }

        // Readiness reads the monitor's snapshot, so ask for fresh probes instead of waiting for the next interval.
        var monitor = _services.GetService<DependencyMonitor>();
        monitor?.RequestProbe(DependencyNames.Broker);
        monitor?.RequestProbe(DependencyNames.MarketData);
    }

    private void Isolate(string dependency)
    {
        if (_breakers.TryGet(dependency, out var breaker) && breaker.State != BreakerState.Disabled)
        {
            breaker.Isolate(IsolationReason);
        }
    }

    private void ResetIfIsolatedByUs(string dependency)
    {
        if (_breakers.TryGet(dependency, out var breaker) && IsIsolatedByCoordinator(breaker.GetSnapshot()))
        {
            breaker.Reset();
        }
    }

    /// <summary>Returns whether <paramref name="snapshot"/> shows a breaker isolated by this coordinator.</summary>
    public static bool IsIsolatedByCoordinator(BreakerSnapshot snapshot) =>
        snapshot.State == BreakerState.Isolated
        && string.Equals(snapshot.LastTransitionDetail, IsolationReason, StringComparison.Ordinal);

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 2310,
            EventName = "IbkrBreakersIsolated",
            Level = LogLevel.Warning,
            Message = "IB Gateway unavailable ({Status}, restart window {InRestartWindow}, last error: {LastError}); "
                + "broker and market data breakers isolated")]
        public static partial void BreakersIsolated(
            ILogger logger, IbkrConnectionStatus status, bool inRestartWindow, string lastError);

        [LoggerMessage(
            EventId = 2311,
            EventName = "IbkrBreakersReleased",
            Level = LogLevel.Information,
            Message = "IB Gateway available again ({Status}); broker and market data breakers reset")]
        public static partial void BreakersReleased(ILogger logger, IbkrConnectionStatus status);
    }
}
