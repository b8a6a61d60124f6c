using Breakwater.Domain.Journal;
using Breakwater.Domain.Lifecycle;
using Breakwater.Domain.Orders;
using Breakwater.Gateway.Shutdown;

namespace Breakwater.Gateway.Hosting;

/// <summary>
/// Brings the gateway from starting to running: migrates the journal, loads the open orders, reconciles them with the
/// broker, then marks the lifecycle running. Retries with backoff while the journal is unavailable, so that the
/// process stays up, and liveness keeps returning 200, during a database outage at start. When
/// <see cref="StartupRecovery"/> is registered it runs the reconciliation and applies the policy for orders left open.
/// </summary>
internal sealed partial class GatewayStartupService(
    IOrderJournal journal,
    OrderManager orders,
    GatewayLifecycle lifecycle,
    TimeProvider timeProvider,
    ILogger<GatewayStartupService> logger,
    StartupRecovery? recovery = null) : BackgroundService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = FirstRetryDelay;
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await journal.MigrateAsync(stoppingToken);
                await orders.StartAsync(stoppingToken);
                break;
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Log.StartAttemptFailed(logger, attempt, delay, exception);
                await Task.Delay(delay, timeProvider, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }

        stoppingToken.ThrowIfCancellationRequested();
        var reconciled = recovery is null
            ? await TryReconcileAsync(stoppingToken)
            : await recovery.RunAsync(stoppingToken);
        if (lifecycle.MarkRunning())
        {
            Log.Running(logger, orders.OpenOrderCount);
        }

        // Orders are accepted while the broker is unreachable, but fills that happened while the gateway was down
        // reach the journal only through a reconciliation, so it is retried until one succeeds.
        delay = FirstRetryDelay;
        while (!reconciled && !stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(delay, timeProvider, stoppingToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            reconciled = await TryReconcileAsync(stoppingToken);
        }
    }

    private async Task<bool> TryReconcileAsync(CancellationToken stoppingToken)
    {
        try
        {
            var report = await orders.ReconcileAsync(stoppingToken);
            if (report.Orphans.Count > 0)
            {
                // NOTE: no orphan policy (cancel or adopt) is applied yet; orphans are only logged.
                Log.OrphansFound(logger, report.Orphans.Count);
            }

            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            Log.StartupReconcileFailed(logger, exception);
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 2200,
            EventName = "StartAttemptFailed",
            Level = LogLevel.Warning,
            Message = "Starting the order manager failed on attempt {Attempt}; retrying in {Delay}")]
        public static partial void StartAttemptFailed(ILogger logger, int attempt, TimeSpan delay, Exception exception);

        [LoggerMessage(
            EventId = 2201,
            EventName = "StartupReconcileFailed",
            Level = LogLevel.Warning,
            Message = "Reconciling the open orders with the broker failed; orders are accepted and the reconciliation is retried")]
        public static partial void StartupReconcileFailed(ILogger logger, Exception exception);

        [LoggerMessage(
            EventId = 2202,
            EventName = "GatewayRunning",
            Level = LogLevel.Information,
            Message = "Gateway running with {OpenOrders} open orders; accepting orders")]
        public static partial void Running(ILogger logger, int openOrders);

        [LoggerMessage(
            EventId = 2203,
            EventName = "OrphansFound",
            Level = LogLevel.Warning,
            Message = "{Orphans} orders work at the broker without a journaled order")]
        public static partial void OrphansFound(ILogger logger, int orphans);
    }
}
