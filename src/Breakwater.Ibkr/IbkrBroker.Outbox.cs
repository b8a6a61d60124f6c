using Breakwater.Domain.Brokers;
using Breakwater.Domain.Orders;
using Microsoft.Extensions.Logging;

namespace Breakwater.Ibkr;

public sealed partial class IbkrBroker
{
    /// <summary>The wait before the first redelivery of an update the sink refused; it doubles on every refusal.</summary>
    internal static readonly TimeSpan FirstRedeliveryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between two deliveries of the same update.</summary>
    internal static readonly TimeSpan MaxRedeliveryDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Delivers the queued updates one at a time and in the order they were reported. An update the sink refuses (for
    /// example while the journal's database is down) is delivered again after a growing delay, and no later update
    /// overtakes it, so the sink never sees a status before the fill that caused it.
    /// </summary>
    /// <remarks>
    /// NOTE: the queue lives in memory and is lost when the process ends; after a restart the reconciliation with
    /// TWS reads the executions and open orders again, which covers what was still queued.
    /// </remarks>
    private async Task DeliverUpdatesAsync(CancellationToken cancellationToken)
    {
        await foreach (var update in _updates.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await DeliverUntilAcceptedAsync(update, cancellationToken).ConfigureAwait(false);
            if (update.Fill is { } fill)
            {
                lock (_seenExecutions)
                {
                    _queuedExecutions.Remove(fill.ExecutionId);
                    _seenExecutions.Add(fill.ExecutionId);
                }
            }
        }
    }

    private async Task DeliverUntilAcceptedAsync(BrokerOrderUpdate update, CancellationToken cancellationToken)
    {
        var delay = FirstRedeliveryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _sink.OnOrderUpdateAsync(update, cancellationToken).ConfigureAwait(false);
                if (attempt > 1)
                {
                    Log.SinkAccepted(_logger, update.BrokerOrderId, update.Status, attempt);
                }

                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // Any refusal is retried: dropping the update would lose a fill or a final status.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.SinkFailed(_logger, update.BrokerOrderId, update.Status, attempt, delay, ex);
            }

            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRedeliveryDelay.Ticks));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 4125,
            EventName = "IbkrSinkFailed",
            Level = LogLevel.Warning,
            Message = "Delivering the update of broker order {BrokerOrderId} ({Status}) to the sink failed on attempt "
                + "{Attempt}; delivering it again in {Delay}, and later updates wait for it")]
        public static partial void SinkFailed(
            ILogger logger, string brokerOrderId, OrderStatus status, int attempt, TimeSpan delay, Exception exception);

        [LoggerMessage(
            EventId = 4128,
            EventName = "IbkrSinkAccepted",
            Level = LogLevel.Information,
            Message = "The sink accepted the update of broker order {BrokerOrderId} ({Status}) on attempt {Attempt}")]
        public static partial void SinkAccepted(ILogger logger, string brokerOrderId, OrderStatus status, int attempt);
    }
}
