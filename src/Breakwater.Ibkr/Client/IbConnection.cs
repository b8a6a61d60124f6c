using System.IO.Pipelines;
using System.Net.Sockets;
using Breakwater.Ibkr.Protocol;
using Microsoft.Extensions.Logging;

namespace Breakwater.Ibkr.Client;

/// <summary>
/// One TWS API session over TCP: handshake, startApi, a read loop that decodes frames and hands each message to a
/// callback, and paced writes. The session ends when the peer closes, a frame is malformed, or it is disposed.
/// </summary>
/// <remarks>
/// The callback runs on the read loop, one message at a time and in arrival order, so it must not block.
/// <see cref="SendAsync"/> is thread-safe; each frame is written whole.
/// </remarks>
public sealed partial class IbConnection : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private NetworkStream? _stream;
    private readonly IbPacer _pacer;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<Exception?> _closed =
        new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action<IbMessage> _onMessage = static _ => { };
    private int _disposed;

    private IbConnection(TcpClient tcp, IbPacer pacer, ILogger logger)
    {
        _tcp = tcp;
        _pacer = pacer;
        _logger = logger;
    }

    /// <summary>The server version negotiated in the handshake.</summary>
    public int ServerVersion { get; private set; }

    /// <summary>
    /// The connection time text the server sent in the handshake, for example <c>20240324 21:18:59 EST</c>.
    /// </summary>
    public string ServerTime { get; private set; } = string.Empty;

    /// <summary>The first nextValidId of the session.</summary>
    public int NextValidId { get; private set; }

    /// <summary>The accounts from managedAccounts.</summary>
    public IReadOnlyList<string> Accounts { get; private set; } = [];

    /// <summary>Completes when the session has ended; the result is the cause, or null for a local close.</summary>
    public Task<Exception?> Closed => _closed.Task;

    /// <summary>The time the last frame arrived, as a <see cref="TimeProvider"/> timestamp.</summary>
    public long LastReceiveTimestamp { get; private set; }

    /// <summary>
    /// Connects, negotiates the version, sends startApi and waits for nextValidId and managedAccounts, which mark the
    /// session as ready. Every message, including those during start-up, goes to <paramref name="onMessage"/>.
    /// </summary>
    /// <exception cref="IbClientIdInUseException">The server answered 326: the client id is in use.</exception>
    /// <exception cref="IbProtocolException">The server broke the wire format or offered an unsupported version.</exception>
    /// <exception cref="IOException">The socket failed or the server closed it during start-up.</exception>
    /// <exception cref="SocketException">The server could not be reached.</exception>
    /// <exception cref="TimeoutException">Start-up did not finish within <paramref name="timeout"/>.</exception>
    public static async Task<IbConnection> ConnectAsync(
        string host,
        int port,
        int clientId,
        Action<IbMessage> onMessage,
        IbPacer pacer,
        TimeProvider time,
        TimeSpan timeout,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        ArgumentNullException.ThrowIfNull(time);
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var tcp = new TcpClient { NoDelay = true };
        var connection = new IbConnection(tcp, pacer, logger);
        try
        {
            await tcp.ConnectAsync(host, port, linked.Token).ConfigureAwait(false);
            await connection.StartAsync(clientId, onMessage, time, linked.Token).ConfigureAwait(false);
            return connection;
        }
        catch (OperationCanceledException)
            when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new TimeoutException(
                $"The TWS API session to {host}:{port} did not become ready within {timeout.TotalSeconds:0.#} s.");
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task StartAsync(int clientId, Action<IbMessage> onMessage, TimeProvider time, CancellationToken ct)
    {
        _stream = _tcp.GetStream();
        await _stream.WriteAsync(IbFrameCodec.BuildHandshake(IbWire.MinServerVersion, IbWire.ServerVersion), ct)
            .ConfigureAwait(false);
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        var handshake = await ReadOneFrameAsync(reader, ct).ConfigureAwait(false);
        if (handshake.Length < 2 || !int.TryParse(handshake[0], out var version))
        {
            throw new IbProtocolException(
                $"The handshake reply had {handshake.Length} fields; expected the server version and the connection time.");
        }

        if (version is < IbWire.MinServerVersion or > IbWire.ServerVersion)
        {
            throw new IbProtocolException(
                $"The server chose version {version}, outside the offered range {IbWire.MinServerVersion} to "
                + $"{IbWire.ServerVersion}.");
        }

        ServerVersion = version;
        ServerTime = handshake[1];
        await WriteFrameAsync(IbRequests.StartApi(clientId), paced: false, ct).ConfigureAwait(false);

        int? nextValidId = null;
        IReadOnlyList<string>? accounts = null;
        while (nextValidId is null || accounts is null)
        {
            var message = IbDecoder.Decode(await ReadOneFrameAsync(reader, ct).ConfigureAwait(false));
            switch (message)
            {
                case IbNextValidId next:
                    nextValidId = next.OrderId;
                    break;
                case IbManagedAccounts managed when managed.Accounts.Count > 0:
                    accounts = managed.Accounts;
                    break;
                case IbError { Code: 326 } error:
                    throw new IbClientIdInUseException(clientId, error.Text);
            }

            onMessage(message);
        }

        NextValidId = nextValidId.Value;
        Accounts = accounts;
        LastReceiveTimestamp = time.GetTimestamp();
        _onMessage = onMessage;
        _ = RunReadLoopAsync(reader, time);
    }

    private static async Task<string[]> ReadOneFrameAsync(PipeReader reader, CancellationToken ct)
    {
        while (true)
        {
            var result = await reader.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (IbFrameCodec.TryReadFrame(ref buffer, IbWire.MaxFrameLength, out var fields))
            {
                reader.AdvanceTo(buffer.Start);
                return fields;
            }

            if (result.IsCompleted)
            {
                throw new IOException("The server closed the connection during the TWS API start-up.");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private async Task RunReadLoopAsync(PipeReader reader, TimeProvider time)
    {
        Exception? cause = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_stop.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (IbFrameCodec.TryReadFrame(ref buffer, IbWire.MaxFrameLength, out var fields))
                {
                    LastReceiveTimestamp = time.GetTimestamp();
                    _onMessage(IbDecoder.Decode(fields));
                }

                if (result.IsCompleted)
                {
                    cause = new IOException("The server closed the TWS API connection.");
                    Log.PeerClosed(_logger);
                    break;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (IbProtocolException ex)
        {
            cause = ex;
            Log.MalformedFrame(_logger, ex.Message, ex);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            cause = ex;
            Log.ReadFailed(_logger, ex.Message, ex);
        }
#pragma warning disable CA1031 // A handler bug must end this session with a logged cause, never the process.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            cause = ex;
            Log.HandlerFailed(_logger, ex);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            await CloseAsync(cause).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for a pacing slot, then writes one frame.</summary>
    /// <exception cref="IOException">The session has ended or the write failed.</exception>
    public Task SendAsync(string[] fields, CancellationToken cancellationToken) =>
        WriteFrameAsync(fields, paced: true, cancellationToken);

    private async Task WriteFrameAsync(string[] fields, bool paced, CancellationToken ct)
    {
        if (_closed.Task.IsCompleted)
        {
            throw new IOException("The TWS API connection is closed.");
        }

        var frame = IbFrameCodec.BuildFrame(fields);
        if (paced)
        {
            await _pacer.WaitAsync(ct).ConfigureAwait(false);
        }

        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _stream!.WriteAsync(frame, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            throw new IOException("Writing to the TWS API connection failed.", ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Closes the session with <paramref name="cause"/> as the reason reported by <see cref="Closed"/>.</summary>
    public ValueTask CloseAsync(Exception? cause)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return ValueTask.CompletedTask;
        }

        _stop.Cancel();
        _tcp.Dispose();
        _closed.TrySetResult(cause);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => CloseAsync(null);

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 4101,
            EventName = "IbkrPeerClosed",
            Level = LogLevel.Warning,
            Message = "TWS or IB Gateway closed the API connection")]
        public static partial void PeerClosed(ILogger logger);

        [LoggerMessage(
            EventId = 4102,
            EventName = "IbkrMalformedFrame",
            Level = LogLevel.Error,
            Message = "Closing the TWS API connection because a malformed frame arrived: {Reason}")]
        public static partial void MalformedFrame(ILogger logger, string reason, Exception exception);

        [LoggerMessage(
            EventId = 4103,
            EventName = "IbkrReadFailed",
            Level = LogLevel.Warning,
            Message = "Reading from the TWS API connection failed: {Reason}")]
        public static partial void ReadFailed(ILogger logger, string reason, Exception exception);

        [LoggerMessage(
            EventId = 4104,
            EventName = "IbkrHandlerFailed",
            Level = LogLevel.Error,
            Message = "Closing the TWS API connection because handling a message failed")]
        public static partial void HandlerFailed(ILogger logger, Exception exception);
    }
}

/// <summary>The server answered error 326: another session uses the same client id.</summary>
public sealed class IbClientIdInUseException : Exception
{
    public IbClientIdInUseException()
        : base("The TWS API client id is already in use.")
    {
    }

    public IbClientIdInUseException(string message)
        : base(message)
    {
    }

    public IbClientIdInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public IbClientIdInUseException(int clientId, string serverText)
        : base($"TWS rejected client id {clientId} because it is already in use (error 326: {serverText}).")
    {
        ClientId = clientId;
    }

    public int ClientId { get; }
}
