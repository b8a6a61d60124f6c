using System.Net.Sockets;
using System.Threading.Channels;
using Breakwater.IbGatewayEmulator;
using Breakwater.Ibkr.Client;
using Breakwater.Ibkr.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Emulator = Breakwater.IbGatewayEmulator.IbGatewayEmulator;

namespace Breakwater.Ibkr.Tests.GatewayEmulator;

/// <summary>The emulator's protocol behaviour, driven through Breakwater's low-level connection.</summary>
public sealed class IbGatewayEmulatorTests
{
    private static async Task<(Emulator Emulator, IbConnection Connection, Channel<IbMessage> Inbox)> StartAsync(
        int clientId = 3, Action<IbGatewayEmulatorOptions>? configure = null)
    {
        var options = new IbGatewayEmulatorOptions { QuoteInterval = TimeSpan.Zero, FirstOrderId = 530 };
        configure?.Invoke(options);
        var emulator = new Emulator(options);
        await emulator.StartAsync(CancellationToken.None);
        var (connection, inbox) = await ConnectAsync(emulator, clientId);
        return (emulator, connection, inbox);
    }

    private static async Task<(IbConnection, Channel<IbMessage>)> ConnectAsync(Emulator emulator, int clientId)
    {
        var inbox = Channel.CreateUnbounded<IbMessage>();
        var connection = await IbConnection.ConnectAsync(
            "127.0.0.1", emulator.Port, clientId, m => inbox.Writer.TryWrite(m),
            new IbPacer(TimeProvider.System, new IbPacerOptions()), TimeProvider.System, TimeSpan.FromSeconds(5),
            NullLogger.Instance, CancellationToken.None);
        return (connection, inbox);
    }

    private static async Task<T> NextAsync<T>(Channel<IbMessage> inbox, Func<T, bool>? match = null)
        where T : IbMessage
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (true)
        {
            if (await inbox.Reader.ReadAsync(timeout.Token) is T message && (match?.Invoke(message) ?? true))
            {
                return message;
            }
        }
    }

    private static IbStockOrder Order(int id, string type = "LMT", decimal? price = 10m) =>
        new(id, "AAPL", "BUY", 1, type, price, "DAY", "", "e-" + id);

    [Fact]
    public async Task Handshake_Client176_AnswersVersionAndStartup()
    {
        var (emulator, connection, _) = await StartAsync();
        await using var _e = emulator;
        await using var _c = connection;

        Assert.Equal(176, connection.ServerVersion);
        Assert.Equal(530, connection.NextValidId);
        Assert.Equal(["DU1234567"], connection.Accounts);
    }

    [Fact]
    public async Task PlaceOrder_ReusedId_Answers103()
    {
        var (emulator, connection, inbox) = await StartAsync();
        await using var _e = emulator;
        await using var _c = connection;

        await connection.SendAsync(IbRequests.PlaceOrder(Order(530)), CancellationToken.None);
        await NextAsync<IbOrderStatus>(inbox);
        await connection.SendAsync(IbRequests.PlaceOrder(Order(529)), CancellationToken.None);
        var error = await NextAsync<IbError>(inbox, e => e.Id == 529);

        Assert.Equal(103, error.Code);
        Assert.Null(emulator.GetOrderStatus(529));
    }

    [Fact]
    public async Task PlaceOrder_SameIdWhileOpen_Modifies()
    {
        var (emulator, connection, inbox) = await StartAsync();
        await using var _e = emulator;
        await using var _c = connection;

        await connection.SendAsync(IbRequests.PlaceOrder(Order(530, price: 10m)), CancellationToken.None);
        await NextAsync<IbOrderStatus>(inbox);
        await connection.SendAsync(IbRequests.PlaceOrder(Order(530, price: 11m)), CancellationToken.None);
        var modified = await NextAsync<IbOpenOrder>(inbox, o => o.LimitPrice == 11m);

        Assert.Equal(530, modified.OrderId);
        Assert.Equal("Submitted", emulator.GetOrderStatus(530));
    }

    [Fact]
    public async Task CancelOrder_FilledOrder_Answers10148()
    {
        var (emulator, connection, inbox) = await StartAsync();
        await using var _e = emulator;
        await using var _c = connection;
        await connection.SendAsync(IbRequests.PlaceOrder(Order(530)), CancellationToken.None);
        await NextAsync<IbOrderStatus>(inbox);
        emulator.SetPrice("AAPL", 100m);

        emulator.FillOrder(530);
        await NextAsync<IbOrderStatus>(inbox, s => s.Status == "Filled");
        await connection.SendAsync(IbRequests.CancelOrder(530), CancellationToken.None);
        var error = await NextAsync<IbError>(inbox, e => e.Id == 530);

        Assert.Equal(10148, error.Code);
        Assert.EndsWith("state: Filled.", error.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartApi_ClientIdInUse_Answers326AndCloses()
    {
        var (emulator, connection, _) = await StartAsync(clientId: 4);
        await using var _e = emulator;
        await using var _c = connection;

        var error = await Assert.ThrowsAsync<IbClientIdInUseException>(() => ConnectAsync(emulator, 4));

        Assert.Equal(4, error.ClientId);
        Assert.Contains("326", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefuseConnections_On_RejectsTcpConnect()
    {
        var (emulator, connection, _) = await StartAsync();
        await using var _e = emulator;
        await using var _c = connection;

        emulator.RefuseConnections(true);
        using var probe = new TcpClient();
        var refused = await Assert.ThrowsAsync<SocketException>(() => probe.ConnectAsync("127.0.0.1", emulator.Port));
        emulator.RefuseConnections(false);
        var (again, _) = await ConnectAsync(emulator, 9);
        await using var _a = again;

        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.Equal(176, again.ServerVersion);
    }

    [Fact]
    public async Task Restart_KeepsBookAndOrderIds()
    {
        var (emulator, connection, inbox) = await StartAsync();
        await using var _e = emulator;
        await connection.SendAsync(IbRequests.PlaceOrder(Order(530)), CancellationToken.None);
        await NextAsync<IbOrderStatus>(inbox);

        await emulator.RestartAsync(TimeSpan.Zero, CancellationToken.None);
        var cause = await connection.Closed.WaitAsync(TimeSpan.FromSeconds(5));
        var (after, afterInbox) = await ConnectAsync(emulator, 3);
        await using var _a = after;
        await after.SendAsync(IbRequests.ReqOpenOrders(), CancellationToken.None);
        var open = await NextAsync<IbOpenOrder>(afterInbox);

        Assert.NotNull(cause);
        Assert.Equal(531, after.NextValidId);
        Assert.Equal(530, open.OrderId);
    }

    [Fact]
    public async Task Console_FillCommand_FillsRestingOrder()
    {
        var (emulator, connection, inbox) = await StartAsync();
        await using var _e = emulator;
        await using var _c = connection;
        await connection.SendAsync(IbRequests.PlaceOrder(Order(530)), CancellationToken.None);
        await NextAsync<IbOrderStatus>(inbox);

        var reply = await EmulatorConsole.ExecuteAsync(emulator, "fill 530 9.5");
        var execution = await NextAsync<IbExecution>(inbox);
        var unknown = await EmulatorConsole.ExecuteAsync(emulator, "fill 999");

        Assert.Equal("filled 530", reply);
        Assert.Equal(9.5m, execution.Price);
        Assert.StartsWith("error: Order 999", unknown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Walk_CrossesRestingLimit_FillsIt()
    {
        var (emulator, connection, inbox) = await StartAsync();
        await using var _e = emulator;
        await using var _c = connection;
        await connection.SendAsync(IbRequests.PlaceOrder(Order(530, price: 99m)), CancellationToken.None);
        await NextAsync<IbOrderStatus>(inbox);

        emulator.SetPrice("AAPL", 98.9m);
        var filled = await NextAsync<IbOrderStatus>(inbox, s => s.Status == "Filled");

        Assert.Equal(99m, filled.AverageFillPrice);
    }

    [Fact]
    public async Task SetAnswerDelay_FakeClock_HoldsReplyUntilAdvanced()
    {
        var time = new WatchedClock();
        await using var emulator = new Emulator(new IbGatewayEmulatorOptions { QuoteInterval = TimeSpan.Zero }, time);
        await emulator.StartAsync(CancellationToken.None);
        var (connection, inbox) = await ConnectAsync(emulator, 3);
        await using var _c = connection;

        emulator.SetAnswerDelay(TimeSpan.FromSeconds(5));
        await connection.SendAsync(IbRequests.ReqCurrentTime(), CancellationToken.None);
        await time.WaitForTimersAsync(TimeSpan.FromSeconds(5), 1);
        var early = false;
        while (inbox.Reader.TryRead(out var message))
        {
            early |= message is IbCurrentTime;
        }

        time.Advance(TimeSpan.FromSeconds(5));
        var reply = await NextAsync<IbCurrentTime>(inbox);

        Assert.False(early);
        Assert.Equal(time.GetUtcNow().ToUnixTimeSeconds(), reply.UnixSeconds);
    }

    [Fact]
    public async Task ClientIdHoldAfterDrop_QuickReconnect_Answers326UntilExpiry()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var options = new IbGatewayEmulatorOptions
        {
            QuoteInterval = TimeSpan.Zero,
            ClientIdHoldAfterDrop = TimeSpan.FromSeconds(5),
        };
        await using var emulator = new Emulator(options, time);
        await emulator.StartAsync(CancellationToken.None);
        var (first, _) = await ConnectAsync(emulator, 3);
        await using var _f = first;

        emulator.DropConnections();
        await first.Closed.WaitAsync(TimeSpan.FromSeconds(5));
        for (var i = 0; i < 100 && emulator.ConnectedClients > 0; i++)
        {
            await Task.Delay(10);
        }

        var held = await Assert.ThrowsAsync<IbClientIdInUseException>(() => ConnectAsync(emulator, 3));
        time.Advance(TimeSpan.FromSeconds(5));
        var (second, _) = await ConnectAsync(emulator, 3);
        await using var _s = second;

        Assert.Equal(3, held.ClientId);
        Assert.Equal(176, second.ServerVersion);
    }
}
