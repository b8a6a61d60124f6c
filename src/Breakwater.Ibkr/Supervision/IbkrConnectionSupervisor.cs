using System.Net.Sockets;
using Breakwater.Ibkr.Client;
using Breakwater.Ibkr.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Breakwater.Ibkr.Supervision;

/// <summary>
/// Keeps one TWS API session to one gateway open: reconnects with capped exponential backoff and jitter, waits longer
/// after error 326, probes idle sessions with reqCurrentTime, and turns system and farm codes into
/// <see cref="State"/>, which the coordinator maps to the broker and market data breakers and to health.
/// </summary>
/// <remarks>
/// Events are raised on the session's read loop or on the supervisor loop; handlers must not block.
/// All members are thread-safe.
/// </remarks>
public sealed partial class IbkrConnectionSupervisor : IAsyncDisposable
{
    private readonly IbkrOptions _options;
    private readonly IbPacer _pacer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IbkrRestartWindow? _restartWindow;
    private readonly Lock _gate = new();
    private readonly Random _jitter;
    private CancellationTokenSource? _stopping;
    private Task _loop = Task.CompletedTask;
    private IbConnection? _current;
    private IbkrConnectionState _state = new(IbkrConnectionStatus.Stopped, false, false, null, 0, null);

    public IbkrConnectionSupervisor(
        IOptions<IbkrOptions> options,
        IbPacer pacer,
        TimeProvider time,
        ILogger<IbkrConnectionSupervisor> logger,
        Random? jitter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _pacer = pacer;
        _time = time;
        _logger = logger;
        _jitter = jitter ?? Random.Shared;
        if (_options is { DailyRestartStart: { } start, DailyRestartEnd: { } end })
        {
            _restartWindow = new IbkrRestartWindow(
                start, end, TimeZoneInfo.FindSystemTimeZoneById(_options.DailyRestartTimeZone));
        }
    }

    /// <summary>Raised for every message of every session, after the supervisor has looked at it.</summary>
    public event Action<IbMessage>? MessageReceived;

    /// <summary>
    /// Raised after each session becomes ready, before it counts as connected for callers; the adapter reconciles
    /// orders here. The supervisor awaits the handler, logs its failure and keeps the session.
    /// </summary>
    public event Func<IbConnection, CancellationToken, Task>? SessionStarted;

    /// <summary>Raised on 1101: market data subscriptions were lost and must be requested again.</summary>
    public event Action<IbConnection>? MarketDataResubscribeRequired;

    /// <summary>Raised whenever <see cref="State"/> changes.</summary>
    public event Action<IbkrConnectionState>? StateChanged;

    /// <summary>The open session, or null while disconnected.</summary>
    public IbConnection? Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    public IbkrConnectionState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>
    /// Health of the broker link now: healthy while available; degraded while unavailable inside the daily restart
    /// window; unhealthy otherwise, including a disconnect that outlasts the window.
    /// </summary>
    public IbkrHealth GetBrokerHealth()
    {
        var state = State;
        if (state.BrokerAvailable)
        {
            return IbkrHealth.Healthy;
        }

        return IsInRestartWindow() ? IbkrHealth.Degraded : IbkrHealth.Unhealthy;
    }

    /// <summary>Health of market data now: degraded while a farm is broken, unhealthy while the broker is.</summary>
    public IbkrHealth GetMarketDataHealth()
    {
        var state = State;
        if (!state.BrokerAvailable)
        {
            return GetBrokerHealth();
        }

        return state.MarketDataAvailable ? IbkrHealth.Healthy : IbkrHealth.Degraded;
    }

    /// <summary>Returns whether now is inside the configured daily restart window.</summary>
    public bool IsInRestartWindow() => _restartWindow?.Contains(_time.GetUtcNow()) ?? false;

    /// <summary>Starts the reconnect loop; returns at once.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_stopping is not null)
            {
                return Task.CompletedTask;
            }

            _stopping = new CancellationTokenSource();
            _loop = RunAsync(_stopping.Token);
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops the loop and closes the session.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        CancellationTokenSource? stopping;
        lock (_gate)
        {
            stopping = _stopping;
        }

        if (stopping is null)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        if (Current is { } connection)
        {
            await connection.CloseAsync(null).ConfigureAwait(false);
        }

        await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        Update(s => s with { Status = IbkrConnectionStatus.Stopped, BrokerAvailable = false, MarketDataAvailable = false });
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var attempt = 0;
        while (!stopping.IsCancellationRequested)
        {
            Update(s => s with { Status = IbkrConnectionStatus.Connecting });
            IbConnection connection;
            try
            {
                connection = await IbConnection.ConnectAsync(
                    _options.Host, _options.Port, _options.ClientId, OnMessage, _pacer, _time,
                    _options.ConnectTimeout, _logger, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (IbClientIdInUseException ex)
            {
                attempt++;
                Failed(ex.Message, attempt);
                Log.ClientIdInUse(_logger, _options.ClientId, _options.ClientIdInUseDelay);
                await WaitAsync(_options.ClientIdInUseDelay, stopping).ConfigureAwait(false);
                continue;
            }
            catch (Exception ex) when (ex is IOException or SocketException or TimeoutException or IbProtocolException)
            {
                var delay = NextDelay(attempt);
                attempt++;
                Failed(ex.Message, attempt);
                Log.ConnectFailed(_logger, _options.Host, _options.Port, attempt, delay, ex.Message);
                await WaitAsync(delay, stopping).ConfigureAwait(false);
                continue;
            }

            attempt = 0;
            await RunSessionAsync(connection, stopping).ConfigureAwait(false);
            if (!stopping.IsCancellationRequested)
            {
                await WaitAsync(NextDelay(0), stopping).ConfigureAwait(false);
            }
        }
    }

    private async Task RunSessionAsync(IbConnection connection, CancellationToken stopping)
    {
        lock (_gate)
        {
            _current = connection;
        }

        Log.Connected(_logger, _options.Host, _options.Port, connection.ServerVersion, connection.NextValidId);
        if (SessionStarted is { } started)
        {
            try
            {
                await started(connection, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                await connection.CloseAsync(null).ConfigureAwait(false);
                lock (_gate)
                {
                    _current = null;
                }

                return;
            }
#pragma warning disable CA1031 // A failed reconciliation is logged and retried after the next reconnect.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.SessionStartFailed(_logger, ex);
            }
        }

        Update(s => s with
        {
            Status = IbkrConnectionStatus.Connected,
            BrokerAvailable = true,
            MarketDataAvailable = true,
            DisconnectedSince = null,
            ConsecutiveFailures = 0,
            LastError = null,
        });

        using var sessionEnd = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var heartbeat = HeartbeatAsync(connection, sessionEnd.Token);
        var cause = await connection.Closed.ConfigureAwait(false);
        await sessionEnd.CancelAsync().ConfigureAwait(false);
        await heartbeat.ConfigureAwait(false);
        lock (_gate)
        {
            _current = null;
        }

        var now = _time.GetUtcNow();
        Update(s => s with
        {
            Status = IbkrConnectionStatus.Disconnected,
            BrokerAvailable = false,
            MarketDataAvailable = false,
            DisconnectedSince = s.DisconnectedSince ?? now,
            LastError = cause?.Message,
        });
        if (!stopping.IsCancellationRequested)
        {
            Log.Disconnected(_logger, cause?.Message ?? "closed locally", IsInRestartWindow());
        }
    }

    /// <summary>
    /// Sends reqCurrentTime every <see cref="IbkrOptions.HeartbeatInterval"/> and closes the session when nothing at all
    /// arrives within <see cref="IbkrOptions.HeartbeatTimeout"/> of a probe.
    /// </summary>
    private async Task HeartbeatAsync(IbConnection connection, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(_options.HeartbeatInterval, _time, ct).ConfigureAwait(false);
                var probeSent = _time.GetTimestamp();
                await connection.SendAsync(IbRequests.ReqCurrentTime(), ct).ConfigureAwait(false);
                await Task.Delay(_options.HeartbeatTimeout, _time, ct).ConfigureAwait(false);
                if (connection.LastReceiveTimestamp < probeSent)
                {
                    Log.Silent(_logger, _options.HeartbeatTimeout);
                    await connection.CloseAsync(new TimeoutException(
                        $"TWS did not answer the reqCurrentTime heartbeat within {_options.HeartbeatTimeout}."))
                        .ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
            // The session ended while probing; the read loop reports the cause.
        }
    }

    private void OnMessage(IbMessage message)
    {
        if (message is IbError error)
        {
            HandleCode(error);
        }

        MessageReceived?.Invoke(message);
    }

    private void HandleCode(IbError error)
    {
        switch (IbkrConnectivity.Classify(error.Code))
        {
            case IbkrConnectivityEvent.BrokerLost:
                Log.Connectivity(_logger, error.Code, error.Text);
                Update(s => s with { BrokerAvailable = false, DisconnectedSince = s.DisconnectedSince ?? _time.GetUtcNow() });
                break;
            case IbkrConnectivityEvent.BrokerRestoredDataLost:
                Log.Connectivity(_logger, error.Code, error.Text);
                Update(s => s with { BrokerAvailable = Current is not null, DisconnectedSince = null });
                if (Current is { } connection)
                {
                    MarketDataResubscribeRequired?.Invoke(connection);
                }

                break;
            case IbkrConnectivityEvent.BrokerRestored:
                Log.Connectivity(_logger, error.Code, error.Text);
                Update(s => s with { BrokerAvailable = Current is not null, DisconnectedSince = null });
                break;
            case IbkrConnectivityEvent.ReconnectRequired:
                Log.Connectivity(_logger, error.Code, error.Text);
                _ = Current?.CloseAsync(new IOException($"TWS asked for a reconnect (code {error.Code})."));
                break;
            case IbkrConnectivityEvent.MarketDataDegraded:
                Log.Connectivity(_logger, error.Code, error.Text);
                Update(s => s with { MarketDataAvailable = false });
                break;
            case IbkrConnectivityEvent.MarketDataRestored:
                Update(s => s with { MarketDataAvailable = Current is not null });
                break;
            case IbkrConnectivityEvent.PacingViolation:
                _pacer.SlowDown();
                Log.PacingViolation(_logger, _pacer.CurrentRate);
                break;
        }
    }

    private TimeSpan NextDelay(int attempt)
    {
        double random;
        lock (_jitter)
        {
            random = _jitter.NextDouble();
        }

        return IbkrBackoff.Compute(
            attempt, _options.InitialReconnectDelay, _options.MaxReconnectDelay, _options.ReconnectJitter, random);
    }

    private void Failed(string message, int attempt)
    {
        var now = _time.GetUtcNow();
        Update(s => s with
        {
            Status = IbkrConnectionStatus.Disconnected,
            BrokerAvailable = false,
            MarketDataAvailable = false,
            DisconnectedSince = s.DisconnectedSince ?? now,
            ConsecutiveFailures = attempt,
            LastError = message,
        });
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private void Update(Func<IbkrConnectionState, IbkrConnectionState> change)
    {
        IbkrConnectionState before;
        IbkrConnectionState after;
        lock (_gate)
        {
            before = _state;
            after = change(before);
            _state = after;
        }

        if (after != before)
        {
            StateChanged?.Invoke(after);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping?.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 4111,
            EventName = "IbkrConnected",
            Level = LogLevel.Information,
            Message = "Connected to TWS at {Host}:{Port}, server version {ServerVersion}, next order id {NextValidId}")]
        public static partial void Connected(ILogger logger, string host, int port, int serverVersion, int nextValidId);

        [LoggerMessage(
            EventId = 4112,
            EventName = "IbkrConnectFailed",
            Level = LogLevel.Warning,
            Message = "Connecting to TWS at {Host}:{Port} failed (attempt {Attempt}); retrying in {Delay}: {Reason}")]
        public static partial void ConnectFailed(
            ILogger logger, string host, int port, int attempt, TimeSpan delay, string reason);

        [LoggerMessage(
            EventId = 4113,
            EventName = "IbkrClientIdInUse",
            Level = LogLevel.Warning,
            Message = "TWS reports client id {ClientId} in use (326); retrying in {Delay}")]
        public static partial void ClientIdInUse(ILogger logger, int clientId, TimeSpan delay);

        [LoggerMessage(
            EventId = 4114,
            EventName = "IbkrDisconnected",
            Level = LogLevel.Warning,
            Message = "The TWS session ended: {Reason}; inside the daily restart window: {InRestartWindow}")]
        public static partial void Disconnected(ILogger logger, string reason, bool inRestartWindow);

        [LoggerMessage(
            EventId = 4115,
            EventName = "IbkrSilent",
            Level = LogLevel.Warning,
            Message = "Closing the TWS session because nothing arrived within {Timeout} of a heartbeat")]
        public static partial void Silent(ILogger logger, TimeSpan timeout);

        [LoggerMessage(
            EventId = 4116,
            EventName = "IbkrConnectivity",
            Level = LogLevel.Warning,
            Message = "TWS connectivity notice {Code}: {Text}")]
        public static partial void Connectivity(ILogger logger, int code, string text);

        [LoggerMessage(
            EventId = 4117,
            EventName = "IbkrPacingViolation",
            Level = LogLevel.Warning,
            Message = "TWS reported a pacing violation (100); sending at {Rate} messages per second for now")]
        public static partial void PacingViolation(ILogger logger, double rate);

        [LoggerMessage(
            EventId = 4118,
            EventName = "IbkrSessionStartFailed",
            Level = LogLevel.Error,
            Message = "Reconciling with TWS after connecting failed; it runs again after the next reconnect")]
        public static partial void SessionStartFailed(ILogger logger, Exception exception);
    }
}
