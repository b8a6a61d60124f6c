using BenchmarkDotNet.Attributes;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.Orders;
using Breakwater.Paper.Broker;
using Breakwater.Paper.Faults;
using Breakwater.Paper.MarketData;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Breakwater.Paper.Benchmarks;

/// <summary>
/// Costs of the paper broker's calls on a real SQLite book with the system clock and no pacing, which bound how fast
/// a gateway can place or cancel orders against it (for example the 1,000 cancels of a shutdown).
/// </summary>
[MemoryDiagnoser]
public class PaperBrokerBenchmarks
{
    private string _directory = "";
    private PaperBroker? _broker;
    private long _next;
    private string _restingClientOrderId = "";

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "breakwater-paper-bench-" + Guid.NewGuid().ToString("N"));
        var options = Options.Create(new PaperBrokerOptions
        {
            DatabasePath = Path.Combine(_directory, "paper-broker.db"),
            StartingCash = 1_000_000_000_000m,
        });
        var faults = new PaperFaultInjector(options, TimeProvider.System, NullLogger<PaperFaultInjector>.Instance);
        var marketData = new SimulatedMarketData(options, faults, TimeProvider.System);
        _broker = new PaperBroker(
            options,
            marketData,
            faults,
            new DiscardingSink(),
            TimeProvider.System,
            NullLogger<PaperBroker>.Instance);
        _restingClientOrderId = "resting-seed";
        _broker.PlaceOrderAsync(Order(_restingClientOrderId), CancellationToken.None).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _broker!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Places a resting limit order: validation, buying-power check and one SQLite insert.</summary>
    [Benchmark]
    public Task<BrokerAck> PlaceRestingLimitOrder() =>
        _broker!.PlaceOrderAsync(Order($"bench-{Interlocked.Increment(ref _next)}"), CancellationToken.None);

    /// <summary>Places a resting order and accepts its cancel: two SQLite writes.</summary>
    [Benchmark]
    public async Task PlaceAndCancel()
    {
        var clientOrderId = $"cancel-{Interlocked.Increment(ref _next)}";
        var ack = await _broker!.PlaceOrderAsync(Order(clientOrderId), CancellationToken.None);
        await _broker.CancelOrderAsync(
            new BrokerOrderReference(0, clientOrderId, ack.BrokerOrderId),
            CancellationToken.None);
    }

    /// <summary>Looks an order up by client order id, as reconciliation does; served from memory.</summary>
    [Benchmark]
    public Task<BrokerOrderState?> FindOrder() =>
        _broker!.FindOrderAsync(_restingClientOrderId, CancellationToken.None);

    private static BrokerOrder Order(string clientOrderId) =>
        new(0, clientOrderId, "AAPL", OrderSide.Buy, 1, OrderType.Limit, 1m, TimeInForce.Gtc);

    private sealed class DiscardingSink : IBrokerUpdateSink
    {
        public ValueTask OnOrderUpdateAsync(BrokerOrderUpdate update, CancellationToken cancellationToken) =>
            ValueTask.CompletedTask;
    }
}
