using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Breakwater.Ibkr.Protocol;
using Microsoft.Extensions.Logging;

namespace Breakwater.IbGatewayEmulator;

/// <summary>
/// One client connection to the emulator: the handshake, startApi, then one request at a time. Outgoing frames go
/// through a queue with a single writer, so messages reach the client in the order they were sent.
/// </summary>
internal sealed partial class EmulatorSession
{
    private readonly IbGatewayEmulator _emulator;
    private readonly TcpClient _tcp;
    private readonly int _number;
    private readonly Channel<byte[]> _outbox =
        Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<int, string> _subscriptions = [];
    private readonly CancellationTokenSource _abort = new();
    private volatile bool _cleanClose;

    public EmulatorSession(IbGatewayEmulator emulator, TcpClient tcp, int number)
    {
        _emulator = emulator;
        _tcp = tcp;
        _number = number;
    }

    public int? ClientId { get; set; }

    public IReadOnlyList<(int RequestId, string Symbol)> Subscriptions
    {
        get
        {
            lock (_subscriptions)
            {
                return [.. _subscriptions.Select(s => (s.Key, s.Value))];
            }
        }
    }

    public void Subscribe(int requestId, string symbol)
    {
        lock (_subscriptions)
        {
            _subscriptions[requestId] = symbol;
        }
    }

    public void Send(string[] fields) => _outbox.Writer.TryWrite(IbFrameCodec.BuildFrame(fields));

    public void Send(IEnumerable<string[]> messages)
    {
        foreach (var fields in messages)
        {
            Send(fields);
        }
    }

    /// <summary>Closes the socket at once with a reset, as a crashed gateway process would.</summary>
    public void Abort()
    {
        try
        {
            if (_tcp.Client is { } socket)
            {
                socket.LingerState = new LingerOption(true, 0);
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
            // Already closed: nothing left to reset.
        }

        _abort.Cancel();
        _tcp.Dispose();
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _abort.Token);
        var ct = linked.Token;
        var stream = _tcp.GetStream();
        var writer = WriteLoopAsync(stream, ct);
        var reader = PipeReader.Create(stream);
        try
        {
            if (!await HandshakeAsync(reader, ct).ConfigureAwait(false))
            {
                return;
            }

            while (!ct.IsCancellationRequested)
            {
                var result = await reader.ReadAsync(ct).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (IbFrameCodec.TryReadFrame(ref buffer, IbWire.MaxFrameLength, out var fields))
                {
                    if (!await HandleAsync(fields, ct).ConfigureAwait(false))
                    {
                        return;
                    }
                }

                if (result.IsCompleted)
                {
                    _cleanClose = true;
                    return;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException
            or ObjectDisposedException or IbProtocolException or FormatException or IndexOutOfRangeException
            or OverflowException)
        {
            Log.SessionEnded(_emulator.Logger, _number, ex.Message);
        }
        finally
        {
            _outbox.Writer.TryComplete();
            await writer.ConfigureAwait(false);
            _tcp.Dispose();
            _emulator.OnSessionEnded(this, _cleanClose);
        }
    }

    private async Task<bool> HandshakeAsync(PipeReader reader, CancellationToken ct)
    {
        while (true)
        {
            var result = await reader.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= 8)
            {
                var head = buffer.Slice(0, 8).ToArray();
                if (!head.AsSpan(0, 4).SequenceEqual(IbWire.HandshakePrefix))
                {
                    throw new IbProtocolException("The client did not open with the API prefix.");
                }

                var length = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(4));
                if (length is <= 0 or > 1024)
                {
                    throw new IbProtocolException($"The client's version string length {length} is out of range.");
                }

                if (buffer.Length >= 8 + length)
                {
                    var text = Encoding.ASCII.GetString(buffer.Slice(8, length).ToArray());
                    reader.AdvanceTo(buffer.GetPosition(8 + length));
                    var version = Negotiate(text);
                    if (version < IbWire.MinServerVersion)
                    {
                        return false;
                    }

                    var now = _emulator.Time.GetUtcNow();
                    var connectionTime = now.ToString("yyyyMMdd HH:mm:ss", CultureInfo.InvariantCulture) + " GMT";
                    Send([version.ToString(CultureInfo.InvariantCulture), connectionTime]);
                    return true;
                }
            }

            if (result.IsCompleted)
            {
                return false;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Picks min(client maximum, 176) from "v{min}..{max}" (or "v{n}"), as a real gateway does.</summary>
    private static int Negotiate(string text)
    {
        var range = text.Split(' ')[0].TrimStart('v');
        var parts = range.Split("..");
        var max = int.Parse(parts[^1], CultureInfo.InvariantCulture);
        var min = int.Parse(parts[0], CultureInfo.InvariantCulture);
        var chosen = Math.Min(max, IbWire.ServerVersion);
        return chosen < min ? -1 : chosen;
    }

    private async Task<bool> HandleAsync(string[] fields, CancellationToken ct)
    {
        var id = int.Parse(fields[0], CultureInfo.InvariantCulture);
        _emulator.Record(_number, ClientId ?? -1, fields);
        if (id == IbOutgoing.StartApi)
        {
            var clientId = int.Parse(fields[2], CultureInfo.InvariantCulture);
            if (!_emulator.TryClaimClientId(this, clientId))
            {
                Send(EmulatorMessages.Error(
                    -1, 326, "Unable to connect as the client id is already in use. Retry with a unique client id."));
                _outbox.Writer.TryComplete();
                return false;
            }

            Send(EmulatorMessages.ManagedAccounts(_emulator.Account));
            Send(EmulatorMessages.NextValidId(_emulator.CurrentNextValidId));
            Send(EmulatorMessages.Error(-1, 2104, "Market data farm connection is OK:usfarm"));
            Send(EmulatorMessages.Error(-1, 2106, "HMDS data farm connection is OK:ushmds"));
            Send(EmulatorMessages.Error(-1, 2158, "Sec-def data farm connection is OK:secdefil"));
            return true;
        }

        if (ClientId is null || _emulator.IsSilent)
        {
            return true;
        }

        var delay = _emulator.AnswerDelay;
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _emulator.Time, ct).ConfigureAwait(false);
        }

        switch (id)
        {
            case IbOutgoing.PlaceOrder:
                _emulator.HandlePlaceOrder(this, fields);
                break;
            case IbOutgoing.CancelOrder:
                _emulator.HandleCancelOrder(this, fields);
                break;
            case IbOutgoing.ReqOpenOrders:
                _emulator.HandleOpenOrders(this, allClients: false);
                break;
            case IbOutgoing.ReqAllOpenOrders:
                _emulator.HandleOpenOrders(this, allClients: true);
                break;
            case IbOutgoing.ReqExecutions:
                _emulator.HandleExecutions(this, fields);
                break;
            case IbOutgoing.ReqIds:
                Send(EmulatorMessages.NextValidId(_emulator.CurrentNextValidId));
                break;
            case IbOutgoing.ReqCurrentTime:
                Send(EmulatorMessages.CurrentTime(_emulator.Time.GetUtcNow().ToUnixTimeSeconds()));
                break;
            case IbOutgoing.ReqGlobalCancel:
                _emulator.HandleGlobalCancel();
                break;
            case IbOutgoing.ReqPositions:
                _emulator.HandlePositions(this);
                break;
            case IbOutgoing.ReqMktData:
                _emulator.HandleMarketData(this, fields);
                break;
            case IbOutgoing.CancelMktData:
                lock (_subscriptions)
                {
                    _subscriptions.Remove(int.Parse(fields[2], CultureInfo.InvariantCulture));
                }

                break;
        }

        return true;
    }

    private async Task WriteLoopAsync(NetworkStream stream, CancellationToken ct)
    {
        try
        {
            await foreach (var frame in _outbox.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                await stream.WriteAsync(frame, ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
            when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            Log.WriteStopped(_emulator.Logger, _number, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 4811,
            EventName = "EmulatorSessionEnded",
            Level = LogLevel.Information,
            Message = "Emulator connection {Number} ended: {Reason}")]
        public static partial void SessionEnded(ILogger logger, int number, string reason);

        [LoggerMessage(
            EventId = 4812,
            EventName = "EmulatorWriteStopped",
            Level = LogLevel.Debug,
            Message = "Emulator connection {Number} stopped writing: {Reason}")]
        public static partial void WriteStopped(ILogger logger, int number, string reason);
    }
}
