using System.Globalization;
using System.Numerics;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.MarketData;
using Breakwater.Domain.Orders;
using Breakwater.Paper.Faults;

namespace Breakwater.Paper.Broker;

// The broker loop: quote ticks, cancels, day-order expiry, matching and update delivery.
public sealed partial class PaperBroker
{
    /// <summary>
    /// Runs one step of the broker's loop after the quotes moved: confirms cancels, expires day orders, cancels
    /// orders whose symbol is no longer configured, and matches the rest.
    /// </summary>
    internal void RunStep()
    {
        var now = _timeProvider.GetUtcNow();
        bool pending;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            EnsureLoadedLocked();
            var lastSessionEnd = LastSessionEndAtOrBefore(now);

            foreach (var order in _workingOrders.Values.ToList())
            {
                if (order.CancelRequested)
                {
                    FinishLocked(order, OrderStatus.Cancelled, "Cancelled at the client's request.", now);
                }
                else if (order.TimeInForce == TimeInForce.Day && order.CreatedAt < lastSessionEnd)
                {
                    FinishLocked(order, OrderStatus.Cancelled, "Day order expired at the end of the session.", now);
                    Log.DayOrderExpired(_logger, order.GatewayOrderId, order.ClientOrderId, order.BrokerOrderId);
                }
                else if (!_marketData.TryGetQuote(order.Symbol, out var quote))
                {
                    var reason = $"The symbol '{order.Symbol}' is no longer configured for the paper broker.";
                    FinishLocked(order, OrderStatus.Cancelled, reason, now);
                }
                else if (!order.External)
                {
                    MatchLocked(order, quote, now);
                }
            }

            pending = _outbox.Count > 0;
        }

        if (pending)
        {
            SignalDelivery();
        }
    }

    private void OnTick()
    {
        // A step that outlasts the interval makes the next timer callback skip instead of running concurrently.
        if (Interlocked.Exchange(ref _stepRunning, 1) == 1)
        {
            return;
        }

        try
        {
            _marketData.Tick();
            RunStep();
        }
#pragma warning disable CA1031 // A timer callback must not throw; the next tick retries the step.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.StepFailed(_logger, ex);
        }
        finally
        {
            Volatile.Write(ref _stepRunning, 0);
        }
    }

    private void MatchLocked(PaperOrder order, Quote quote, DateTimeOffset now)
    {
        // NOTE: the gap between acknowledgement and fill is a time margin, not a handshake with the caller. A caller
        // stalled for longer than half a tick interval after the acknowledgement can see the fill update first.
        if (now - order.CreatedAt < _options.TickInterval / 2)
        {
            return;
        }

        var price = order.Side == OrderSide.Buy ? quote.Ask : quote.Bid;
        var crossed = order.Type == OrderType.Market
            || (order.Side == OrderSide.Buy ? order.LimitPrice >= quote.Ask : order.LimitPrice <= quote.Bid);
        if (!crossed)
        {
            return;
        }

        var quantity = order.RemainingQuantity;
        if (_options.MaxFillQuantityPerTick > 0)
        {
            quantity = Math.Min(quantity, _options.MaxFillQuantityPerTick);
        }

        var notional = quantity * price;
        if (order.Side == OrderSide.Buy && notional > _cash)
        {
            var reason = string.Create(
                CultureInfo.InvariantCulture,
                $"Insufficient funds at execution: {quantity} at {price} needs {notional}, but the cash is {_cash}.");
            FinishLocked(order, order.FilledQuantity == 0 ? OrderStatus.Rejected : OrderStatus.Cancelled, reason, now);
            Log.ExecutionRejected(_logger, order.GatewayOrderId, order.ClientOrderId, order.BrokerOrderId, reason);
            return;
        }

        var fill = new Fill(PaperOrder.FormatExecutionId(order.Number, order.Fills.Count + 1), quantity, price, now);
        var previousStatus = order.Status;
        var previousCash = _cash;
        var previousReservation = LimitReservation(order);
        order.Fills.Add(fill);
        order.FilledQuantity += quantity;
        order.Status = order.RemainingQuantity == 0 ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
        _cash += order.Side == OrderSide.Buy ? -notional : notional;

        var update = order.External
            ? null
            : new BrokerOrderUpdate(
                order.BrokerOrderId,
                order.ClientOrderId,
                order.Status,
                order.FilledQuantity,
                fill,
                Reason: null,
                now);
        long? sequence;
        try
        {
            sequence = _store!.RecordFill(order, fill, _cash, update);
        }
        catch
        {
            // The book file is the truth, so memory goes back to what it contains and the next step tries again.
            order.Fills.RemoveAt(order.Fills.Count - 1);
            order.FilledQuantity -= quantity;
            order.Status = previousStatus;
            _cash = previousCash;
            throw;
        }

        if (sequence is { } outboxSequence)
        {
            _outbox.Enqueue(new OutboxEntry(outboxSequence, update!));
        }

        _reservedByLimitBuys += LimitReservation(order) - previousReservation;
        if (!order.IsWorking)
        {
            RemoveWorkingLocked(order);
        }

        Log.OrderFilled(
            _logger,
            order.GatewayOrderId,
            order.ClientOrderId,
            order.BrokerOrderId,
            fill.ExecutionId,
            quantity,
            price,
            order.FilledQuantity,
            order.Quantity);
    }

    private void FinishLocked(PaperOrder order, OrderStatus status, string reason, DateTimeOffset now)
    {
        var (previousStatus, previousReason, previousCancel) = (order.Status, order.Reason, order.CancelRequested);
        order.Status = status;
        order.Reason = reason;
        order.CancelRequested = false;
        var update = order.External
            ? null
            : new BrokerOrderUpdate(
                order.BrokerOrderId,
                order.ClientOrderId,
                status,
                order.FilledQuantity,
                Fill: null,
                reason,
                now);
        long? sequence;
        try
        {
            sequence = _store!.RecordStatus(order, update);
        }
        catch
        {
            (order.Status, order.Reason, order.CancelRequested) = (previousStatus, previousReason, previousCancel);
            throw;
        }

        if (sequence is { } outboxSequence)
        {
            _outbox.Enqueue(new OutboxEntry(outboxSequence, update!));
        }

        RemoveWorkingLocked(order);
        Log.OrderFinished(_logger, order.GatewayOrderId, order.ClientOrderId, order.BrokerOrderId, status, reason);
    }

    /// <summary>
    /// Returns the latest configured session end at or before <paramref name="now"/>, or the minimum time when no
    /// session end is configured. A day order created before it has expired, which also covers a session end that
    /// passed while the process was down.
    /// </summary>
    private DateTimeOffset LastSessionEndAtOrBefore(DateTimeOffset now)
    {
        if (_options.SessionEndUtc is not { } sessionEnd)
        {
            return DateTimeOffset.MinValue;
        }

        var today = new DateTimeOffset(now.UtcDateTime.Date + sessionEnd.ToTimeSpan(), TimeSpan.Zero);
        return today <= now ? today : today.AddDays(-1);
    }

    private async Task DeliverLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await _deliverySignal.Reader.ReadAsync(stoppingToken);
            try
            {
                await DeliverPendingAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // The loop must outlive a failed book write; the next signal tries again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.DeliveryLoopFailed(_logger, ex);
            }
        }
    }

    /// <summary>
    /// Delivers queued updates in order until the outbox is empty, a delivery fails or the broker is disconnected.
    /// </summary>
    private async Task DeliverPendingAsync(CancellationToken stoppingToken)
    {
        // The loop and the final attempt in StopAsync must not hand the same update to the sink at the same time.
        await _deliveryLock.WaitAsync(stoppingToken);
        try
        {
            await DeliverPendingLockedAsync(stoppingToken);
        }
        finally
        {
            _deliveryLock.Release();
        }
    }

    private async Task DeliverPendingLockedAsync(CancellationToken stoppingToken)
    {
        while (!_faults.IsDisconnected(PaperFaultTarget.Broker))
        {
            OutboxEntry head;
            lock (_gate)
            {
                if (_disposed || !_outbox.TryPeek(out head!))
                {
                    return;
                }
            }

            var update = head.Update;
            try
            {
                await _sink.OnOrderUpdateAsync(update, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // Any sink failure keeps the update in the outbox for the next step to retry.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogRefusedDeliveryLocked(head.Sequence, update, ex);
                return;
            }

            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _store!.DeleteOutbox(head.Sequence);
                _outbox.Dequeue();
            }

            if (_refusedSequence == head.Sequence)
            {
                Log.DeliveredAfterRefusals(
                    _logger, update.ClientOrderId, update.BrokerOrderId, head.Sequence, _refusedAttempts);
                _refusedSequence = -1;
                _refusedAttempts = 0;
            }

            Log.UpdateDelivered(_logger, update.ClientOrderId, update.BrokerOrderId, update.Status, head.Sequence);
        }
    }

    /// <summary>
    /// Logs a refused delivery with its exception the first time, then only at 2, 4, 8, ... attempts, because the loop
    /// retries every tick and a database outage would otherwise write several warnings a second.
    /// </summary>
    private void LogRefusedDeliveryLocked(long sequence, BrokerOrderUpdate update, Exception exception)
    {
        _refusedAttempts = _refusedSequence == sequence ? _refusedAttempts + 1 : 1;
        _refusedSequence = sequence;
        if (_refusedAttempts == 1)
        {
            Log.DeliveryFailed(
                _logger, update.ClientOrderId, update.BrokerOrderId, update.Status, sequence, exception);
        }
        else if (BitOperations.IsPow2(_refusedAttempts))
        {
            Log.DeliveryStillFailing(_logger, update.ClientOrderId, update.BrokerOrderId, sequence, _refusedAttempts);
        }
    }

    private void SignalDelivery() => _deliverySignal.Writer.TryWrite(true);

    private void OnFaultChanged(object? sender, EventArgs e) => SignalDelivery();
}
