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
    /// Maximum number of orders one step changes in one book transaction, and so under one hold of the lock. It is
    /// large enough to make the commit cheap per order and small enough that a place or cancel waits little.
    /// </summary>
    internal const int StepBatchSize = 128;

    /// <summary>
    /// Maximum number of updates handed to the sink at once; see <see cref="DeliverPendingLockedAsync"/>.
    /// </summary>
    internal const int MaxDeliveryWave = 32;

    /// <summary>Maximum number of outbox entries one wave looks at to find updates of distinct orders.</summary>
    private const int MaxWaveScan = 1024;

    /// <summary>
    /// Runs one step of the broker's loop: confirms cancels, expires day orders, cancels orders whose symbol is no
    /// longer configured, and matches the rest. A full step, after the quotes moved, looks at the orders of
    /// <see cref="TickCandidatesLocked"/>. A match step between ticks looks only at market orders and orders with a
    /// cancel requested, because nothing else can change while the quotes do not move.
    /// </summary>
    /// <remarks>
    /// The orders are taken at the start and changed in batches of <see cref="StepBatchSize"/>, each one book
    /// transaction. The lock is released between batches, and delivery of a batch's updates starts before the next
    /// batch runs. An order placed during the step waits for the next step.
    /// </remarks>
    internal void RunStep(bool full = true)
    {
        PaperOrder[] candidates;
        DateTimeOffset lastSessionEnd;
        bool pending;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            EnsureLoadedLocked();
            lastSessionEnd = LastSessionEndAtOrBefore(_timeProvider.GetUtcNow());
            candidates = full ? TickCandidatesLocked(lastSessionEnd) : [.. _actionableOrders.Values];

            // A full step also retries updates the sink rejected earlier, while a match step only sends its own.
            pending = full && _outbox.Count > 0;
        }

        for (var start = 0; start < candidates.Length; start += StepBatchSize)
        {
            var batch = new ArraySegment<PaperOrder>(
                candidates, start, Math.Min(StepBatchSize, candidates.Length - start));
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                // The time is read under the lock, so a change is never stamped earlier than a cancel it confirms.
                var changed = RunBatchLocked(batch, lastSessionEnd, _timeProvider.GetUtcNow());
                pending = full ? _outbox.Count > 0 : changed;
            }

            if (pending)
            {
                SignalDelivery();
                pending = false;
            }
        }

        if (pending)
        {
            SignalDelivery();
        }
    }

    /// <summary>
    /// Returns the orders a tick must look at, in order number order. After the book was loaded or rebuilt, or when a
    /// session end passed, these are all working orders. Otherwise they are the actionable orders, the resting
    /// orders the quotes cross, and every resting order of a symbol without a quote.
    /// </summary>
    private PaperOrder[] TickCandidatesLocked(DateTimeOffset lastSessionEnd)
    {
        if (_scanAllOnNextTick || lastSessionEnd > _lastSessionEndScanned)
        {
            _scanAllOnNextTick = false;
            _lastSessionEndScanned = lastSessionEnd;
            return [.. _workingOrders.Values];
        }

        var candidates = new List<PaperOrder>(_actionableOrders.Values);
        foreach (var symbol in _restingOrders.Symbols())
        {
            if (_marketData.TryGetQuote(symbol, out var quote))
            {
                _restingOrders.AddCrossed(symbol, quote, candidates);
            }
            else
            {
                _restingOrders.AddAll(symbol, candidates);
            }
        }

        // A resting order with a cancel requested is also actionable, so it is in the list twice.
        candidates.Sort(static (x, y) => x.Number.CompareTo(y.Number));
        var distinct = new List<PaperOrder>(candidates.Count);
        foreach (var order in candidates)
        {
            if (distinct.Count == 0 || distinct[^1].Number != order.Number)
            {
                distinct.Add(order);
            }
        }

        return [.. distinct];
    }

    /// <returns>True when the batch changed an order.</returns>
    private bool RunBatchLocked(ArraySegment<PaperOrder> batch, DateTimeOffset lastSessionEnd, DateTimeOffset now)
    {
        var snapshots = new List<OrderSnapshot>(batch.Count);
        var changes = new List<StepChange>();
        var cashBefore = _cash;
        try
        {
            _store!.RunInTransaction(() =>
            {
                foreach (var order in batch)
                {
                    // A step running beside this one may have finished the order since this step took its orders.
                    if (_workingOrders.ContainsKey(order.Number))
                    {
                        snapshots.Add(new OrderSnapshot(order));
                        StepOrderLocked(order, lastSessionEnd, now, changes);
                    }
                }
            });
        }
        catch
        {
            // The book file is the truth, so memory goes back to what it contains and the next step tries again.
            foreach (var snapshot in snapshots)
            {
                snapshot.Restore();
            }

            _cash = cashBefore;
            RebuildWorkingLocked();
            throw;
        }

        // Memory follows the committed file before anything is logged, so a failing logger cannot lose an update.
        foreach (var change in changes)
        {
            if (change.Sequence is { } sequence)
            {
                _outbox.AddLast(new OutboxEntry(sequence, change.Update!));
            }
        }

        foreach (var change in changes)
        {
            LogChange(change);
        }

        return changes.Count > 0;
    }

    private void StepOrderLocked(
        PaperOrder order, DateTimeOffset lastSessionEnd, DateTimeOffset now, List<StepChange> changes)
    {
        if (order.CancelRequested)
        {
            FinishLocked(order, OrderStatus.Cancelled, "Cancelled at the client's request.", now, changes);
        }
        else if (order.TimeInForce == TimeInForce.Day && order.CreatedAt < lastSessionEnd)
        {
            FinishLocked(
                order, OrderStatus.Cancelled, "Day order expired at the end of the session.", now, changes,
                StepChangeKind.Expired);
        }
        else if (!_marketData.TryGetQuote(order.Symbol, out var quote))
        {
            var reason = $"The symbol '{order.Symbol}' is no longer configured for the paper broker.";
            FinishLocked(order, OrderStatus.Cancelled, reason, now, changes);
        }
        else if (!order.External)
        {
            MatchLocked(order, quote, now, changes);
        }
    }

    private void LogChange(StepChange change)
    {
        var order = change.Order;
        switch (change.Kind)
        {
            case StepChangeKind.Filled:
                Log.OrderFilled(
                    _logger,
                    order.GatewayOrderId,
                    order.ClientOrderId,
                    order.BrokerOrderId,
                    change.Fill!.ExecutionId,
                    change.Fill.Quantity,
                    change.Fill.Price,
                    change.FilledQuantity,
                    order.Quantity);
                break;
            case StepChangeKind.Finished:
                Log.OrderFinished(
                    _logger, order.GatewayOrderId, order.ClientOrderId, order.BrokerOrderId, change.Status,
                    change.Reason!);
                break;
            case StepChangeKind.Expired:
                Log.OrderFinished(
                    _logger, order.GatewayOrderId, order.ClientOrderId, order.BrokerOrderId, change.Status,
                    change.Reason!);
                Log.DayOrderExpired(_logger, order.GatewayOrderId, order.ClientOrderId, order.BrokerOrderId);
                break;
            case StepChangeKind.ExecutionRejected:
                Log.OrderFinished(
                    _logger, order.GatewayOrderId, order.ClientOrderId, order.BrokerOrderId, change.Status,
                    change.Reason!);
                Log.ExecutionRejected(
                    _logger, order.GatewayOrderId, order.ClientOrderId, order.BrokerOrderId, change.Reason!);
                break;
        }
    }

    // A match step may overlap a tick's full step, because each batch holds the lock and skips orders that are no
    // longer working. Each kind of step has its own flag, so a step that outlasts its interval makes the next timer
    // callback of that kind skip instead of running beside it.
    private void OnMatch() => RunTimerStep(ref _matchRunning, static broker => broker.RunStep(full: false));

    private void OnTick() => RunTimerStep(ref _stepRunning, static broker =>
    {
        broker._marketData.Tick();
        broker.RunStep();
    });

    private void RunTimerStep(ref int running, Action<PaperBroker> step)
    {
        if (Interlocked.Exchange(ref running, 1) == 1)
        {
            return;
        }

        try
        {
            step(this);
        }
#pragma warning disable CA1031 // A timer callback must not throw; the next step runs again.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.StepFailed(_logger, ex);
        }
        finally
        {
            Volatile.Write(ref running, 0);
        }
    }

    private void MatchLocked(PaperOrder order, Quote quote, DateTimeOffset now, List<StepChange> changes)
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
            var status = order.FilledQuantity == 0 ? OrderStatus.Rejected : OrderStatus.Cancelled;
            FinishLocked(order, status, reason, now, changes, StepChangeKind.ExecutionRejected);
            return;
        }

        // The reservations follow the remaining quantity, so they are taken out before it changes and put back after.
        // When the write fails, the batch rebuilds them from the restored orders.
        var fill = new Fill(PaperOrder.FormatExecutionId(order.Number, order.Fills.Count + 1), quantity, price, now);
        ReleaseLocked(order);
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
        var sequence = _store!.RecordFill(order, fill, _cash, update);
        if (order.IsWorking)
        {
            ReserveLocked(order);
        }
        else
        {
            UnindexWorkingLocked(order);
        }

        changes.Add(new StepChange(
            order, StepChangeKind.Filled, order.Status, order.FilledQuantity, fill, Reason: null, sequence, update));
    }

    private void FinishLocked(
        PaperOrder order,
        OrderStatus status,
        string reason,
        DateTimeOffset now,
        List<StepChange> changes,
        StepChangeKind kind = StepChangeKind.Finished)
    {
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
        var sequence = _store!.RecordStatus(order, update);
        RemoveWorkingLocked(order);
        changes.Add(new StepChange(order, kind, status, order.FilledQuantity, Fill: null, reason, sequence, update));
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
    /// Delivers queued updates until the outbox is empty, a delivery fails or the broker is disconnected.
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

    /// <summary>
    /// Hands the outbox to the sink in waves. A wave is the oldest update of each order, scanning from the head, up
    /// to <see cref="MaxDeliveryWave"/> updates, and its updates go to the sink at once. Updates of one order
    /// therefore arrive one at a time and in order, while the sink can make the updates of many orders durable in
    /// one commit. A wave with a failed update is the last one of this call: the delivered updates leave the outbox,
    /// and the failed ones stay in place for the next attempt, holding back only the later updates of their orders.
    /// </summary>
    private async Task DeliverPendingLockedAsync(CancellationToken stoppingToken)
    {
        var wave = new List<LinkedListNode<OutboxEntry>>();
        var ordersInWave = new HashSet<string>(StringComparer.Ordinal);
        while (!_faults.IsDisconnected(PaperFaultTarget.Broker))
        {
            wave.Clear();
            ordersInWave.Clear();
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                // A later update of an order already in the wave is skipped, not a stop. The earlier one comes first
                // from the head, so each order stays in order, and an order the sink keeps rejecting holds back only
                // itself.
                var scanned = 0;
                for (var node = _outbox.First;
                     node is not null && wave.Count < MaxDeliveryWave && scanned < MaxWaveScan;
                     node = node.Next, scanned++)
                {
                    if (ordersInWave.Add(node.Value.Update.BrokerOrderId))
                    {
                        wave.Add(node);
                    }
                }
            }

            if (wave.Count == 0)
            {
                return;
            }

            var attempts = new Task[wave.Count];
            for (var i = 0; i < wave.Count; i++)
            {
                attempts[i] = AttemptDelivery(wave[i].Value.Update, stoppingToken);
            }

            try
            {
                await Task.WhenAll(attempts);
            }
#pragma warning disable CA1031 // Each attempt's outcome is read below; a failure keeps its update in the outbox.
            catch
#pragma warning restore CA1031
            {
            }

            if (!CompleteWave(wave, attempts, stoppingToken.IsCancellationRequested))
            {
                stoppingToken.ThrowIfCancellationRequested();
                return;
            }
        }
    }

    /// <summary>
    /// Removes the delivered updates of a wave from the outbox and logs the first rejected one.
    /// </summary>
    /// <returns>True when every update of the wave was delivered.</returns>
    private bool CompleteWave(List<LinkedListNode<OutboxEntry>> wave, Task[] attempts, bool stopping)
    {
        var delivered = new List<long>(wave.Count);
        var firstRejected = -1;
        for (var i = 0; i < wave.Count; i++)
        {
            if (attempts[i].IsCompletedSuccessfully)
            {
                delivered.Add(wave[i].Value.Sequence);
            }
            else if (firstRejected < 0)
            {
                firstRejected = i;
            }
        }

        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            if (delivered.Count > 0)
            {
                // NOTE: a failed delete leaves delivered updates in the outbox, so they reach the sink again later.
                // The sink ignores a fill it already has and a status the order already reached.
                _store!.DeleteOutbox(delivered);
                for (var i = 0; i < wave.Count; i++)
                {
                    if (attempts[i].IsCompletedSuccessfully)
                    {
                        _outbox.Remove(wave[i]);
                    }
                }
            }
        }

        for (var i = 0; i < wave.Count; i++)
        {
            if (!attempts[i].IsCompletedSuccessfully)
            {
                continue;
            }

            var entry = wave[i].Value;
            if (_refusedSequence == entry.Sequence)
            {
                Log.DeliveredAfterRefusals(
                    _logger, entry.Update.ClientOrderId, entry.Update.BrokerOrderId, entry.Sequence, _refusedAttempts);
                _refusedSequence = -1;
                _refusedAttempts = 0;
            }

            Log.UpdateDelivered(
                _logger, entry.Update.ClientOrderId, entry.Update.BrokerOrderId, entry.Update.Status, entry.Sequence);
        }

        if (firstRejected < 0)
        {
            return true;
        }

        var rejected = wave[firstRejected].Value;
        var exception = attempts[firstRejected].Exception?.InnerException
            ?? new OperationCanceledException("The sink cancelled the delivery.");
        if (!(stopping && exception is OperationCanceledException))
        {
            LogRefusedDeliveryLocked(rejected.Sequence, rejected.Update, exception);
        }

        return false;
    }

    /// <summary>
    /// Starts one delivery; a sink that throws before returning its task counts as a failed delivery.
    /// </summary>
    private Task AttemptDelivery(BrokerOrderUpdate update, CancellationToken stoppingToken)
    {
        try
        {
            return _sink.OnOrderUpdateAsync(update, stoppingToken).AsTask();
        }
#pragma warning disable CA1031 // The failure is read from the task like an asynchronous one.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Task.FromException(ex);
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
