using System.Globalization;
using System.Threading.Channels;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.Orders;
using Breakwater.Paper.Faults;
using Breakwater.Paper.MarketData;
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
/// working orders are matched. Between ticks, every <see cref="PaperBrokerOptions.MatchInterval"/>, a match step
/// handles market orders and accepted cancels without moving the quotes. A market order fills at the touch (buy at
/// the ask, sell at the bid) and a limit order fills at the touch once the quote crosses its limit. Matching runs
/// only on the loop, never inside
/// <see cref="PlaceOrderAsync"/>, and only for orders stored at least half a tick interval earlier, so a step that
/// fires while <see cref="PlaceOrderAsync"/> is still returning leaves the new order to the next step.
/// </para>
/// <para>
/// The acknowledgement carries <see cref="OrderStatus.Submitted"/>; no separate Submitted update is sent. Fills,
/// cancels and rejections go to the <see cref="IBrokerUpdateSink"/> through an outbox stored with the book: an update
/// is removed only after the sink's task completed, and a failed delivery is retried on a later step. The updates
/// of one order arrive one at a time and in production order, and a failing update holds back the later ones of the
/// same order only. Updates of different orders may be in flight together. Because an update is removed after the
/// sink accepted it, a crash between the two delivers it again, so the sink must ignore a fill whose execution id it
/// already has.
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

    // The working orders a match step looks at: market orders and orders with a cancel requested.
    private readonly SortedDictionary<long, PaperOrder> _actionableOrders = [];
    private readonly RestingLimitOrders _restingOrders = new();

    // A tick looks at every working order after the book was loaded or rebuilt, and when a session end passed
    // because day orders expire then. Otherwise it looks only at the actionable orders and the crossed resting ones.
    private bool _scanAllOnNextTick = true;
    private DateTimeOffset _lastSessionEndScanned = DateTimeOffset.MinValue;
    private readonly LinkedList<OutboxEntry> _outbox = new();
    private readonly SemaphoreSlim _deliveryLock = new(1, 1);

    // The outbox head that the sink last refused and how often in a row; read and written under _deliveryLock.
    private long _refusedSequence = -1;
    private int _refusedAttempts;
    private readonly Dictionary<string, long> _marketBuyQuantityBySymbol = new(StringComparer.Ordinal);

    private PaperBookStore? _store;
    private decimal _cash;

    /// <summary>Remaining notional of the working limit buys at their limits, kept so a place is not O(n).</summary>
    private decimal _reservedByLimitBuys;
    private ITimer? _tickTimer;
    private ITimer? _matchTimer;
    private CancellationTokenSource? _stopping;
    private Task _deliveryLoop = Task.CompletedTask;
    private int _stepRunning;
    private int _matchRunning;
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
            if (_options.MatchInterval > TimeSpan.Zero && _options.MatchInterval < _options.TickInterval)
            {
                _matchTimer = _timeProvider.CreateTimer(
                    static state => ((PaperBroker)state!).OnMatch(),
                    this,
                    _options.MatchInterval,
                    _options.MatchInterval);
            }

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
            _matchTimer?.Dispose();
            _matchTimer = null;
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
#pragma warning disable CA1031 // The loop must still be stopped; the outbox keeps what was not delivered.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.FinalDeliveryFailed(_logger, ex);
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
                _actionableOrders[found.Number] = found;
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
}
