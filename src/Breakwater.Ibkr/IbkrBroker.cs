using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.MarketData;
using Breakwater.Domain.Orders;
using Breakwater.Ibkr.Client;
using Breakwater.Ibkr.Protocol;
using Breakwater.Ibkr.Supervision;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Breakwater.Ibkr;

/// <summary>
/// The Interactive Brokers adapter: places and cancels stock orders through the supervised TWS API session, serves
/// order and quote queries, and reports status changes and fills through <see cref="IBrokerUpdateSink"/>.
/// </summary>
/// <remarks>
/// The TWS order id is the broker order id. After every (re)connect the adapter reconciles: it asks for open orders,
/// executions and positions, and reports what changed while it was away. Each execution id reaches the sink at most
/// once per process, and the journal deduplicates across restarts. Thread-safe.
/// </remarks>
public sealed partial class IbkrBroker : IBroker, IMarketDataFeed, IAsyncDisposable
{
    private readonly IbkrConnectionSupervisor _supervisor;
    private readonly IBrokerUpdateSink _sink;
    private readonly IbOrderIdAllocator _ids;
    private readonly IbkrOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IIbkrOrderIdFloorSource? _floorSource;
    private readonly SemaphoreSlim _floorGate = new(1, 1);
    private volatile bool _floorLoaded;
    private readonly ConcurrentDictionary<int, TrackedOrder> _orders = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<BrokerAck>> _pendingPlace = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _pendingCancel = new();
    private readonly ConcurrentDictionary<int, PendingQuery> _pendingQueries = new();
    private readonly ConcurrentQueue<TaskCompletionSource> _pendingPings = new();
    private readonly ConcurrentDictionary<string, Quote> _streamed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, string> _streamRequests = new();
    private readonly HashSet<string> _seenExecutions = new(StringComparer.Ordinal);

    /// <summary>Execution ids reported but not yet accepted by the sink; guarded by locking <see cref="_seenExecutions"/>.</summary>
    private readonly HashSet<string> _queuedExecutions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _openOrdersGate = new(1, 1);
    private readonly Channel<BrokerOrderUpdate> _updates = Channel.CreateUnbounded<BrokerOrderUpdate>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _disposing = new();
    private readonly Task _delivery;
    private volatile PendingQuery? _openOrdersQuery;
    private int _nextRequestId = 10_000;
    private long _lastQuoteTicks = long.MinValue;
    private int _disposed;

    public IbkrBroker(
        IbkrConnectionSupervisor supervisor,
        IBrokerUpdateSink sink,
        IbOrderIdAllocator ids,
        IOptions<IbkrOptions> options,
        TimeProvider time,
        ILogger<IbkrBroker> logger,
        IIbkrOrderIdFloorSource? floorSource = null)
    {
        ArgumentNullException.ThrowIfNull(supervisor);
        ArgumentNullException.ThrowIfNull(options);
        _supervisor = supervisor;
        _sink = sink;
        _ids = ids;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _floorSource = floorSource;
        _floorLoaded = floorSource is null;
        _supervisor.MessageReceived += OnMessage;
        _supervisor.SessionStarted += ReconcileAsync;
        _supervisor.MarketDataResubscribeRequired += connection => _ = ResubscribeAsync(connection, _disposing.Token);
        _delivery = DeliverUpdatesAsync(_disposing.Token);
    }

    /// <inheritdoc />
    public DateTimeOffset? LastQuoteTime
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastQuoteTicks);
            return ticks == long.MinValue ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>
    /// Raises the lowest TWS order id the adapter will use; the coordinator passes the journal's highest broker order
    /// id + 1 so that ids never go backwards across restarts.
    /// </summary>
    public void RaiseOrderIdFloor(long floor) => _ids.RaiseFloor(floor);

    /// <summary>Completes when the reconciliation after the latest (re)connect has finished.</summary>
    internal Task LastReconciliation { get; private set; } = Task.CompletedTask;

    public async Task<BrokerAck> PlaceOrderAsync(BrokerOrder order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        var connection = RequireConnection();
        if (!_floorLoaded)
        {
            await LoadOrderIdFloorAsync(cancellationToken).ConfigureAwait(false);
        }

        int orderId;
        try
        {
            orderId = _ids.Next();
        }
        catch (InvalidOperationException ex)
        {
            // Nothing was written to TWS yet, so the order is known not to exist there.
            throw Unavailable(ex.Message, mayHaveReached: false, ex);
        }

        var tracked = new TrackedOrder(orderId, order.ClientOrderId, order.Symbol, order.Side, order.Quantity, order.Type,
            order.LimitPrice);
        _orders[orderId] = tracked;
        var ack = new TaskCompletionSource<BrokerAck>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingPlace[orderId] = ack;
        var request = new IbStockOrder(
            orderId,
            order.Symbol,
            order.Side == OrderSide.Buy ? "BUY" : "SELL",
            order.Quantity,
            order.Type == OrderType.Market ? "MKT" : "LMT",
            order.Type == OrderType.Limit ? order.LimitPrice : null,
            order.TimeInForce == TimeInForce.Gtc ? "GTC" : "DAY",
            _options.Account,
            order.ClientOrderId);
        try
        {
            await connection.SendAsync(IbRequests.PlaceOrder(request), cancellationToken).ConfigureAwait(false);
            return await AwaitAnswerAsync(ack.Task, connection, "placeOrder", orderId, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw Unavailable($"Sending order {orderId} to TWS failed.", mayHaveReached: true, ex);
        }
        finally
        {
            _pendingPlace.TryRemove(orderId, out _);
        }
    }

    public async Task CancelOrderAsync(BrokerOrderReference order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        var orderId = ResolveOrderId(order);
        var connection = RequireConnection();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingCancel[orderId] = done;
        try
        {
            await connection.SendAsync(IbRequests.CancelOrder(orderId), cancellationToken).ConfigureAwait(false);
            await AwaitAnswerAsync(done.Task, connection, "cancelOrder", orderId, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw Unavailable($"Sending the cancel of order {orderId} to TWS failed.", mayHaveReached: true, ex);
        }
        finally
        {
            _pendingCancel.TryRemove(orderId, out _);
        }
    }

    /// <summary>
    /// Sends reqGlobalCancel, which cancels every open order on the account, including orders placed elsewhere.
    /// Returns once the request is written; the cancels arrive as updates.
    /// </summary>
    public async Task CancelAllOrdersAsync(CancellationToken cancellationToken)
    {
        var connection = RequireConnection();
        try
        {
            await connection.SendAsync(IbRequests.ReqGlobalCancel(), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw Unavailable("Sending reqGlobalCancel to TWS failed.", mayHaveReached: true, ex);
        }
    }

    public async Task<IReadOnlyList<BrokerOrderState>> GetOpenOrdersAsync(
        OpenOrderScope scope, CancellationToken cancellationToken)
    {
        var connection = RequireConnection();
        var request = scope == OpenOrderScope.Account ? IbRequests.ReqAllOpenOrders() : IbRequests.ReqOpenOrders();
        var messages = await QueryOpenOrdersAsync(connection, request, cancellationToken).ConfigureAwait(false);
        return [.. messages.OfType<IbOpenOrder>().Select(o => ToState(o))];
    }

    public async Task<BrokerOrderState?> FindOrderAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        var connection = RequireConnection();
        var open = await QueryOpenOrdersAsync(connection, IbRequests.ReqAllOpenOrders(), cancellationToken)
            .ConfigureAwait(false);
        if (open.OfType<IbOpenOrder>().FirstOrDefault(o => o.OrderRef == clientOrderId) is { } working)
        {
            return ToState(working);
        }

        var executions = await QueryExecutionsAsync(connection, cancellationToken).ConfigureAwait(false);
        var matching = executions.Where(e => e.OrderRef == clientOrderId).ToList();
        if (matching.Count > 0)
        {
            var first = matching[0];
            var tracked = _orders.GetValueOrDefault(first.OrderId);
            var filled = (long)matching.Max(e => e.CumulativeQuantity);
            var quantity = tracked?.Quantity ?? filled;
            return new BrokerOrderState(
                Text(first.OrderId), clientOrderId, first.Symbol, first.Side == "BOT" ? OrderSide.Buy : OrderSide.Sell,
                quantity, tracked?.Type ?? OrderType.Market, tracked?.LimitPrice,
                filled >= quantity ? OrderStatus.Filled : OrderStatus.PartiallyFilled, filled,
                [.. matching.Select(ToFill)]);
        }

        // NOTE: TWS returns neither cancelled nor rejected orders from reqAllOpenOrders or reqExecutions, so such an
        // order is found only if this process tracked it; otherwise the result is null (never received).
        var known = _orders.Values.FirstOrDefault(o => o.ClientOrderId == clientOrderId && o.Status is not null);
        return known is null ? null : known.ToState();
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        var connection = RequireConnection();
        var pong = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingPings.Enqueue(pong);
        try
        {
            await connection.SendAsync(IbRequests.ReqCurrentTime(), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw Unavailable("Sending reqCurrentTime to TWS failed.", mayHaveReached: false, ex);
        }

        await AwaitAnswerAsync(pong.Task, connection, "reqCurrentTime", -1, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Quote> GetQuoteAsync(string symbol, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        if (_streamed.TryGetValue(symbol, out var cached)
            && _time.GetUtcNow() - cached.Timestamp <= _options.QuoteMaxAge
            && _supervisor.State.MarketDataAvailable)
        {
            return cached;
        }

        var connection = RequireConnection();
        var requestId = Interlocked.Increment(ref _nextRequestId);
        var query = new PendingQuery(symbol);
        _pendingQueries[requestId] = query;
        try
        {
            await connection.SendAsync(IbRequests.ReqMktData(requestId, symbol, snapshot: true), cancellationToken)
                .ConfigureAwait(false);
            var ticks = await AwaitAnswerAsync(query.Done.Task, connection, "reqMktData", requestId, cancellationToken)
                .ConfigureAwait(false);
            return BuildQuote(symbol, ticks)
                ?? throw new DependencyUnavailableException(
                    DependencyNames.MarketData, $"TWS sent no bid, ask or last price for {symbol}.");
        }
        catch (IOException ex)
        {
            throw Unavailable($"Requesting a quote for {symbol} from TWS failed.", mayHaveReached: false, ex);
        }
        finally
        {
            _pendingQueries.TryRemove(requestId, out _);
        }
    }

    private async Task<List<IbMessage>> QueryOpenOrdersAsync(
        IbConnection connection, string[] request, CancellationToken cancellationToken)
    {
        await _openOrdersGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var query = new PendingQuery(null);
            _openOrdersQuery = query;
            await connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return await AwaitAnswerAsync(query.Done.Task, connection, "reqOpenOrders", -1, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw Unavailable("Requesting open orders from TWS failed.", mayHaveReached: false, ex);
        }
        finally
        {
            _openOrdersQuery = null;
            _openOrdersGate.Release();
        }
    }

    private async Task<List<IbExecution>> QueryExecutionsAsync(IbConnection connection, CancellationToken cancellationToken)
    {
        var requestId = Interlocked.Increment(ref _nextRequestId);
        var query = new PendingQuery(null);
        _pendingQueries[requestId] = query;
        try
        {
            await connection.SendAsync(IbRequests.ReqExecutions(requestId), cancellationToken).ConfigureAwait(false);
            var messages = await AwaitAnswerAsync(query.Done.Task, connection, "reqExecutions", requestId, cancellationToken)
                .ConfigureAwait(false);
            return [.. messages.OfType<IbExecution>()];
        }
        catch (IOException ex)
        {
            throw Unavailable("Requesting executions from TWS failed.", mayHaveReached: false, ex);
        }
        finally
        {
            _pendingQueries.TryRemove(requestId, out _);
        }
    }

    /// <summary>
    /// Waits for the reply, the end of the session or <see cref="IbkrOptions.RequestTimeout"/>, whichever is first.
    /// A lost session or a timeout means the request may have reached TWS.
    /// </summary>
    private async Task<T> AwaitAnswerAsync<T>(
        Task<T> answer, IbConnection connection, string request, int id, CancellationToken cancellationToken)
    {
        await AwaitAnswerAsync((Task)answer, connection, request, id, cancellationToken).ConfigureAwait(false);
        return await answer.ConfigureAwait(false);
    }

    private async Task AwaitAnswerAsync(
        Task answer, IbConnection connection, string request, int id, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timer = Task.Delay(_options.RequestTimeout, _time, timeout.Token);
        var first = await Task.WhenAny(answer, connection.Closed, timer).ConfigureAwait(false);
        await timeout.CancelAsync().ConfigureAwait(false);
        if (first == answer)
        {
            await answer.ConfigureAwait(false);
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (first == connection.Closed)
        {
            throw Unavailable(
                $"The TWS session ended before {request} for id {id} was answered.", mayHaveReached: true, null);
        }

        throw Unavailable(
            $"TWS did not answer {request} for id {id} within {_options.RequestTimeout}.",
            mayHaveReached: true,
            new TimeoutException($"{request} timed out after {_options.RequestTimeout}."));
    }

    /// <summary>
    /// Raises the id floor from <see cref="IIbkrOrderIdFloorSource"/> once. After a failed load the order goes out with
    /// the server's sequence alone, and the next order tries the load again.
    /// </summary>
    private async Task LoadOrderIdFloorAsync(CancellationToken cancellationToken)
    {
        await _floorGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_floorLoaded)
            {
                return;
            }

            long floor;
            try
            {
                floor = await _floorSource!.GetOrderIdFloorAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // TWS's nextValidId already lies above every id it remembers, and the floor only guards against a reset
                // sequence, so an unreachable journal must not stop trading or count against the broker breaker.
                Log.OrderIdFloorLoadFailed(_logger, _ids.Peek(), ex);
                return;
            }

            _ids.RaiseFloor(floor);
            _floorLoaded = true;
            Log.OrderIdFloorLoaded(_logger, floor, _ids.Peek());
        }
        finally
        {
            _floorGate.Release();
        }
    }

    private IbConnection RequireConnection()
    {
        var state = _supervisor.State;
        if (_supervisor.Current is { } connection && state.BrokerAvailable)
        {
            return connection;
        }

        throw Unavailable(
            $"TWS is not available (status {state.Status}, last error: {state.LastError ?? "none"}).",
            mayHaveReached: false,
            null);
    }

    private int ResolveOrderId(BrokerOrderReference order)
    {
        if (order.BrokerOrderId is { } text)
        {
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                ? id
                : throw new BrokerRejectionException(
                    BrokerRejectionCode.OrderNotFound,
                    $"The broker order id '{text}' is not a TWS order id (a non-negative 32-bit integer).");
        }

        return _orders.Values.FirstOrDefault(o => o.ClientOrderId == order.ClientOrderId)?.OrderId
            ?? throw new BrokerRejectionException(
                BrokerRejectionCode.OrderNotFound,
                $"No TWS order id is known for client order id '{order.ClientOrderId}'.");
    }

    private static DependencyUnavailableException Unavailable(string message, bool mayHaveReached, Exception? inner) =>
        new(DependencyNames.Broker, message, retryAfter: null, requestMayHaveReachedDependency: mayHaveReached,
            innerException: inner);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        // The container disposes the instance once per registration (IbkrBroker, IBroker, IMarketDataFeed).
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _supervisor.MessageReceived -= OnMessage;
        _supervisor.SessionStarted -= ReconcileAsync;
        _updates.Writer.TryComplete();
        await _disposing.CancelAsync().ConfigureAwait(false);
        try
        {
            await _delivery.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _disposing.Dispose();
        _floorGate.Dispose();
    }
}
