using Breakwater.Domain.Brokers;
using Breakwater.Domain.Journal;
using Breakwater.Domain.Lifecycle;
using Breakwater.Domain.MarketData;
using Breakwater.Gateway.Shutdown;
using Breakwater.Tests.Doubles;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Breakwater.Gateway.Tests.Infrastructure;

/// <summary>
/// Starts the gateway in process on a temporary data directory, with the in-memory journal, the scriptable broker and
/// a fixed market data feed in place of the real adapters.
/// </summary>
public sealed class GatewayFactory : WebApplicationFactory<Program>
{
    public const string Token = "test-token-0123456789abcdef";

    private readonly Dictionary<string, string?> _settings;
    private readonly bool _realJournal;

    /// <param name="realJournal">Keep the host's SQLite journal in the data directory instead of the in-memory one.</param>
    public GatewayFactory(Dictionary<string, string?>? settings = null, bool realJournal = false)
    {
        _realJournal = realJournal;
        DataDirectory = Directory.CreateTempSubdirectory("breakwater-gw-").FullName;
        _settings = new Dictionary<string, string?>
        {
            ["Breakwater:DataDirectory"] = DataDirectory,
            ["Breakwater:ApiToken"] = Token,

            // The scriptable broker never confirms a cancel by itself, so a short sweep keeps disposal fast.
            ["Breakwater:Shutdown:CancelTimeout"] = "00:00:00.200",
        };
        foreach (var (key, value) in settings ?? [])
        {
            _settings[key] = value;
        }
    }

    public string DataDirectory { get; }

    /// <summary>The in-memory journal; unused when the factory keeps the real journal.</summary>
    public InMemoryOrderJournal Journal { get; } = new();

    public FakeBroker Broker { get; } = new();

    public FixedMarketData MarketData { get; } = new();

    /// <summary>The exit code the shutdown sequence chose, once the host stopped.</summary>
    public int? ShutdownExitCode { get; private set; }

    /// <summary>Creates a client that sends the API token, once the gateway accepts orders.</summary>
    public async Task<HttpClient> CreateAuthorizedClientAsync()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        await WaitUntilRunningAsync();
        return client;
    }

    public async Task WaitUntilRunningAsync()
    {
        var lifecycle = Services.GetRequiredService<GatewayLifecycle>();
        Broker.Sink ??= Services.GetRequiredService<IBrokerUpdateSink>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (lifecycle.State == LifecycleState.Starting)
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IBroker>();
            services.RemoveAll<IMarketDataFeed>();
            if (!_realJournal)
            {
                services.RemoveAll<IOrderJournal>();
                services.AddSingleton<IOrderJournal>(Journal);
            }

            services.AddSingleton<IBroker>(Broker);

            // The shutdown sequence must not set the exit code of the test process.
            services.RemoveAll<ShutdownExitCodeSink>();
            services.AddSingleton(new ShutdownExitCodeSink(exitCode => ShutdownExitCode = exitCode));
            services.AddSingleton<IMarketDataFeed>(MarketData);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a stopping host; the temporary directory is cleaned up by the OS later.
            }
        }
    }
}

/// <summary>Quotes for AAPL, MSFT and EUR/USD; any other symbol is unknown.</summary>
public sealed class FixedMarketData : IMarketDataFeed
{
    public DateTimeOffset? LastQuoteTime { get; } = new DateTimeOffset(2026, 12, 4, 15, 0, 0, TimeSpan.Zero);

    public Task<Quote> GetQuoteAsync(string symbol, CancellationToken cancellationToken) => symbol switch
    {
        "AAPL" => Task.FromResult(new Quote("AAPL", 100.20m, 100.30m, 100.25m, LastQuoteTime!.Value)),
        "MSFT" => Task.FromResult(new Quote("MSFT", 300.10m, 300.20m, 300.15m, LastQuoteTime!.Value)),
        "EUR/USD" => Task.FromResult(new Quote("EUR/USD", 1.0810m, 1.0812m, 1.0811m, LastQuoteTime!.Value)),
        _ => throw new BrokerRejectionException(BrokerRejectionCode.InvalidSymbol, $"Unknown symbol {symbol}."),
    };
}
