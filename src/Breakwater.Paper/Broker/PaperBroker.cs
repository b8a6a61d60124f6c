using System.Globalization;
using System.Threading.Channels;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.MarketData;
using Breakwater.Domain.Orders;
using Breakwater.Paper.Faults;
using Breakwater.Paper.MarketData;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Breakwater.Paper.Broker;

/// <summary>
/// An embedded broker that matches orders against <see cref="SimulatedMarketData"/> and keeps its book in its own
/// SQLite file, so that across gateway restarts it behaves like a remote broker.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Start"/> starts the broker's loop: every <see cref="PaperBrokerOptions.TickInterval"/> the quotes move
/// one step, accepted cancels are confirmed, day orders expire at <see cref="PaperBrokerOptions.SessionEndUtc"/>, and
/// working orders are matched. A market order fills at the touch (buy at the ask, sell at the bid) and a limit order
/// fills at the touch once the quote crosses its limit. Matching runs only on the loop, never inside
/// <see cref="PlaceOrderAsync"/>, and only for orders stored at least half a tick interval earlier, so a step that
/// fires while <see cref="PlaceOrderAsync"/> is still returning leaves the new order to the next step.
/// </para>
/// <para>
/// The acknowledgement carries <see cref="OrderStatus.Submitted"/>; no separate Submitted update is sent. Fills,
/// cancels and rejections go to the <see cref="IBrokerUpdateSink"/> through an outbox stored with the book: an update
/// is removed only after the sink's task completed, and a failed delivery is retried on the next step. Delivery is
/// strictly in production order, so the updates of one order arrive in order; a failing update holds back the ones
/// behind it. Because an update is removed after the sink accepted it, a crash between the two delivers it again,
/// so the sink must ignore a fill whose execution id it already has.
/// </para>
/// <para>
/// While the broker fault is <c>down</c> or <c>hang</c> the loop keeps matching, as a remote broker would, but the
/// outbox is held back until the fault is removed, as with a dropped connection.
/// </para>
/// All members are thread-safe.
/// </remarks>
public sealed partial class PaperBroker : IBroker, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly PaperBrokerOptions _options;
    private readonly SimulatedMarketData _marketData;
    private readonly PaperFaultInjector _faults;
    private readonly IBrokerUpdateSink _sink;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<PaperBroker> _logger;
    private readonly MessagePacer? _pacer;
    private readonly Channel<bool> _deliverySignal =
        Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private readonly Dictionary<string, PaperOrder> _ordersById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PaperOrder> _ordersByClientId = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, PaperOrder> _workingOrders = [];
    private readonly Queue<OutboxEntry> _outbox = new();
    private readonly SemaphoreSlim _deliveryLock = new(1, 1);
    private readonly HashSet<PaperOrder> _workingMarketBuys = [];

    private PaperBookStore? _store;
    private decimal _cash;

    /// <summary>Remaining notional of the working limit buys at their limits, kept so a place is not O(n).</summary>
    private decimal _reservedByLimitBuys;
    private ITimer? _tickTimer;
    private CancellationTokenSource? _stopping;
    private Task _deliveryLoop = Task.CompletedTask;
    private int _stepRunning;
    private bool _disposed;

    public PaperBroker(
        IOptions<PaperBrokerOptions> options,
        SimulatedMarketData marketData,
        PaperFaultInjector faults,
        IBrokerUpdateSink sink,
        TimeProvider timeProvider,
        ILogger<PaperBroker> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _marketData = marketData;
        _faults = faults;
        _sink = sink;
        _timeProvider = timeProvider;
        _logger = logger;

        if (_options.MaxMessagesPerSecond > 0)
        {
            _pacer = new MessagePacer(_options.MaxMessagesPerSecond, _options.MaxQueuedMessages, timeProvider);
        }

        _faults.FaultChanged += OnFaultChanged;
    }

    /// <summary>The cash balance after every fill so far.</summary>
    public decimal Cash
    {
        get
        {
            lock (_gate)
            {
                EnsureLoadedLocked();
                return _cash;
            }
        }
    }

    /// <summary>The number of updates waiting for delivery to the sink.</summary>
    public int PendingUpdateCount
    {
        get
        {
            lock (_gate)
            {
                EnsureLoadedLocked();
                return _outbox.Count;
            }
        }
    }

    /// <summary>
    /// Loads the book if needed and starts the loop that moves quotes, matches orders and delivers updates.
    /// Calling it again while running does nothing.
    /// </summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            EnsureLoadedLocked();
            if (_tickTimer is not null)
            {
                return;
            }

            _stopping = new CancellationTokenSource();
            var stoppingToken = _stopping.Token;
            _deliveryLoop = Task.Run(() => DeliverLoopAsync(stoppingToken), CancellationToken.None);
            _tickTimer = _timeProvider.CreateTimer(
                static state => ((PaperBroker)state!).OnTick(),
                this,
                _options.TickInterval,
                _options.TickInterval);
            Log.Started(_logger, _store!.Path, _workingOrders.Count, _outbox.Count);
        }

        _marketData.Publish();
        SignalDelivery();
    }

    /// <summary>
    /// Stops the loop, then tries once more to deliver the waiting updates until <paramref name="cancellationToken"/>
    /// is cancelled. The book stays open, so calls still work, but later updates wait in the outbox until the next
    /// start.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        Task loop;
        CancellationTokenSource? stopping;
        lock (_gate)
        {
            _tickTimer?.Dispose();
            _tickTimer = null;
            stopping = _stopping;
            _stopping = null;
            loop = _deliveryLoop;
        }

        if (stopping is null)
        {
            return;
        }

        try
        {
            await DeliverPendingAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's stop timeout ended the last delivery attempt; the outbox keeps the rest.
        }

        await stopping.CancelAsync();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
            // The loop ends by cancellation.
        }

        stopping.Dispose();
        Log.Stopped(_logger);
    }

    /// <inheritdoc />
    public async Task<BrokerAck> PlaceOrderAsync(BrokerOrder order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        await PaceAsync(cancellationToken);
        await _faults.ApplyAsync(PaperFaultTarget.Broker, nameof(PlaceOrderAsync), cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        try
        {
            var symbol = ValidateOrder(order);
            lock (_gate)
            {
                EnsureLoadedLocked();
                if (_ordersByClientId.TryGetValue(order.ClientOrderId, out var existing))
                {
                    return AcknowledgeRepeatLocked(order, existing);
                }

                CheckBuyingPowerLocked(order, symbol);
                var stored = new PaperOrder
                {
                    ClientOrderId = order.ClientOrderId,
                    GatewayOrderId = order.OrderId,
                    Symbol = symbol,
                    Side = order.Side,
                    Quantity = order.Quantity,
                    Type = order.Type,
                    LimitPrice = order.LimitPrice,
                    TimeInForce = order.TimeInForce,
                    Status = OrderStatus.Submitted,
                    CreatedAt = _timeProvider.GetUtcNow(),
                };
                stored.Number = WriteBook(() => _store!.InsertOrder(stored));
                AddLocked(stored);
                Log.OrderAccepted(
                    _logger,
                    stored.GatewayOrderId,
                    stored.ClientOrderId!,
                    stored.BrokerOrderId,
                    stored.Side,
                    stored.Quantity,
                    stored.Symbol,
                    stored.Type);
                return new BrokerAck(stored.BrokerOrderId, OrderStatus.Submitted);
            }
        }
        catch (BrokerRejectionException ex)
        {
            Log.OrderRejected(_logger, order.OrderId, order.ClientOrderId, ex.Code, ex.Message);
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The order is found by <see cref="BrokerOrderReference.BrokerOrderId"/>, or by client order id when the broker
    /// order id is missing or unknown.
    /// The Cancelled update follows on the loop's next step. Cancelling again before then is accepted again.
    /// </remarks>
    public async Task CancelOrderAsync(BrokerOrderReference order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        await PaceAsync(cancellationToken);
        await _faults.ApplyAsync(PaperFaultTarget.Broker, nameof(CancelOrderAsync), cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        lock (_gate)
        {
            EnsureLoadedLocked();
            var found = (order.BrokerOrderId is { } brokerOrderId ? _ordersById.GetValueOrDefault(brokerOrderId) : null)
                ?? _ordersByClientId.GetValueOrDefault(order.ClientOrderId);
            if (found is null)
            {
                Log.CancelRejected(_logger, order.OrderId, order.ClientOrderId, order.BrokerOrderId, "not found");
                throw new BrokerRejectionException(
                    BrokerRejectionCode.OrderNotFound,
                    $"The paper broker has no order with broker order id '{order.BrokerOrderId}' or client order id " +
                    $"'{order.ClientOrderId}' to cancel.");
            }

            if (!found.IsWorking)
            {
                Log.CancelRejected(_logger, order.OrderId, order.ClientOrderId, found.BrokerOrderId, "already final");
                throw new BrokerRejectionException(
                    BrokerRejectionCode.OrderAlreadyFinal,
                    $"The order '{found.BrokerOrderId}' (client order id '{found.ClientOrderId}') cannot be " +
                    $"cancelled because it is already {found.Status}.");
            }

            if (!found.CancelRequested)
            {
                WriteBook(() => _store!.MarkCancelRequested(found.Number));
                found.CancelRequested = true;
            }

            Log.CancelAccepted(_logger, order.OrderId, order.ClientOrderId, found.BrokerOrderId);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BrokerOrderState>> GetOpenOrdersAsync(
        OpenOrderScope scope,
        CancellationToken cancellationToken)
    {
        await PaceAsync(cancellationToken);
        await _faults.ApplyAsync(PaperFaultTarget.Broker, nameof(GetOpenOrdersAsync), cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        lock (_gate)
        {
            EnsureLoadedLocked();
            return
            [
                .. _workingOrders.Values
                    .Where(order => scope == OpenOrderScope.Account || !order.External)
                    .Select(order => order.ToState()),
            ];
        }
    }

    /// <inheritdoc />
    public async Task<BrokerOrderState?> FindOrderAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientOrderId);
        await PaceAsync(cancellationToken);
        await _faults.ApplyAsync(PaperFaultTarget.Broker, nameof(FindOrderAsync), cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        lock (_gate)
        {
            EnsureLoadedLocked();
            return _ordersByClientId.GetValueOrDefault(clientOrderId)?.ToState();
        }
    }

    /// <inheritdoc />
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await PaceAsync(cancellationToken);
        await _faults.ApplyAsync(PaperFaultTarget.Broker, nameof(PingAsync), cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Adds a resting limit order placed by another client on the same account, for tests and demos of
    /// <see cref="OpenOrderScope.Account"/>. It has no client order id, is never matched, and its updates are not
    /// sent to the sink. Bypasses fault injection, pacing and the buying-power check.
    /// </summary>
    /// <exception cref="BrokerRejectionException">The symbol, quantity or price is invalid.</exception>
    public BrokerOrderState AddExternalOrder(string symbol, OrderSide side, long quantity, decimal limitPrice)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        var probe = new BrokerOrder(
            0, "external", symbol, side, quantity, OrderType.Limit, limitPrice, TimeInForce.Gtc);
        var canonical = ValidateOrder(probe);
        lock (_gate)
        {
            EnsureLoadedLocked();
            var stored = new PaperOrder
            {
                Symbol = canonical,
                Side = side,
                Quantity = quantity,
                Type = OrderType.Limit,
                LimitPrice = limitPrice,
                TimeInForce = TimeInForce.Gtc,
                Status = OrderStatus.Submitted,
                External = true,
                CreatedAt = _timeProvider.GetUtcNow(),
            };
            stored.Number = _store!.InsertOrder(stored);
            AddLocked(stored);
            return stored.ToState();
        }
    }

    /// <summary>Stops the loop and closes the book file.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _faults.FaultChanged -= OnFaultChanged;
        // A cancelled token skips the final delivery attempt, so a sink that hangs cannot block disposal.
        await StopAsync(new CancellationToken(canceled: true));
        lock (_gate)
        {
            _store?.Dispose();
            _store = null;
        }
    }

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
                Log.DeliveryFailed(
                    _logger, update.ClientOrderId, update.BrokerOrderId, update.Status, head.Sequence, ex);
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

            Log.UpdateDelivered(_logger, update.ClientOrderId, update.BrokerOrderId, update.Status, head.Sequence);
        }
    }

    private void SignalDelivery() => _deliverySignal.Writer.TryWrite(true);

    private void OnFaultChanged(object? sender, EventArgs e) => SignalDelivery();

    private ValueTask PaceAsync(CancellationToken cancellationToken) =>
        _pacer?.WaitTurnAsync(cancellationToken) ?? ValueTask.CompletedTask;

    /// <summary>Checks the order's fields and returns the symbol as configured.</summary>
    private string ValidateOrder(BrokerOrder order)
    {
        if (!_marketData.TryNormalizeSymbol(order.Symbol, out var symbol))
        {
            throw SimulatedMarketData.UnknownSymbol(order.Symbol);
        }

        if (string.IsNullOrWhiteSpace(order.ClientOrderId))
        {
            throw InvalidOrder("The client order id must not be empty.");
        }

        if (order.Quantity < 1 || order.Quantity > _options.MaxOrderQuantity)
        {
            throw InvalidOrder(
                $"The quantity must be between 1 and {_options.MaxOrderQuantity} " +
                $"({PaperBrokerOptions.SectionName}:{nameof(PaperBrokerOptions.MaxOrderQuantity)}), " +
                $"but it is {order.Quantity}.");
        }

        if (order.Type == OrderType.Limit && order.LimitPrice is not > 0)
        {
            var limit = order.LimitPrice?.ToString(CultureInfo.InvariantCulture) ?? "missing";
            throw InvalidOrder($"A limit order needs a positive limit price, but it is {limit}.");
        }

        if (order.Type == OrderType.Market && order.LimitPrice is not null)
        {
            throw InvalidOrder("A market order must not carry a limit price.");
        }

        return symbol;
    }

    /// <summary>
    /// Runs a write of a caller's request against the book. A failed write is reported as the broker being
    /// unavailable, and the request is known not to have taken effect because every write is one transaction.
    /// </summary>
    private static T WriteBook<T>(Func<T> write)
    {
        try
        {
            return write();
        }
        catch (SqliteException ex)
        {
            throw BookUnavailable(ex);
        }
    }

    private static void WriteBook(Action write) => WriteBook(() =>
    {
        write();
        return true;
    });

    private static DependencyUnavailableException BookUnavailable(SqliteException exception) => new(
        DependencyNames.Broker,
        $"The paper broker could not use its book file: {exception.Message}",
        innerException: exception);

    private static BrokerRejectionException InvalidOrder(string message) =>
        new(BrokerRejectionCode.InvalidOrder, message);

    /// <summary>
    /// Returns the acknowledgement of an earlier order with the same client order id and fields, so that a repeated
    /// submit is idempotent. Rejects a different order under the same id.
    /// </summary>
    private BrokerAck AcknowledgeRepeatLocked(BrokerOrder order, PaperOrder existing)
    {
        if (!existing.HasSameFieldsAs(order))
        {
            throw InvalidOrder(
                $"The client order id '{order.ClientOrderId}' is already used by the order " +
                $"'{existing.BrokerOrderId}' with different fields.");
        }

        Log.RepeatAcknowledged(_logger, order.OrderId, order.ClientOrderId, existing.BrokerOrderId);
        return new BrokerAck(existing.BrokerOrderId, existing.Status);
    }

    /// <summary>
    /// Rejects a buy whose notional at the limit price, or at the ask for a market order, exceeds the cash left after
    /// the remaining notional of the working buy orders.
    /// </summary>
    private void CheckBuyingPowerLocked(BrokerOrder order, string symbol)
    {
        if (order.Side != OrderSide.Buy)
        {
            return;
        }

        var reserved = _reservedByLimitBuys;
        foreach (var working in _workingMarketBuys)
        {
            // A market buy of a symbol no longer configured reserves nothing; the next step cancels it.
            var ask = _marketData.TryGetQuote(working.Symbol, out var quote) ? quote.Ask : 0m;
            reserved += working.RemainingQuantity * ask;
        }

        var orderPrice = order.LimitPrice ?? _marketData.GetQuote(symbol).Ask;
        var notional = order.Quantity * orderPrice;
        var buyingPower = _cash - reserved;
        if (notional > buyingPower)
        {
            throw new BrokerRejectionException(
                BrokerRejectionCode.InsufficientFunds,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The buy of {order.Quantity} {symbol} needs {notional}, but the buying power is {buyingPower} " +
                    $"(cash {_cash} less {reserved} reserved by working buy orders)."));
        }
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

    private void EnsureLoadedLocked()
    {
        ObjectDisposedException.ThrowIf(_disposed && _store is null, this);
        if (_store is not null)
        {
            return;
        }

        var path = _options.DatabasePath
            ?? throw new InvalidOperationException(
                $"{PaperBrokerOptions.SectionName}:{nameof(PaperBrokerOptions.DatabasePath)} is not set.");
        PaperBookStore store;
        try
        {
            store = PaperBookStore.Open(path);
        }
        catch (SqliteException ex)
        {
            throw BookUnavailable(ex);
        }

        try
        {
            _cash = store.LoadOrInitializeCash(_options.StartingCash);
            var orders = store.LoadOrders();
            foreach (var order in orders)
            {
                AddLocked(order);
            }

            var byNumber = orders.ToDictionary(order => order.Number);
            foreach (var entry in store.LoadOutbox(byNumber))
            {
                _outbox.Enqueue(entry);
            }
        }
        catch
        {
            store.Dispose();
            _ordersById.Clear();
            _ordersByClientId.Clear();
            _workingOrders.Clear();
            _workingMarketBuys.Clear();
            _reservedByLimitBuys = 0m;
            _outbox.Clear();
            throw;
        }

        _store = store;
        Log.BookLoaded(_logger, store.Path, _ordersById.Count, _workingOrders.Count, _outbox.Count, _cash);
    }

    private void AddLocked(PaperOrder order)
    {
        _ordersById[order.BrokerOrderId] = order;
        if (order.ClientOrderId is not null)
        {
            _ordersByClientId[order.ClientOrderId] = order;
        }

        if (order.IsWorking)
        {
            _workingOrders[order.Number] = order;
            _reservedByLimitBuys += LimitReservation(order);
            if (order is { Side: OrderSide.Buy, Type: OrderType.Market, External: false })
            {
                _workingMarketBuys.Add(order);
            }
        }
    }

    private void RemoveWorkingLocked(PaperOrder order)
    {
        if (_workingOrders.Remove(order.Number))
        {
            _reservedByLimitBuys -= LimitReservation(order);
            _workingMarketBuys.Remove(order);
        }
    }

    /// <summary>Returns the remaining notional a limit buy of this gateway reserves, or 0 for other orders.</summary>
    private static decimal LimitReservation(PaperOrder order) =>
        order is { Side: OrderSide.Buy, External: false, LimitPrice: { } limit }
            ? order.RemainingQuantity * limit
            : 0m;
}
