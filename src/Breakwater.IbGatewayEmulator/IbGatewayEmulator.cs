using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Breakwater.IbGatewayEmulator;

/// <summary>
/// An in-process stand-in for IB Gateway on a paper account: it speaks the TWS API socket protocol at server version
/// 176 on a loopback port, keeps an order book, fills market orders at once, rests limit orders until the quote
/// random walk crosses them or <see cref="FillOrder"/> is called, streams quotes, and offers fault controls.
/// </summary>
/// <remarks>All public members are thread-safe. The book survives <see cref="RestartAsync"/> and
/// <see cref="DropConnections"/>, as orders survive a real gateway restart.</remarks>
public sealed partial class IbGatewayEmulator : IAsyncDisposable
{
    private readonly IbGatewayEmulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _book = new();
    private readonly Dictionary<int, EmulatorOrder> _orders = [];
    private readonly List<EmulatorExecution> _executions = [];
    private readonly Dictionary<string, (decimal Quantity, decimal Cost)> _positions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, decimal> _prices = new(StringComparer.Ordinal);
    private readonly Dictionary<int, int> _highestIdByClient = [];
    private readonly Dictionary<int, DateTimeOffset> _clientIdHeldUntil = [];
    private readonly List<EmulatorSession> _sessions = [];
    private readonly List<RecordedFrame> _inbound = [];
    private readonly Random _random;
    private readonly CancellationTokenSource _stop = new();
    private TcpListener? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private ITimer? _walkTimer;
    private long _nextValidId;
    private long _nextPermId = 1_000_000;
    private int _execCounter;
    private int _connectionCounter;
    private volatile bool _silent;
    private volatile bool _refusing;
    private string? _rejectReason;
    private TimeSpan _answerDelay;

    public IbGatewayEmulator(IbGatewayEmulatorOptions options, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _random = new Random(options.Seed);
        _nextValidId = options.FirstOrderId;
    }

    /// <summary>The port the emulator listens on, known after <see cref="StartAsync"/>.</summary>
    public int Port { get; private set; }

    /// <summary>The account the emulator reports.</summary>
    public string Account => _options.Account;

    /// <summary>Frames received so far when <see cref="IbGatewayEmulatorOptions.RecordInboundFrames"/> is on.</summary>
    public IReadOnlyList<RecordedFrame> InboundFrames
    {
        get
        {
            lock (_inbound)
            {
                return [.. _inbound];
            }
        }
    }

    /// <summary>The number of API sessions that completed startApi and are still open.</summary>
    public int ConnectedClients
    {
        get
        {
            lock (_sessions)
            {
                return _sessions.Count(s => s.ClientId is not null);
            }
        }
    }

    internal TimeProvider Time => _time;

    internal ILogger Logger => _logger;

    internal IbGatewayEmulatorOptions Options => _options;

    /// <summary>Starts listening on 127.0.0.1 and starts the quote walk.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Listen(_options.Port);
        if (_options.QuoteInterval > TimeSpan.Zero)
        {
            _walkTimer = _time.CreateTimer(_ => StepWalk(), null, _options.QuoteInterval, _options.QuoteInterval);
        }

        Log.Listening(_logger, Port);
        return Task.CompletedTask;
    }

    private void Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _listener = listener;
        _acceptLoop = AcceptLoopAsync(listener);
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient tcp;
            try
            {
                tcp = await listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            tcp.NoDelay = true;
            var number = Interlocked.Increment(ref _connectionCounter);
            var session = new EmulatorSession(this, tcp, number);
            lock (_sessions)
            {
                _sessions.Add(session);
            }

            _ = session.RunAsync(_stop.Token);
        }
    }

    internal void OnSessionEnded(EmulatorSession session, bool clean)
    {
        lock (_sessions)
        {
            _sessions.Remove(session);
        }

        if (!clean && session.ClientId is { } id && _options.ClientIdHoldAfterDrop > TimeSpan.Zero)
        {
            lock (_book)
            {
                _clientIdHeldUntil[id] = _time.GetUtcNow() + _options.ClientIdHoldAfterDrop;
            }
        }
    }

    internal void Record(int connectionNumber, int clientId, string[] fields)
    {
        if (!_options.RecordInboundFrames)
        {
            return;
        }

        lock (_inbound)
        {
            _inbound.Add(new RecordedFrame(connectionNumber, clientId, fields));
        }
    }

    internal bool IsSilent => _silent;

    internal TimeSpan AnswerDelay
    {
        get
        {
            lock (_book)
            {
                return _answerDelay;
            }
        }
    }

    /// <summary>Returns whether <paramref name="clientId"/> may start a session now (no live session, no hold).</summary>
    internal bool TryClaimClientId(EmulatorSession claimant, int clientId)
    {
        lock (_book)
        {
            if (_clientIdHeldUntil.TryGetValue(clientId, out var until) && until > _time.GetUtcNow())
            {
                return false;
            }
        }

        lock (_sessions)
        {
            if (_sessions.Any(s => s != claimant && s.ClientId == clientId))
            {
                return false;
            }

            claimant.ClientId = clientId;
            return true;
        }
    }

    internal long CurrentNextValidId
    {
        get
        {
            lock (_book)
            {
                return _nextValidId;
            }
        }
    }

    internal EmulatorSession? FindSession(int clientId)
    {
        lock (_sessions)
        {
            return _sessions.FirstOrDefault(s => s.ClientId == clientId);
        }
    }

    // ----- Controls -----

    /// <summary>Closes every API connection at once, without any message, as a crashed gateway would.</summary>
    public void DropConnections()
    {
        EmulatorSession[] sessions;
        lock (_sessions)
        {
            sessions = [.. _sessions];
        }

        foreach (var session in sessions)
        {
            session.Abort();
        }

        Log.Dropped(_logger, sessions.Length);
    }

    /// <summary>Stops replying (requests are read and ignored, no ticks are sent) while <paramref name="silent"/>.</summary>
    public void SetSilent(bool silent) => _silent = silent;

    /// <summary>Delays every reply by <paramref name="delay"/>. Zero replies at once.</summary>
    public void SetAnswerDelay(TimeSpan delay)
    {
        lock (_book)
        {
            _answerDelay = delay;
        }
    }

    /// <summary>Rejects every new order with error 201 and <paramref name="reason"/>; null accepts orders again.</summary>
    public void RejectOrders(string? reason)
    {
        lock (_book)
        {
            _rejectReason = reason;
        }
    }

    /// <summary>
    /// Stops accepting connections (the port refuses them) while <paramref name="refuse"/>; existing connections stay.
    /// </summary>
    public void RefuseConnections(bool refuse)
    {
        if (refuse == _refusing)
        {
            return;
        }

        _refusing = refuse;
        if (refuse)
        {
            _listener?.Stop();
        }
        else
        {
            Listen(Port);
        }
    }

    /// <summary>
    /// Sends a system notice (id -1), such as 1100, 1101, 1102, 1300 or a 21xx farm code, to every connected client.
    /// </summary>
    public void SendSystemMessage(int code, string? text = null)
    {
        var message = EmulatorMessages.Error(-1, code, text ?? DefaultNoticeText(code));
        foreach (var session in Snapshot())
        {
            session.Send(message);
        }
    }

    /// <summary>
    /// Simulates a gateway restart: drops every connection, refuses new ones for <paramref name="downtime"/>
    /// (measured on the emulator's <see cref="TimeProvider"/>), then accepts again. The book and the order id
    /// sequence survive.
    /// </summary>
    public async Task RestartAsync(TimeSpan downtime, CancellationToken cancellationToken)
    {
        RefuseConnections(true);
        DropConnections();
        if (downtime > TimeSpan.Zero)
        {
            await Task.Delay(downtime, _time, cancellationToken).ConfigureAwait(false);
        }

        RefuseConnections(false);
    }

    /// <summary>Sets the price of <paramref name="symbol"/>; resting limit orders it crosses fill.</summary>
    public void SetPrice(string symbol, decimal price)
    {
        lock (_book)
        {
            _prices[symbol] = price;
        }

        CrossRestingOrders(symbol);
    }

    /// <summary>Returns the current price of <paramref name="symbol"/>.</summary>
    public decimal GetPrice(string symbol)
    {
        lock (_book)
        {
            return PriceLocked(symbol);
        }
    }

    /// <summary>
    /// Fills the rest of a working order at <paramref name="price"/> (default: its limit, else the current price),
    /// whether or not its client is connected. A disconnected client learns of the fill only by asking for
    /// executions or open orders after it reconnects.
    /// </summary>
    /// <exception cref="InvalidOperationException">The order does not exist or is not working.</exception>
    public void FillOrder(int orderId, decimal? price = null)
    {
        EmulatorOrder order;
        lock (_book)
        {
            if (!_orders.TryGetValue(orderId, out order!) || !order.IsOpen)
            {
                throw new InvalidOperationException(
                    $"Order {orderId} cannot be filled because it is {(order is null ? "not in the book" : order.Status)}.");
            }
        }

        Fill(order, price ?? order.LimitPrice ?? GetPrice(order.Symbol));
    }

    /// <summary>Returns the status of an order in the book ("Submitted", "Filled", "Cancelled" ...), or null.</summary>
    public string? GetOrderStatus(int orderId)
    {
        lock (_book)
        {
            return _orders.TryGetValue(orderId, out var order) ? order.Status : null;
        }
    }

    /// <summary>Returns the order ids in the book whose orderRef is <paramref name="orderRef"/>.</summary>
    public IReadOnlyList<int> FindOrders(string orderRef)
    {
        lock (_book)
        {
            return [.. _orders.Values.Where(o => o.OrderRef == orderRef).Select(o => o.OrderId)];
        }
    }

    /// <summary>The number of executions in the book.</summary>
    public int ExecutionCount
    {
        get
        {
            lock (_book)
            {
                return _executions.Count;
            }
        }
    }

    private EmulatorSession[] Snapshot()
    {
        lock (_sessions)
        {
            return [.. _sessions.Where(s => s.ClientId is not null)];
        }
    }

    private static string DefaultNoticeText(int code) => code switch
    {
        1100 => "Connectivity between IB and Trader Workstation has been lost.",
        1101 => "Connectivity between IB and Trader Workstation has been restored - data lost.",
        1102 => "Connectivity between IB and Trader Workstation has been restored - data maintained.",
        1300 => "TWS socket port has been reset and this connection is being dropped. Please reconnect on port",
        2103 => "Market data farm connection is broken:usfarm",
        2104 => "Market data farm connection is OK:usfarm",
        2105 => "HMDS data farm connection is broken:ushmds",
        2106 => "HMDS data farm connection is OK:ushmds",
        2107 => "HMDS data farm connection is inactive but should be available upon demand.ushmds",
        2108 => "Market data farm connection is inactive but should be available upon demand.usfarm",
        2157 => "Sec-def data farm connection is broken:secdefil",
        2158 => "Sec-def data farm connection is OK:secdefil",
        _ => "Emulator notice.",
    };

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_walkTimer is not null)
        {
            await _walkTimer.DisposeAsync().ConfigureAwait(false);
        }

        _listener?.Stop();
        DropConnections();
        await _acceptLoop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 4801,
            EventName = "EmulatorListening",
            Level = LogLevel.Information,
            Message = "IB Gateway emulator listening on 127.0.0.1:{Port}")]
        public static partial void Listening(ILogger logger, int port);

        [LoggerMessage(
            EventId = 4802,
            EventName = "EmulatorDropped",
            Level = LogLevel.Information,
            Message = "IB Gateway emulator dropped {Count} connections")]
        public static partial void Dropped(ILogger logger, int count);
    }
}
