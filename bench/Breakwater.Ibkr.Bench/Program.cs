using System.Diagnostics;
using System.Globalization;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.Orders;
using Breakwater.IbGatewayEmulator;
using Breakwater.Ibkr;
using Breakwater.Ibkr.Client;
using Breakwater.Ibkr.Supervision;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

// Measures the IBKR round trip through the emulator over loopback: PlaceOrderAsync until the acknowledgement, one
// order at a time, with the pacer at IBKR's 50 messages per second and again with pacing lifted to 1000 to see the
// cost of the client and emulator alone. Usage: dotnet run -c Release --project bench/Breakwater.Ibkr.Bench [orders]
var orders = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 500;
foreach (var rate in new[] { 50.0, 1000.0 })
{
    await using var emulator = new IbGatewayEmulator(new IbGatewayEmulatorOptions { QuoteInterval = TimeSpan.Zero });
    await emulator.StartAsync(CancellationToken.None);
    var options = Options.Create(new IbkrOptions { Port = emulator.Port, ClientId = 1 });
    var pacer = new IbPacer(TimeProvider.System, new IbPacerOptions { MessagesPerSecond = rate });
    await using var supervisor = new IbkrConnectionSupervisor(
        options, pacer, TimeProvider.System, NullLogger<IbkrConnectionSupervisor>.Instance);
    await using var broker = new IbkrBroker(
        supervisor, new DiscardingSink(), new IbOrderIdAllocator(), options, TimeProvider.System,
        NullLogger<IbkrBroker>.Instance);
    await supervisor.StartAsync(CancellationToken.None);
    while (supervisor.State.Status != IbkrConnectionStatus.Connected)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System, CancellationToken.None);
    }

    var samples = new double[orders];
    var total = Stopwatch.StartNew();
    for (var i = 0; i < orders; i++)
    {
        var order = new BrokerOrder(i, $"bench-{i}", "AAPL", OrderSide.Buy, 1, OrderType.Limit, 1m, TimeInForce.Day);
        var start = Stopwatch.GetTimestamp();
        await broker.PlaceOrderAsync(order, CancellationToken.None);
        samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    total.Stop();
    Array.Sort(samples);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"pacer {rate,6:0}/s: {orders} orders in {total.Elapsed.TotalSeconds:0.00} s = "
        + $"{orders / total.Elapsed.TotalSeconds:0.0} orders/s, "
        + $"p50 {samples[orders / 2]:0.00} ms, p99 {samples[(int)(orders * 0.99)]:0.00} ms, max {samples[^1]:0.00} ms"));
}

internal sealed class DiscardingSink : IBrokerUpdateSink
{
    public ValueTask OnOrderUpdateAsync(BrokerOrderUpdate update, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;
}
