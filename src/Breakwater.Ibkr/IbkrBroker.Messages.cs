using System.Globalization;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.MarketData;
using Breakwater.Domain.Orders;
using Breakwater.Ibkr.Client;
using Breakwater.Ibkr.Protocol;
using Microsoft.Extensions.Logging;

namespace Breakwater.Ibkr;

public sealed partial class IbkrBroker
{
    internal void OnMessage(IbMessage message)
    {
        switch (message)
        {
            case IbNextValidId next:
                _ids.OnNextValidId(next.OrderId);
                break;
            case IbOrderStatus status:
                OnOrderStatus(status);
                break;
            case IbOpenOrder open:
                OnOpenOrder(open);
                break;
            case IbOpenOrderEnd:
                _openOrdersQuery?.Done.TrySetResult(_openOrdersQuery.Messages);
                break;
            case IbExecution execution:
                OnExecution(execution);
                break;
            case IbExecDetailsEnd end when _pendingQueries.TryGetValue(end.RequestId, out var query):
                query.Done.TrySetResult(query.Messages);
                break;
            case IbError error:
                OnError(error);
                break;
            case IbCurrentTime:
                while (_pendingPings.TryDequeue(out var pong))
                {
                    pong.TrySetResult();
                }

                break;
            case IbTickPrice or IbTickSize:
                OnTick(message);
                break;
            case IbTickSnapshotEnd end when _pendingQueries.TryGetValue(end.RequestId, out var query):
                query.Done.TrySetResult(query.Messages);
                break;
        }
    }

    private void OnOrderStatus(IbOrderStatus message)
    {
        _openOrdersQuery?.Add(message);
        var tracked = Match(message.OrderId, message.PermId, orderRef: null);
        if (tracked is null)
        {
            return;
        }

        var status = IbkrStatusMapping.ToOrderStatus(message.Status, message.Filled);
        tracked.PermId = message.PermId;
        if (_pendingPlace.TryGetValue(message.OrderId, out var ack))
        {
            var acknowledged = status == OrderStatus.Filled ? OrderStatus.Submitted : status;
            ack.TrySetResult(new BrokerAck(Text(tracked.OrderId), acknowledged));
        }

        if (status is OrderStatus.Cancelled or OrderStatus.PendingCancel
            && _pendingCancel.TryGetValue(message.OrderId, out var cancel))
        {
            cancel.TrySetResult();
        }

        // Fills are reported from execDetails, which carry the execution id; a status only reports what it adds.
        var filled = (long)message.Filled;
        if (status == OrderStatus.Filled || status == OrderStatus.PartiallyFilled)
        {
            status = tracked.FilledQuantity >= tracked.Quantity
                ? OrderStatus.Filled
                : tracked.Status ?? OrderStatus.Submitted;
            filled = tracked.FilledQuantity;
        }

        Report(tracked, status, filled, fill: null, reason: null);
    }

    private void OnOpenOrder(IbOpenOrder message)
    {
        _openOrdersQuery?.Add(message);
        var tracked = Match(message.OrderId, message.PermId, message.OrderRef)
            ?? _orders.GetOrAdd(message.OrderId, id => new TrackedOrder(
            id,
            message.OrderRef.Length == 0 ? null : message.OrderRef,
            message.Symbol,
            message.Action == "SELL" ? OrderSide.Sell : OrderSide.Buy,
            (long)message.TotalQuantity,
            message.OrderType == "LMT" ? OrderType.Limit : OrderType.Market,
            message.OrderType == "LMT" ? message.LimitPrice : null));
        tracked.PermId = message.PermId;
        if (message.Status is not null && _pendingPlace.TryGetValue(message.OrderId, out var ack))
        {
            ack.TrySetResult(new BrokerAck(Text(message.OrderId), OrderStatus.Submitted));
        }
    }

    private void OnExecution(IbExecution message)
    {
        if (_pendingQueries.TryGetValue(message.RequestId, out var query))
        {
            query.Add(message);
        }

        var tracked = Match(message.OrderId, message.PermId, message.OrderRef)
            ?? _orders.GetOrAdd(message.OrderId, id => new TrackedOrder(
            id,
            message.OrderRef.Length == 0 ? null : message.OrderRef,
            message.Symbol,
            message.Side == "SLD" ? OrderSide.Sell : OrderSide.Buy,
            (long)message.CumulativeQuantity,
            OrderType.Market,
            null));
        // An execution waiting in the outbox counts as seen too, so the replay during reconciliation does not queue
        // it twice; it moves to the delivered set once the sink has accepted it.
        lock (_seenExecutions)
        {
            if (_seenExecutions.Contains(message.ExecId) || !_queuedExecutions.Add(message.ExecId))
            {
                return;
            }
        }

        var fill = ToFill(message);
        lock (tracked)
        {
            tracked.Fills.Add(fill);
            tracked.FilledQuantity = Math.Max(tracked.FilledQuantity, (long)message.CumulativeQuantity);
        }

        var status = tracked.FilledQuantity >= tracked.Quantity ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
        Report(tracked, status, tracked.FilledQuantity, fill, reason: null, force: true);
    }

    /// <summary>
    /// Finds the tracked order a message is about: by TWS order id first, then by permId (stable across client ids and
    /// sessions), then by orderRef (the client order id). A match under a new order id is remembered under that id too.
    /// </summary>
    private TrackedOrder? Match(int orderId, long permId, string? orderRef)
    {
        if (_orders.TryGetValue(orderId, out var byId))
        {
            return byId;
        }

        var found = (permId > 0 ? _orders.Values.FirstOrDefault(o => o.PermId == permId) : null)
            ?? (string.IsNullOrEmpty(orderRef) ? null : _orders.Values.FirstOrDefault(o => o.ClientOrderId == orderRef));
        if (found is not null)
        {
            _orders.TryAdd(orderId, found);
        }

        return found;
    }

    private void OnError(IbError error)
    {
        if (error.Id < 0)
        {
            return;
        }

        if (_pendingQueries.TryGetValue(error.Id, out var query) && !IbkrStatusMapping.IsWarning(error.Code))
        {
            query.Done.TrySetException(error.Code == 200
                ? new BrokerRejectionException(BrokerRejectionCode.InvalidSymbol,
                    $"TWS has no security definition for '{query.Symbol}' (error 200: {error.Text}).")
                : new Domain.Dependencies.DependencyUnavailableException(
                    Domain.Dependencies.DependencyNames.MarketData,
                    $"TWS answered request {error.Id} with error {error.Code}: {error.Text}"));
            return;
        }

        var tracked = _orders.GetValueOrDefault(error.Id);
        if (error.Code == 202)
        {
            _pendingCancel.GetValueOrDefault(error.Id)?.TrySetResult();
            if (tracked is not null)
            {
                Report(tracked, OrderStatus.Cancelled, tracked.FilledQuantity, fill: null, reason: error.Text);
            }

            return;
        }

        if (IbkrStatusMapping.IsWarning(error.Code))
        {
            Log.OrderWarning(_logger, error.Id, error.Code, error.Text);
            return;
        }

        var code = IbkrStatusMapping.ToRejectionCode(error.Code, error.Text);
        var rejection = new BrokerRejectionException(
            code, $"TWS rejected the request for order {error.Id} with error {error.Code}: {error.Text}");
        Log.OrderError(_logger, error.Id, error.Code, error.Text);
        if (_pendingCancel.TryGetValue(error.Id, out var cancel))
        {
            cancel.TrySetException(rejection);
            return;
        }

        if (_pendingPlace.TryGetValue(error.Id, out var ack))
        {
            ack.TrySetException(rejection);
            if (tracked is not null)
            {
                Report(tracked, OrderStatus.Rejected, tracked.FilledQuantity, fill: null, reason: error.Text);
            }
        }
    }

    private void OnTick(IbMessage message)
    {
        var requestId = message switch
        {
            IbTickPrice price => price.RequestId,
            IbTickSize size => size.RequestId,
            _ => -1,
        };
        if (_pendingQueries.TryGetValue(requestId, out var query))
        {
            query.Add(message);
            return;
        }

        if (message is IbTickPrice tick && _streamRequests.TryGetValue(requestId, out var symbol) && tick.Price is { } p)
        {
            var now = _time.GetUtcNow();
            var previous = _streamed.GetValueOrDefault(symbol) ?? new Quote(symbol, 0, 0, 0, now);
            var next = tick.TickType switch
            {
                1 => previous with { Bid = p, Timestamp = now },
                2 => previous with { Ask = p, Timestamp = now },
                4 => previous with { Last = p, Timestamp = now },
                _ => previous,
            };
            _streamed[symbol] = next;
            Interlocked.Exchange(ref _lastQuoteTicks, now.UtcTicks);
        }
    }

    private Quote? BuildQuote(string symbol, List<IbMessage> ticks)
    {
        decimal? bid = null, ask = null, last = null;
        foreach (var tick in ticks.OfType<IbTickPrice>())
        {
            switch (tick.TickType)
            {
                case 1 or 66:
                    bid = tick.Price;
                    break;
                case 2 or 67:
                    ask = tick.Price;
                    break;
                case 4 or 68:
                    last = tick.Price;
                    break;
            }
        }

        if (bid is null && ask is null && last is null)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        Interlocked.Exchange(ref _lastQuoteTicks, now.UtcTicks);
        return new Quote(symbol, bid ?? last ?? 0, ask ?? last ?? 0, last ?? ((bid ?? 0) + (ask ?? 0)) / 2, now);
    }

    /// <summary>
    /// Runs after every (re)connect: open orders, executions and positions from TWS are folded into the tracked
    /// orders by order id, with orderRef for orders this process has not seen, and every change is reported.
    /// </summary>
    private Task ReconcileAsync(IbConnection connection, CancellationToken cancellationToken)
    {
        var run = ReconcileCoreAsync(connection, cancellationToken);
        LastReconciliation = run;
        return run;
    }

    private async Task ReconcileCoreAsync(IbConnection connection, CancellationToken cancellationToken)
    {
        _ids.OnNextValidId(connection.NextValidId);

        // NOTE: an order cancelled or rejected at TWS while the adapter was disconnected is in neither answer below
        // (TWS reports those through reqCompletedOrders, which the client does not send yet), so its last known
        // status stays as it was until the coordinator reconciles it by client order id.
        var open = await QueryOpenOrdersAsync(connection, IbRequests.ReqOpenOrders(), cancellationToken)
            .ConfigureAwait(false);
        var executions = await QueryExecutionsAsync(connection, cancellationToken).ConfigureAwait(false);
        Log.Reconciled(_logger, open.OfType<IbOpenOrder>().Count(), executions.Count);
        await connection.SendAsync(IbRequests.ReqPositions(), cancellationToken).ConfigureAwait(false);
        await ResubscribeAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    private async Task ResubscribeAsync(IbConnection connection, CancellationToken cancellationToken)
    {
        _streamRequests.Clear();
        foreach (var symbol in _options.StreamSymbols)
        {
            var requestId = Interlocked.Increment(ref _nextRequestId);
            _streamRequests[requestId] = symbol;
            try
            {
                await connection.SendAsync(IbRequests.ReqMktData(requestId, symbol, snapshot: false), cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                Log.ResubscribeFailed(_logger, symbol, ex.Message);
                return;
            }
        }
    }

    private void Report(TrackedOrder tracked, OrderStatus status, long filled, Fill? fill, string? reason, bool force = false)
    {
        lock (tracked)
        {
            if (!force && tracked.Status == status && tracked.ReportedFilled == filled)
            {
                return;
            }

            // A final status never moves back, whatever order the messages arrive in.
            if (tracked.Status is { } current && current.IsFinal() && !force)
            {
                return;
            }

            tracked.Status = status;
            tracked.ReportedFilled = filled;
        }

        _updates.Writer.TryWrite(new BrokerOrderUpdate(
            Text(tracked.OrderId), tracked.ClientOrderId, status, filled, fill, reason, _time.GetUtcNow()));
    }

    private BrokerOrderState ToState(IbOpenOrder order)
    {
        var tracked = _orders.GetValueOrDefault(order.OrderId);
        var fills = tracked is null ? [] : tracked.SnapshotFills();
        var filled = tracked?.FilledQuantity ?? 0;
        return new BrokerOrderState(
            Text(order.OrderId),
            order.OrderRef.Length == 0 ? null : order.OrderRef,
            order.Symbol,
            order.Action == "SELL" ? OrderSide.Sell : OrderSide.Buy,
            (long)order.TotalQuantity,
            order.OrderType == "LMT" ? OrderType.Limit : OrderType.Market,
            order.OrderType == "LMT" ? order.LimitPrice : null,
            IbkrStatusMapping.ToOrderStatus(order.Status ?? "Submitted", filled),
            filled,
            fills);
    }

    private static Fill ToFill(IbExecution execution) =>
        new(execution.ExecId, (long)execution.Shares, execution.Price, ParseExecutionTime(execution.Time));

    /// <summary>
    /// Parses TWS execution times: <c>20231116-12:15:35</c> is UTC, and <c>20231116 12:15:35 US/Eastern</c> is local
    /// to the named zone. Text that does not parse gives the Unix epoch, so a fill is never dropped for its time.
    /// </summary>
    internal static DateTimeOffset ParseExecutionTime(string text)
    {
        if (text.Length < 17
            || !DateTime.TryParseExact(
                text[..17].Replace(' ', '-'), "yyyyMMdd-HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None,
                out var clock))
        {
            return DateTimeOffset.UnixEpoch;
        }

        var zoneId = text.Length > 18 && text[17] == ' ' ? text[18..].Trim() : string.Empty;
        var offset = zoneId.Length > 0 && TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone)
            ? zone.GetUtcOffset(clock)
            : TimeSpan.Zero;
        return new DateTimeOffset(clock, offset).ToUniversalTime();
    }

    /// <summary>The adapter's record of one TWS order. Mutable fields are guarded by locking the instance.</summary>
    private sealed class TrackedOrder(
        int orderId, string? clientOrderId, string symbol, OrderSide side, long quantity, OrderType type, decimal? limit)
    {
        public int OrderId { get; } = orderId;
        public string? ClientOrderId { get; } = clientOrderId;
        public string Symbol { get; } = symbol;
        public OrderSide Side { get; } = side;
        public long Quantity { get; } = quantity;
        public OrderType Type { get; } = type;
        public decimal? LimitPrice { get; } = limit;
        public long PermId { get; set; }
        public OrderStatus? Status { get; set; }
        public long FilledQuantity { get; set; }
        public long ReportedFilled { get; set; } = -1;
        public List<Fill> Fills { get; } = [];

        public IReadOnlyList<Fill> SnapshotFills()
        {
            lock (this)
            {
                return [.. Fills];
            }
        }

        public BrokerOrderState ToState() => new(
            OrderId.ToString(CultureInfo.InvariantCulture), ClientOrderId, Symbol, Side, Quantity, Type, LimitPrice,
            Status ?? OrderStatus.Submitted, FilledQuantity, SnapshotFills());
    }

    /// <summary>A request whose reply is a batch of messages closed by an end marker.</summary>
    private sealed class PendingQuery(string? symbol)
    {
        public string? Symbol { get; } = symbol;
        public List<IbMessage> Messages { get; } = [];
        public TaskCompletionSource<List<IbMessage>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Add(IbMessage message)
        {
            lock (Messages)
            {
                Messages.Add(message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 4121,
            EventName = "IbkrOrderWarning",
            Level = LogLevel.Information,
            Message = "TWS warning {Code} for id {Id}: {Text}")]
        public static partial void OrderWarning(ILogger logger, int id, int code, string text);

        [LoggerMessage(
            EventId = 4122,
            EventName = "IbkrOrderError",
            Level = LogLevel.Warning,
            Message = "TWS error {Code} for id {Id}: {Text}")]
        public static partial void OrderError(ILogger logger, int id, int code, string text);

        [LoggerMessage(
            EventId = 4123,
            EventName = "IbkrReconciled",
            Level = LogLevel.Information,
            Message = "Reconciled with TWS: {OpenOrders} open orders, {Executions} executions")]
        public static partial void Reconciled(ILogger logger, int openOrders, int executions);

        [LoggerMessage(
            EventId = 4124,
            EventName = "IbkrResubscribeFailed",
            Level = LogLevel.Warning,
            Message = "Resubscribing market data for {Symbol} failed: {Reason}")]
        public static partial void ResubscribeFailed(ILogger logger, string symbol, string reason);

        [LoggerMessage(
            EventId = 4126,
            EventName = "IbkrOrderIdFloorLoaded",
            Level = LogLevel.Information,
            Message = "Order id floor {Floor} loaded from the journal; the next TWS order id is {NextOrderId}")]
        public static partial void OrderIdFloorLoaded(ILogger logger, long floor, long nextOrderId);

        [LoggerMessage(
            EventId = 4127,
            EventName = "IbkrOrderIdFloorLoadFailed",
            Level = LogLevel.Warning,
            Message = "Loading the order id floor from the journal failed; using TWS's sequence (next id {NextOrderId}) "
                + "and retrying with the next order")]
        public static partial void OrderIdFloorLoadFailed(ILogger logger, long nextOrderId, Exception exception);
    }
}
