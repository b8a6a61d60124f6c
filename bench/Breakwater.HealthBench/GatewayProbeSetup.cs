extern alias gateway;

using System.Globalization;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.Journal;
using Breakwater.Domain.Lifecycle;
using Breakwater.Health;
using Breakwater.Health.Monitoring;
using Breakwater.Health.Options;
using Breakwater.IbGatewayEmulator;
using Breakwater.Ibkr;
using Breakwater.Ibkr.Protocol;
using Breakwater.Journal;
using Breakwater.Resilience.DependencyInjection;
using gateway::Breakwater.Gateway.Hosting;
using gateway::Breakwater.Gateway.Hosting.Ibkr;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Emulator = Breakwater.IbGatewayEmulator.IbGatewayEmulator;
using HealthCheckRegistration = Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration;
using StockHealthStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus;

namespace Breakwater.HealthBench;

/// <summary>
/// Both endpoints over the probes the gateway registers for <c>Breakwater:Broker:Kind=Ibkr</c>, against real
/// dependencies on loopback: the IBKR broker probe (a reqCurrentTime round trip through the client's pacer) and the
/// IBKR market data probe (quote age) over a TWS API session with an in-process IB Gateway emulator, and the database
/// probe (<c>SELECT 1</c>) over the order journal, a temporary SQLite file unless a PostgreSQL connection string is
/// given.
/// </summary>
/// <remarks>
/// The Breakwater host composes the dependencies with the gateway's own registration methods, so each probe call
/// passes the same guards, circuit breakers and spill journal as in the gateway. It leaves out what the probes do not
/// use: the order manager, the order API, security and shutdown. The stock host calls the very probe objects of the
/// Breakwater host through <see cref="SharedProbes"/>, so both count their calls in one place.
/// </remarks>
internal sealed class GatewayProbeSetup : IReadinessSetup
{
    private const string StreamedSymbol = "AAPL";

    private static readonly TimeSpan HealthyTimeout = TimeSpan.FromSeconds(30);

    private readonly Emulator _emulator;
    private readonly DirectoryInfo _dataDirectory;
    private readonly bool _postgres;
    private SharedProbes? _probes;
    private WebApplication? _breakwater;
    private WebApplication? _stock;

    private GatewayProbeSetup(Emulator emulator, bool postgres)
    {
        _emulator = emulator;
        _postgres = postgres;
        _dataDirectory = Directory.CreateTempSubdirectory("breakwater-healthbench-");
    }

    public string Description
    {
        get
        {
            var rate = _breakwater!.Services.GetRequiredService<IOptions<IbkrOptions>>().Value.MessagesPerSecond;
            return string.Create(
                CultureInfo.InvariantCulture,
                $"gateway probes, journal on {(_postgres ? "PostgreSQL" : "SQLite")}, IBKR pacing {rate} messages/s");
        }
    }

    public string BreakwaterUrl => BenchHost.GetUrl(_breakwater!);

    public string StockUrl => BenchHost.GetUrl(_stock!);

    public static async Task<GatewayProbeSetup> StartAsync(BenchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var emulator = new Emulator(new IbGatewayEmulatorOptions { RecordInboundFrames = true });
        await emulator.StartAsync(CancellationToken.None);
        var setup = new GatewayProbeSetup(emulator, options.PostgresConnectionString is not null);
        try
        {
            await setup.StartBreakwaterAsync(options);
            await setup.StartStockAsync();
            return setup;
        }
        catch
        {
            await setup.DisposeAsync();
            throw;
        }
    }

    public CallReading ReadBreakwaterCalls() => ReadCalls();

    public CallReading ReadStockCalls() => ReadCalls();

    public async ValueTask DisposeAsync()
    {
        foreach (var app in new[] { _stock, _breakwater })
        {
            if (app is not null)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }

        await _emulator.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _dataDirectory.Delete(recursive: true);
    }

    private CallReading ReadCalls()
    {
        var (calls, failed) = _probes!.Read();
        var pings = _emulator.InboundFrames.LongCount(frame =>
            frame.Fields.Count > 0
            && frame.Fields[0] == IbOutgoing.ReqCurrentTime.ToString(CultureInfo.InvariantCulture));
        return new CallReading(calls, failed, pings);
    }

    private async Task StartBreakwaterAsync(BenchOptions options)
    {
        var builder = BenchHost.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(BenchHost.AlwaysOpenTradingHours);
        builder.Configuration.AddInMemoryCollection(CreateSettings(options));
        var configuration = builder.Configuration;
        var services = builder.Services;

        // The registrations of the gateway's Program.cs with Breakwater:Broker:Kind=Ibkr, in the same order. The order
        // manager, security, shutdown and breaker telemetry are left out, so AddBreakwaterHealth replaces
        // AddGatewayHealth (which needs the order manager) and a sink that drops updates replaces the order manager.
        services.AddSingleton<IBrokerUpdateSink, DiscardingUpdateSink>();
        services.AddGatewayBreakers(configuration);
        services.AddBreakwaterHealth(configuration);
        services.AddBreakwaterJournal(configuration);
        services.AddGatewayIbkr(configuration);
        services.AddBreakwaterGuards();
        services.AddGatewayJournalOutageHandling();
        _probes = SharedProbes.Install(services);

        var app = builder.Build();
        _breakwater = app;
        await app.Services.GetRequiredService<IOrderJournal>().MigrateAsync(CancellationToken.None);
        app.MapBreakwaterHealth();
        await app.StartAsync();

        // Readiness returns 503 while the lifecycle is Starting. The gateway's start-up service marks it running after
        // reconciling the order book with the broker, and the book is empty here.
        app.Services.GetRequiredService<GatewayLifecycle>().MarkRunning();
        await WaitUntilHealthyAsync(app.Services.GetRequiredService<HealthSnapshotStore>());
    }

    private async Task StartStockAsync()
    {
        var services = _breakwater!.Services;
        var healthOptions = services.GetRequiredService<IOptions<HealthOptions>>().Value;
        var builder = BenchHost.CreateBuilder();
        var checks = builder.Services.AddHealthChecks();
        foreach (var probe in _probes!.GetAll(services))
        {
            // The monitor's settings of each dependency: a non-critical failure only degrades the service, and a call
            // is abandoned after the same timeout.
            var dependency = healthOptions.For(probe.Dependency) ?? new DependencyHealthOptions();
            checks.Add(new HealthCheckRegistration(
                probe.Dependency,
                new ProbeHealthCheck(probe),
                dependency.Critical ? StockHealthStatus.Unhealthy : StockHealthStatus.Degraded,
                tags: null,
                timeout: dependency.Timeout));
        }

        var app = builder.Build();
        _stock = app;
        app.MapHealthChecks("/health/ready");
        await app.StartAsync();
    }

    private Dictionary<string, string?> CreateSettings(BenchOptions options)
    {
        const string ibkr = IbkrOptions.SectionName + ":";
        var settings = new Dictionary<string, string?>
        {
            [JournalOptions.DataDirectoryKey] = _dataDirectory.FullName,
            [ibkr + nameof(IbkrOptions.Host)] = "127.0.0.1",
            [ibkr + nameof(IbkrOptions.Port)] = _emulator.Port.ToString(CultureInfo.InvariantCulture),
            [ibkr + nameof(IbkrOptions.ClientId)] = "1",
            [ibkr + nameof(IbkrOptions.Account)] = _emulator.Account,
            [ibkr + nameof(IbkrOptions.StreamSymbols) + ":0"] = StreamedSymbol,
        };
        if (options.IbkrMessagesPerSecond is { } rate)
        {
            settings[ibkr + nameof(IbkrOptions.MessagesPerSecond)] = rate.ToString(CultureInfo.InvariantCulture);

            // Only the emulator is on the other end, so a rate above IBKR's limit of 50 cannot cause error 100.
            settings[ibkr + nameof(IbkrOptions.AllowPacingAboveIbkrLimit)] = rate > 50 ? "true" : "false";
        }

        if (options.PostgresConnectionString is { } connectionString)
        {
            const string journal = JournalOptions.SectionName + ":";
            settings[journal + nameof(JournalOptions.Provider)] = nameof(JournalProvider.Postgres);
            settings[journal + nameof(JournalOptions.ConnectionString)] = connectionString;
        }

        return settings;
    }

    /// <summary>Waits until every probe has reported healthy, so that no run starts on a failing dependency.</summary>
    private static async Task WaitUntilHealthyAsync(HealthSnapshotStore store)
    {
        var healthy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnPublished(HealthSnapshot snapshot)
        {
            if (snapshot.IsComplete && snapshot.Status == HealthStatus.Healthy)
            {
                healthy.TrySetResult();
            }
        }

        store.SnapshotPublished += OnPublished;
        try
        {
            OnPublished(store.Current);
            await healthy.Task.WaitAsync(HealthyTimeout, TimeProvider.System);
        }
        catch (TimeoutException exception)
        {
            var states = string.Join(", ", store.Current.Dependencies.Select(dependency => dependency is null
                ? "(not probed)"
                : $"{dependency.Name} {dependency.Status.ToText()} ({dependency.Output})"));
            throw new InvalidOperationException(
                $"The gateway probes did not all report healthy within {HealthyTimeout.TotalSeconds} s; the latest "
                + $"results are: {states}.",
                exception);
        }
        finally
        {
            store.SnapshotPublished -= OnPublished;
        }
    }
}

/// <summary>Drops broker order updates. No order is placed, so only a reconciliation could send one.</summary>
internal sealed class DiscardingUpdateSink : IBrokerUpdateSink
{
    public ValueTask OnOrderUpdateAsync(BrokerOrderUpdate update, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;
}
