using Breakwater.Ibkr.Client;
using Breakwater.Ibkr.Protocol;
using Breakwater.Ibkr.Supervision;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Breakwater.Ibkr.Tests.Supervision;

/// <summary>
/// The supervisor against the emulator. The supervisor's clock is a <see cref="FakeTimeProvider"/>, so heartbeats,
/// backoff and the 326 wait move only when the test advances it; socket I/O still takes real (short) time.
/// </summary>
public sealed class IbkrConnectionSupervisorTests
{
    private static WatchedClock NewClock() => new(new DateTimeOffset(2026, 12, 4, 15, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Heartbeat_SilentGateway_DisconnectsAfterTimeout()
    {
        var time = NewClock();
        await using var h = await AdapterHarness.StartAsync(time, o =>
        {
            o.HeartbeatInterval = TimeSpan.FromSeconds(30);
            o.HeartbeatTimeout = TimeSpan.FromSeconds(10);
        });
        h.Emulator.SetSilent(true);

        await time.WaitForTimersAsync(TimeSpan.FromSeconds(30), 1);
        time.Advance(TimeSpan.FromSeconds(30));
        await time.WaitForTimersAsync(TimeSpan.FromSeconds(10), 1);
        time.Advance(TimeSpan.FromSeconds(9));
        var beforeTimeout = h.Supervisor.State.Status;
        await h.WaitUntilAsync(
            () => h.Supervisor.State.Status == IbkrConnectionStatus.Disconnected, "silent session closed",
            () => time.Advance(TimeSpan.FromMilliseconds(100)));

        Assert.Equal(IbkrConnectionStatus.Connected, beforeTimeout);
        Assert.Contains("heartbeat", h.Supervisor.State.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Heartbeat_AnsweringGateway_StaysConnected()
    {
        var time = NewClock();
        await using var h = await AdapterHarness.StartAsync(time, o =>
        {
            o.HeartbeatInterval = TimeSpan.FromSeconds(30);
            o.HeartbeatTimeout = TimeSpan.FromSeconds(10);
        });
        var connection = h.Supervisor.Current!;

        for (var i = 0; i < 3; i++)
        {
            await time.WaitForTimersAsync(TimeSpan.FromSeconds(30), i + 1);
            time.Advance(TimeSpan.FromSeconds(30));
            var probeSent = time.GetTimestamp();
            await time.WaitForTimersAsync(TimeSpan.FromSeconds(10), i + 1);
            await h.WaitUntilAsync(() => connection.LastReceiveTimestamp >= probeSent, $"answer to probe {i + 1}");
            time.Advance(TimeSpan.FromSeconds(10));
        }

        // The loop arms the next interval only when the session survived the check.
        await time.WaitForTimersAsync(TimeSpan.FromSeconds(30), 4);
        Assert.Equal(IbkrConnectionStatus.Connected, h.Supervisor.State.Status);
        Assert.Same(connection, h.Supervisor.Current);
    }

    [Fact]
    public async Task Connect_ClientIdInUse_WaitsConfiguredDelay()
    {
        var time = NewClock();
        await using var h = await AdapterHarness.StartAsync(
            time, o => o.ClientIdInUseDelay = TimeSpan.FromSeconds(30), connect: false);
        await using var holder = await IbConnection.ConnectAsync(
            "127.0.0.1", h.Emulator.Port, 7, _ => { }, new IbPacer(TimeProvider.System, new IbPacerOptions()),
            TimeProvider.System, TimeSpan.FromSeconds(5), NullLogger.Instance, CancellationToken.None);

        await h.Supervisor.StartAsync(CancellationToken.None);
        await h.WaitUntilAsync(() => h.Supervisor.State.ConsecutiveFailures == 1, "first 326");
        var firstError = h.Supervisor.State.LastError;
        await time.WaitForTimersAsync(TimeSpan.FromSeconds(30), 1);
        time.Advance(TimeSpan.FromSeconds(29));
        var beforeDelay = h.Supervisor.State.ConsecutiveFailures;
        await holder.DisposeAsync();
        await h.WaitUntilAsync(() => h.Emulator.ConnectedClients == 0, "holder gone");
        time.Advance(TimeSpan.FromSeconds(1));
        await h.WaitUntilAsync(() => h.Supervisor.State.Status == IbkrConnectionStatus.Connected, "connected after wait");

        Assert.Equal(1, beforeDelay);
        Assert.NotNull(firstError);
        Assert.Contains("326", firstError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_GatewayDown_RetriesWithGrowingBackoff()
    {
        var time = NewClock();
        await using var h = await AdapterHarness.StartAsync(time, o =>
        {
            o.InitialReconnectDelay = TimeSpan.FromSeconds(1);
            o.MaxReconnectDelay = TimeSpan.FromSeconds(4);
            o.ReconnectJitter = 0;
        }, connect: false);
        h.Emulator.RefuseConnections(true);

        await h.Supervisor.StartAsync(CancellationToken.None);
        await h.WaitUntilAsync(() => h.Supervisor.State.ConsecutiveFailures == 1, "first failure");
        await time.WaitForTimersAsync(TimeSpan.FromSeconds(1), 1);
        time.Advance(TimeSpan.FromMilliseconds(999));
        var beforeFirstDelay = h.Supervisor.State.ConsecutiveFailures;
        time.Advance(TimeSpan.FromMilliseconds(1));
        await h.WaitUntilAsync(() => h.Supervisor.State.ConsecutiveFailures == 2, "second failure");
        await time.WaitForTimersAsync(TimeSpan.FromSeconds(2), 1);
        time.Advance(TimeSpan.FromMilliseconds(1999));
        var beforeSecondDelay = h.Supervisor.State.ConsecutiveFailures;
        time.Advance(TimeSpan.FromMilliseconds(1));
        await h.WaitUntilAsync(() => h.Supervisor.State.ConsecutiveFailures == 3, "third failure");
        await time.WaitForTimersAsync(TimeSpan.FromSeconds(4), 1);
        h.Emulator.RefuseConnections(false);
        time.Advance(TimeSpan.FromSeconds(4));
        await h.WaitUntilAsync(() => h.Supervisor.State.Status == IbkrConnectionStatus.Connected, "connected");

        Assert.Equal(1, beforeFirstDelay);
        Assert.Equal(2, beforeSecondDelay);
        Assert.Equal(0, h.Supervisor.State.ConsecutiveFailures);
    }

    [Fact]
    public async Task SystemCodes_LostAndRestored_DriveBrokerAvailability()
    {
        await using var h = await AdapterHarness.StartAsync();

        h.Emulator.SendSystemMessage(1100);
        await h.WaitUntilAsync(() => !h.Supervisor.State.BrokerAvailable, "1100 applied");
        var healthWhileLost = h.Supervisor.GetBrokerHealth();
        h.Emulator.SendSystemMessage(1102);
        await h.WaitUntilAsync(() => h.Supervisor.State.BrokerAvailable, "1102 applied");

        Assert.Equal(IbkrHealth.Unhealthy, healthWhileLost);
        Assert.Equal(IbkrHealth.Healthy, h.Supervisor.GetBrokerHealth());
        Assert.Equal(IbkrConnectionStatus.Connected, h.Supervisor.State.Status);
    }

    [Fact]
    public async Task SystemCodes_DataLost_RequestsResubscribe()
    {
        await using var h = await AdapterHarness.StartAsync(
            configure: o => o.StreamSymbols.Add("AAPL"), configureEmulator: e => e.RecordInboundFrames = true);
        var resubscribes = 0;
        h.Supervisor.MarketDataResubscribeRequired += _ => Interlocked.Increment(ref resubscribes);
        await h.WaitUntilAsync(() => h.Emulator.InboundFrames.Any(f => f.Fields[0] == "1"), "first subscription");
        await Task.Delay(50);
        var subscriptionsBefore = h.Emulator.InboundFrames.Count(f => f.Fields[0] == "1");

        h.Emulator.SendSystemMessage(1100);
        h.Emulator.SendSystemMessage(1101);
        await h.WaitUntilAsync(() => h.Emulator.InboundFrames.Count(f => f.Fields[0] == "1") == 2, "resubscribed");

        Assert.Equal(1, subscriptionsBefore);
        Assert.Equal(1, resubscribes);
        Assert.True(h.Supervisor.State.BrokerAvailable);
    }

    [Fact]
    public async Task FarmCodes_BrokenAndOk_DriveMarketData()
    {
        await using var h = await AdapterHarness.StartAsync();

        h.Emulator.SendSystemMessage(2103);
        await h.WaitUntilAsync(() => !h.Supervisor.State.MarketDataAvailable, "2103 applied");
        var degraded = h.Supervisor.GetMarketDataHealth();
        h.Emulator.SendSystemMessage(2107);
        await Task.Delay(50);
        var afterInformational = h.Supervisor.State.MarketDataAvailable;
        h.Emulator.SendSystemMessage(2104);
        await h.WaitUntilAsync(() => h.Supervisor.State.MarketDataAvailable, "2104 applied");

        Assert.Equal(IbkrHealth.Degraded, degraded);
        Assert.False(afterInformational);
        Assert.True(h.Supervisor.State.BrokerAvailable);
    }

    [Fact]
    public async Task SystemCodes_SocketReset_Reconnects()
    {
        await using var h = await AdapterHarness.StartAsync();
        var states = new List<IbkrConnectionStatus>();
        h.Supervisor.StateChanged += s =>
        {
            lock (states)
            {
                states.Add(s.Status);
            }
        };

        h.Emulator.SendSystemMessage(1300);
        await h.WaitUntilAsync(() =>
        {
            lock (states)
            {
                return states.Contains(IbkrConnectionStatus.Disconnected)
                    && states[^1] == IbkrConnectionStatus.Connected;
            }
        }, "reconnected after 1300");

        Assert.Equal(IbkrConnectionStatus.Connected, h.Supervisor.State.Status);
    }

    [Fact]
    public async Task PacingViolation_SlowsPacer()
    {
        await using var h = await AdapterHarness.StartAsync();

        h.Emulator.SendSystemMessage(100, "Max rate of messages per second has been exceeded");
        await h.WaitUntilAsync(() => h.Pacer.CurrentRate < 50, "pacer slowed");

        Assert.Equal(25, h.Pacer.CurrentRate);
    }

    [Fact]
    public async Task Health_DisconnectedInRestartWindow_DegradedThenUnhealthy()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 4, 50, 0, TimeSpan.Zero)); // 23:50 New York
        await using var h = await AdapterHarness.StartAsync(time, o =>
        {
            o.DailyRestartStart = new TimeOnly(23, 45);
            o.DailyRestartEnd = new TimeOnly(0, 15);
        }, connect: false);
        h.Emulator.RefuseConnections(true);
        await h.Supervisor.StartAsync(CancellationToken.None);
        await h.WaitUntilAsync(() => h.Supervisor.State.ConsecutiveFailures >= 1, "first failure");

        var inWindow = h.Supervisor.GetBrokerHealth();
        time.Advance(TimeSpan.FromMinutes(26)); // 00:16, the window is over and the gateway is still down
        var afterWindow = h.Supervisor.GetBrokerHealth();

        Assert.Equal(IbkrHealth.Degraded, inWindow);
        Assert.Equal(IbkrHealth.Unhealthy, afterWindow);
    }

    [Fact]
    public async Task MalformedFrame_FromServer_ClosesWithProtocolError()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new byte[64];
            _ = await stream.ReadAsync(buffer);
            await stream.WriteAsync(IbFrameCodec.BuildFrame(["176", "20261204 15:00:00 GMT"]));
            _ = await stream.ReadAsync(buffer);
            await stream.WriteAsync(IbFrameCodec.BuildFrame(["15", "1", "DU1"]));
            await stream.WriteAsync(IbFrameCodec.BuildFrame(["9", "1", "1"]));
            await stream.WriteAsync(new byte[] { 0x7F, 0xFF, 0xFF, 0xFF, 1, 2, 3 });
            _ = await stream.ReadAsync(buffer);
        });
        var received = 0;

        await using var connection = await IbConnection.ConnectAsync(
            "127.0.0.1", port, 1, _ => Interlocked.Increment(ref received),
            new IbPacer(TimeProvider.System, new IbPacerOptions()), TimeProvider.System, TimeSpan.FromSeconds(5),
            NullLogger.Instance, CancellationToken.None);
        var cause = await connection.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        await server.WaitAsync(TimeSpan.FromSeconds(10));

        var error = Assert.IsType<IbProtocolException>(cause);
        Assert.Contains("2147483647", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, received);
    }
}
