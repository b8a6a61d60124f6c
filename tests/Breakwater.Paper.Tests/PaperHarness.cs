using Breakwater.Domain.Brokers;
using Breakwater.Domain.MarketData;
using Breakwater.Domain.Orders;
using Breakwater.Paper.Broker;
using Breakwater.Paper.Faults;
using Breakwater.Paper.MarketData;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Breakwater.Paper.Tests;

/// <summary>
/// A paper broker on a real SQLite file in a temporary directory, driven by a FakeTimeProvider.
/// </summary>
internal sealed class PaperHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);

    private static long _nextOrderId;
    private readonly bool _ownsDirectory;

    private PaperHarness(
        PaperBrokerOptions options,
        string directory,
        bool ownsDirectory,
        RecordingSink sink,
        ILogger<PaperBroker>? brokerLogger)
    {
        Options = options;
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        Sink = sink;
        Time = new FakeTimeProvider(Start);
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        Faults = new PaperFaultInjector(wrapped, Time, NullLogger<PaperFaultInjector>.Instance);
        MarketData = new SimulatedMarketData(wrapped, Faults, Time);
        Broker = new PaperBroker(
            wrapped, MarketData, Faults, Sink, Time, brokerLogger ?? NullLogger<PaperBroker>.Instance);
    }

    public PaperBrokerOptions Options { get; }

    public string Directory { get; }

    public FakeTimeProvider Time { get; }

    public RecordingSink Sink { get; }

    public PaperFaultInjector Faults { get; }

    public SimulatedMarketData MarketData { get; }

    public PaperBroker Broker { get; }

    public static PaperHarness Create(
        Action<PaperBrokerOptions>? configure = null,
        bool start = true,
        ILogger<PaperBroker>? brokerLogger = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "breakwater-paper-" + Guid.NewGuid().ToString("N"));
        return Create(directory, ownsDirectory: true, configure, start, brokerLogger);
    }

    /// <summary>Opens a second broker on the same book file, as a restarted process would.</summary>
    public PaperHarness Reopen(Action<PaperBrokerOptions>? configure = null, bool start = true) =>
        Create(Directory, ownsDirectory: false, configure, start);

    public static PaperBrokerOptions CreateOptions(string directory, Action<PaperBrokerOptions>? configure)
    {
        var options = new PaperBrokerOptions
        {
            Seed = 7,
            TickInterval = TimeSpan.FromMilliseconds(100),

            // Every step on a tick keeps the step count of a test plain; tests of match steps set an interval.
            MatchInterval = TimeSpan.Zero,
            DatabasePath = Path.Combine(directory, "paper-broker.db"),
        };
        configure?.Invoke(options);
        return options;
    }

    public void Tick(int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            Time.Advance(Options.TickInterval);
        }
    }

    public Quote Quote(string symbol) => MarketData.GetQuote(symbol);

    public Task<BrokerAck> PlaceAsync(
        string clientOrderId,
        OrderSide side,
        long quantity,
        decimal? limitPrice = null,
        string symbol = "AAPL",
        TimeInForce timeInForce = TimeInForce.Gtc) =>
        Broker.PlaceOrderAsync(
            new BrokerOrder(
                OrderId: Interlocked.Increment(ref _nextOrderId),
                clientOrderId,
                symbol,
                side,
                quantity,
                limitPrice is null ? OrderType.Market : OrderType.Limit,
                limitPrice,
                timeInForce),
            CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Broker.DisposeAsync();
        if (_ownsDirectory)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // A reopened broker of the same test may still hold the file; the temp directory is left behind.
            }
        }
    }

    private static PaperHarness Create(
        string directory,
        bool ownsDirectory,
        Action<PaperBrokerOptions>? configure,
        bool start,
        ILogger<PaperBroker>? brokerLogger = null)
    {
        var harness = new PaperHarness(
            CreateOptions(directory, configure),
            directory,
            ownsDirectory,
            new RecordingSink(),
            brokerLogger);
        if (start)
        {
            harness.Broker.Start();
        }

        return harness;
    }
}
