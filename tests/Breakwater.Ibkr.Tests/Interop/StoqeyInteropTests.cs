using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Emulator = Breakwater.IbGatewayEmulator.IbGatewayEmulator;
using Breakwater.IbGatewayEmulator;
using Breakwater.Ibkr.Client;
using Breakwater.Ibkr.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Breakwater.Ibkr.Tests.Interop;

/// <summary>
/// Cross-checks the emulator and Breakwater's client against @stoqey/ib 1.6.10, a TypeScript port of IBKR's client
/// that nobody here wrote. Both clients run the same requests at server version 176 against one emulator, which
/// records every inbound frame; the frames must match field for field.
/// </summary>
public sealed class StoqeyInteropTests
{
    private const int StoqeyClientId = 5;
    private const int BreakwaterClientId = 6;

    /// <summary>
    /// Fields allowed to differ between the two clients, as (message id, 0-based field index): the client id in
    /// startApi and the order id in placeOrder and cancelOrder, because each client uses its own.
    /// </summary>
    private static readonly HashSet<(string MessageId, int Index)> IgnoredFields =
    [
        (IbOutgoing.StartApi.ToString(), 2),
        (IbOutgoing.PlaceOrder.ToString(), 1),
        (IbOutgoing.CancelOrder.ToString(), 2),
    ];

    [InteropFact]
    public async Task StoqeyClient_FullSession_SeesEmulatorAnswers()
    {
        await using var emulator = await StartEmulatorAsync();

        using var report = await RunStoqeyAsync(emulator.Port);

        var root = report.RootElement;
        Assert.True(root.GetProperty("ok").GetBoolean(), root.ToString());
        Assert.Equal(1, root.GetProperty("nextValidId").GetInt32());
        var marketId = root.GetProperty("marketId").GetInt32().ToString();
        var limitId = root.GetProperty("limitId").GetInt32().ToString();
        var statuses = root.GetProperty("statuses");
        Assert.Equal("Filled", statuses.GetProperty(marketId).EnumerateArray().Last().GetString());
        Assert.Equal("Submitted", statuses.GetProperty(limitId).EnumerateArray().First().GetString());
        Assert.Equal("Cancelled", statuses.GetProperty(limitId).EnumerateArray().Last().GetString());
        var openOrder = Assert.Single(root.GetProperty("openOrders").EnumerateArray());
        Assert.Equal("interop-limit", openOrder.GetProperty("orderRef").GetString());
        Assert.Equal("Submitted", openOrder.GetProperty("status").GetString());
        Assert.Contains(root.GetProperty("errors").EnumerateArray(), e => e.GetProperty("code").GetInt32() == 202);
        Assert.Equal(emulator.GetPrice("AAPL") - 0.01m, root.GetProperty("quote").GetProperty("bid").GetDecimal());
        Assert.Equal(emulator.GetPrice("AAPL") + 0.01m, root.GetProperty("quote").GetProperty("ask").GetDecimal());
        Assert.Equal(1, root.GetProperty("executions").GetInt32());
        Assert.Equal(1, root.GetProperty("positions").GetInt32());
    }

    [InteropFact]
    public async Task BreakwaterClient_SameRequests_WritesStoqeyFrames()
    {
        await using var emulator = await StartEmulatorAsync();
        using (var report = await RunStoqeyAsync(emulator.Port))
        {
            Assert.True(report.RootElement.GetProperty("ok").GetBoolean(), report.RootElement.ToString());
        }

        await RunBreakwaterAsync(emulator.Port);

        var frames = emulator.InboundFrames;
        var stoqey = frames.Where(f => f.ConnectionNumber == 1).Select(f => f.Fields).ToList();
        var breakwater = frames.Where(f => f.ConnectionNumber == 2).Select(f => f.Fields).ToList();
        var differences = Compare(stoqey, breakwater);
        Assert.True(differences.Length == 0, differences);
        Assert.Equal(12, breakwater.Count);
        Assert.Equal(115, breakwater.First(f => f[0] == "3").Count);
    }

    private static async Task<Emulator> StartEmulatorAsync()
    {
        var options = new IbGatewayEmulatorOptions { RecordInboundFrames = true, QuoteInterval = TimeSpan.Zero };
        var emulator = new Emulator(options);
        await emulator.StartAsync(CancellationToken.None);
        return emulator;
    }

    private static async Task<JsonDocument> RunStoqeyAsync(int port)
    {
        var start = new ProcessStartInfo("node", ["drive.js", port.ToString(), StoqeyClientId.ToString()])
        {
            WorkingDirectory = InteropPaths.Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var text = (await output).Trim();
        Assert.False(string.IsNullOrEmpty(text), "drive.js printed nothing; stderr: " + await errors);
        return JsonDocument.Parse(text.Split('\n')[^1]);
    }

    /// <summary>Sends the requests drive.js sends, in the same order, through Breakwater's client.</summary>
    private static async Task RunBreakwaterAsync(int port)
    {
        var inbox = Channel.CreateUnbounded<IbMessage>();
        var time = TimeProvider.System;
        await using var connection = await IbConnection.ConnectAsync(
            "127.0.0.1", port, BreakwaterClientId, m => inbox.Writer.TryWrite(m),
            new IbPacer(time, new IbPacerOptions()), time, TimeSpan.FromSeconds(10), NullLogger.Instance,
            CancellationToken.None);
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;
        var marketId = connection.NextValidId;
        var limitId = marketId + 1;

        await connection.SendAsync(IbRequests.ReqCurrentTime(), ct);
        await WaitAsync<IbCurrentTime>(inbox, _ => true, ct);
        await connection.SendAsync(
            IbRequests.PlaceOrder(new IbStockOrder(marketId, "AAPL", "BUY", 10, "MKT", null, "DAY", "", "interop-market")), ct);
        await WaitAsync<IbOrderStatus>(inbox, s => s.OrderId == marketId && s.Status == "Filled", ct);
        await connection.SendAsync(
            IbRequests.PlaceOrder(new IbStockOrder(limitId, "AAPL", "BUY", 5, "LMT", 50.25m, "DAY", "", "interop-limit")), ct);
        await WaitAsync<IbOrderStatus>(inbox, s => s.OrderId == limitId, ct);
        await connection.SendAsync(IbRequests.ReqOpenOrders(), ct);
        await WaitAsync<IbOpenOrderEnd>(inbox, _ => true, ct);
        await connection.SendAsync(IbRequests.CancelOrder(limitId), ct);
        await WaitAsync<IbOrderStatus>(inbox, s => s.OrderId == limitId && s.Status == "Cancelled", ct);
        await connection.SendAsync(IbRequests.ReqAllOpenOrders(), ct);
        await WaitAsync<IbOpenOrderEnd>(inbox, _ => true, ct);
        await connection.SendAsync(IbRequests.ReqMktData(7001, "AAPL", snapshot: true), ct);
        await WaitAsync<IbTickSnapshotEnd>(inbox, e => e.RequestId == 7001, ct);
        await connection.SendAsync(IbRequests.ReqExecutions(7002), ct);
        await WaitAsync<IbExecDetailsEnd>(inbox, e => e.RequestId == 7002, ct);
        await connection.SendAsync(IbRequests.ReqPositions(), ct);
        await WaitAsync<IbPositionEnd>(inbox, _ => true, ct);
        await connection.SendAsync(IbRequests.ReqGlobalCancel(), ct);
        await connection.SendAsync(IbRequests.ReqCurrentTime(), ct);
        await WaitAsync<IbCurrentTime>(inbox, _ => true, ct);
    }

    private static async Task<T> WaitAsync<T>(Channel<IbMessage> inbox, Func<T, bool> match, CancellationToken ct)
        where T : IbMessage
    {
        while (true)
        {
            if (await inbox.Reader.ReadAsync(ct) is T message && match(message))
            {
                return message;
            }
        }
    }

    /// <summary>Returns a readable list of every frame and field that differs, or an empty string.</summary>
    private static string Compare(List<IReadOnlyList<string>> expected, List<IReadOnlyList<string>> actual)
    {
        var report = new StringBuilder();
        if (expected.Count != actual.Count)
        {
            report.AppendLine($"@stoqey/ib sent {expected.Count} frames, Breakwater sent {actual.Count}.");
            report.AppendLine("  @stoqey/ib: " + string.Join(" ", expected.Select(f => f[0])));
            report.AppendLine("  Breakwater: " + string.Join(" ", actual.Select(f => f[0])));
        }

        for (var i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            var (want, got) = (expected[i], actual[i]);
            if (want.Count != got.Count)
            {
                report.AppendLine($"frame {i} (message {want[0]}): @stoqey/ib {want.Count} fields, Breakwater {got.Count}.");
            }

            for (var j = 0; j < Math.Min(want.Count, got.Count); j++)
            {
                if (want[j] != got[j] && !IgnoredFields.Contains((want[0], j)))
                {
                    report.AppendLine(
                        $"frame {i} (message {want[0]}) field {j + 1}: @stoqey/ib '{want[j]}', Breakwater '{got[j]}'.");
                }
            }
        }

        return report.ToString();
    }
}
