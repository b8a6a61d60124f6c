using System.Net;
using System.Net.Sockets;
using Breakwater.Domain.Brokers;

namespace Breakwater.Health.Tests.Support;

/// <summary>
/// A broker whose only working member is <see cref="PingAsync"/>: one byte sent to a loopback echo server and read
/// back. Stopping the server makes the heartbeat fail as a lost broker connection would.
/// </summary>
internal sealed class LoopbackHeartbeatBroker : IBroker, IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serverLoop;

    public LoopbackHeartbeatBroker()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _serverLoop = ServeAsync();
    }

    public int Port { get; }

    public async Task StopServerAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _serverLoop;
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(new byte[] { 42 }, cancellationToken);
        var buffer = new byte[1];
        if (await stream.ReadAsync(buffer, cancellationToken) != 1 || buffer[0] != 42)
        {
            throw new IOException("The heartbeat echo did not come back.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopServerAsync();
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var connection = await _listener.AcceptTcpClientAsync(_stop.Token);
            var stream = connection.GetStream();
            var buffer = new byte[1];
            if (await stream.ReadAsync(buffer, _stop.Token) == 1)
            {
                await stream.WriteAsync(buffer, _stop.Token);
            }
        }
    }

    public Task<BrokerAck> PlaceOrderAsync(BrokerOrder order, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task CancelOrderAsync(BrokerOrderReference order, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<IReadOnlyList<BrokerOrderState>> GetOpenOrdersAsync(OpenOrderScope scope, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<BrokerOrderState?> FindOrderAsync(string clientOrderId, CancellationToken cancellationToken) =>
        throw new NotSupportedException();
}
