using Breakwater.Domain.Orders;
using Microsoft.Extensions.Options;

namespace Breakwater.Gateway.Shutdown;

/// <summary>
/// Reconciles the journal with the broker at start, after a crash or a shutdown that could not confirm every
/// cancel, and applies <see cref="StartupRecoveryOptions.OrphanedOrders"/> to the orders an earlier run left open.
/// The gateway start-up service runs it after the order manager loaded the open orders and before the lifecycle moves
/// to running, so readiness stays 503 and orders are rejected until it returns.
/// </summary>
/// <remarks>
/// Nothing is ever placed again: open orders are matched to the broker's by broker order id or client order id, and
/// their status and fills are journaled from the broker. Working broker orders unknown to the journal are logged one
/// line each and left alone unless <see cref="StartupRecoveryOptions.UnknownOrders"/> is adopt.
/// </remarks>
public sealed partial class StartupRecovery
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly OrderManager _orders;
    private readonly CancelSweep _sweep;
    private readonly StartupRecoveryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<StartupRecovery> _logger;

    public StartupRecovery(
        OrderManager orders,
        CancelSweep sweep,
        IOptions<StartupRecoveryOptions> options,
        TimeProvider timeProvider,
        ILogger<StartupRecovery> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _orders = orders;
        _sweep = sweep;
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>
    /// Reconciles, retrying while the broker cannot list its orders, then cancels or adopts the orders left open,
    /// all within <see cref="StartupRecoveryOptions.Timeout"/>.
    /// </summary>
    /// <returns>True when the reconciliation with the broker succeeded; false when it timed out.</returns>
    public async Task<bool> RunAsync(CancellationToken stoppingToken)
    {
        var started = _time.GetTimestamp();
        var leftOpen = _orders.GetOpenOrders().Select(order => order.Id).ToHashSet();
        using var deadline = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, stoppingToken);
        var report = await ReconcileWithRetryAsync(linked.Token);
        stoppingToken.ThrowIfCancellationRequested();
        if (report is null)
        {
            Log.ReconcileTimedOut(_logger, _options.Timeout, leftOpen.Count);
            return false;
        }

        // NOTE: unknown broker orders are reported in the log only; /api/status does not list them.
        foreach (var unknown in report.Orphans)
        {
            Log.UnknownBrokerOrder(
                _logger, unknown.BrokerOrderId, unknown.ClientOrderId, unknown.Symbol, unknown.Side, unknown.Quantity,
                unknown.Status, _options.UnknownOrders);
            if (_options.UnknownOrders == UnknownOrderPolicy.Adopt)
            {
                await AdoptUnknownAsync(unknown, linked.Token);
            }
        }

        var stillOpen = _orders.GetOpenOrders().Where(order => leftOpen.Contains(order.Id)).ToList();
        if (stillOpen.Count == 0)
        {
            Log.NothingLeftOpen(_logger, leftOpen.Count, _time.GetElapsedTime(started));
            return true;
        }

        if (_options.OrphanedOrders == OrphanedOrderPolicy.Adopt)
        {
            Log.LeftOpenAdopted(_logger, stillOpen.Count);
            return true;
        }

        Log.CancellingLeftOpen(_logger, stillOpen.Count);
        var remaining = _options.Timeout - _time.GetElapsedTime(started);
        var result = await _sweep.RunAsync(
            new CancelSweepRequest(
                remaining > TimeSpan.Zero ? remaining : TimeSpan.FromTicks(1),
                ShutdownCancelScope.Gateway,
                order => leftOpen.Contains(order.Id),
                WaitForInFlightSubmits: false),
            stoppingToken);
        foreach (var order in result.Unconfirmed)
        {
            Log.LeftOpenCancelUnconfirmed(_logger, order.Id, order.ClientOrderId, order.BrokerOrderId, order.Status);
            await _orders.MarkCancelUnconfirmedAsync(order.Id);
        }

        Log.LeftOpenCancelled(
            _logger, stillOpen.Count - result.Unconfirmed.Count, result.Unconfirmed.Count, _time.GetElapsedTime(started));
        return true;
    }

    private async Task<ReconcileReport?> ReconcileWithRetryAsync(CancellationToken token)
    {
        var delay = FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await _orders.ReconcileAsync(token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return null;
            }
#pragma warning disable CA1031 // The broker or journal may be down at start; the reconciliation is retried.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Log.ReconcileAttemptFailed(_logger, attempt, delay, exception);
            }

            try
            {
                await Task.Delay(delay, _time, token);
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    private async Task AdoptUnknownAsync(Domain.Brokers.BrokerOrderState unknown, CancellationToken token)
    {
        try
        {
            await _orders.AdoptAsync(unknown, token);
        }
#pragma warning disable CA1031 // An order that could not be adopted stays as it is at the broker; the failure is logged.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.AdoptFailed(_logger, unknown.BrokerOrderId, unknown.ClientOrderId, exception);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 5100,
            EventName = "StartupReconcileAttemptFailed",
            Level = LogLevel.Warning,
            Message = "Reconciling the journal with the broker at start failed on attempt {Attempt}; retrying in {Delay}")]
        public static partial void ReconcileAttemptFailed(ILogger logger, int attempt, TimeSpan delay, Exception exception);

        [LoggerMessage(
            EventId = 5101,
            EventName = "StartupReconcileTimedOut",
            Level = LogLevel.Error,
            Message = "Reconciling with the broker did not succeed within {Timeout}; {LeftOpen} orders from an earlier " +
                "run are neither cancelled nor confirmed, and orders are accepted while reconciliation is retried")]
        public static partial void ReconcileTimedOut(ILogger logger, TimeSpan timeout, int leftOpen);

        [LoggerMessage(
            EventId = 5102,
            EventName = "UnknownBrokerOrder",
            Level = LogLevel.Warning,
            Message = "Broker order {BrokerOrderId} (client order id {ClientOrderId}: {Side} {Quantity} {Symbol}, " +
                "{Status}) works at the broker without a journaled order; policy {Policy}")]
        public static partial void UnknownBrokerOrder(
            ILogger logger, string brokerOrderId, string? clientOrderId, string symbol, OrderSide side, long quantity,
            OrderStatus status, UnknownOrderPolicy policy);

        [LoggerMessage(
            EventId = 5103,
            EventName = "StartupNothingLeftOpen",
            Level = LogLevel.Information,
            Message = "Start-up reconciliation finished after {Elapsed}: none of the {Checked} orders left open by an " +
                "earlier run still works at the broker")]
        public static partial void NothingLeftOpen(ILogger logger, int @checked, TimeSpan elapsed);

        [LoggerMessage(
            EventId = 5104,
            EventName = "StartupLeftOpenAdopted",
            Level = LogLevel.Warning,
            Message = "{Orders} orders left open by an earlier run keep working and are tracked (policy adopt)")]
        public static partial void LeftOpenAdopted(ILogger logger, int orders);

        [LoggerMessage(
            EventId = 5105,
            EventName = "StartupCancellingLeftOpen",
            Level = LogLevel.Warning,
            Message = "Cancelling {Orders} orders left open by an earlier run before accepting orders (policy cancel)")]
        public static partial void CancellingLeftOpen(ILogger logger, int orders);

        [LoggerMessage(
            EventId = 5106,
            EventName = "StartupLeftOpenCancelUnconfirmed",
            Level = LogLevel.Error,
            Message = "Cancel of order {OrderId} ({ClientOrderId}, broker order {BrokerOrderId}, {Status}) left open by " +
                "an earlier run was not confirmed within the start-up timeout")]
        public static partial void LeftOpenCancelUnconfirmed(
            ILogger logger, long orderId, string clientOrderId, string? brokerOrderId, OrderStatus status);

        [LoggerMessage(
            EventId = 5107,
            EventName = "StartupLeftOpenCancelled",
            Level = LogLevel.Information,
            Message = "Start-up reconciliation finished after {Elapsed}: {Confirmed} orders left open by an earlier " +
                "run cancelled and confirmed, {Unconfirmed} not confirmed")]
        public static partial void LeftOpenCancelled(ILogger logger, int confirmed, int unconfirmed, TimeSpan elapsed);

        [LoggerMessage(
            EventId = 5108,
            EventName = "StartupAdoptFailed",
            Level = LogLevel.Warning,
            Message = "Journaling broker order {BrokerOrderId} (client order id {ClientOrderId}) failed; it keeps " +
                "working at the broker untracked")]
        public static partial void AdoptFailed(ILogger logger, string brokerOrderId, string? clientOrderId, Exception exception);
    }
}
