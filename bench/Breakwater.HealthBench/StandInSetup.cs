using System.Globalization;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.Journal;
using Breakwater.Domain.Lifecycle;
using Breakwater.Domain.MarketData;
using Breakwater.Health.Monitoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Breakwater.HealthBench;

/// <summary>
/// Both endpoints over stand-in checks, each host with its own set (<see cref="BenchDependencies"/>): <c>SELECT 1</c>
/// on a pooled SQLite file, a new loopback TCP connection that echoes one byte, and a quote-age compare.
/// </summary>
internal sealed class StandInSetup : IReadinessSetup
{
    private readonly BenchDependencies _breakwaterDependencies;
    private readonly BenchDependencies _stockDependencies;
    private readonly TimeSpan _brokerDelay;
    private WebApplication? _breakwater;
    private WebApplication? _stock;

    private StandInSetup(TimeSpan brokerDelay)
    {
        _brokerDelay = brokerDelay;
        _breakwaterDependencies = new BenchDependencies(brokerDelay);
        _stockDependencies = new BenchDependencies(brokerDelay);
    }

    public string Description => string.Create(
        CultureInfo.InvariantCulture, $"stand-in checks, broker reply delay {_brokerDelay.TotalMilliseconds} ms");

    public string BreakwaterUrl => BenchHost.GetUrl(_breakwater!);

    public string StockUrl => BenchHost.GetUrl(_stock!);

    public static async Task<StandInSetup> StartAsync(BenchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var setup = new StandInSetup(options.StandInBrokerDelay);
        try
        {
            setup._breakwater = await StartBreakwaterAsync(setup._breakwaterDependencies);
            setup._stock = await StartStockAsync(setup._stockDependencies);
            return setup;
        }
        catch
        {
            await setup.DisposeAsync();
            throw;
        }
    }

    public CallReading ReadBreakwaterCalls() => _breakwaterDependencies.ReadCalls();

    public CallReading ReadStockCalls() => _stockDependencies.ReadCalls();

    public async ValueTask DisposeAsync()
    {
        if (_stock is not null)
        {
            await _stock.DisposeAsync();
        }

        if (_breakwater is not null)
        {
            await _breakwater.DisposeAsync();
        }

        await _stockDependencies.DisposeAsync();
        await _breakwaterDependencies.DisposeAsync();
    }

    private static async Task<WebApplication> StartBreakwaterAsync(BenchDependencies dependencies)
    {
        var builder = BenchHost.CreateBuilder();
        builder.Services.AddSingleton<IOrderJournal>(new BenchJournal(dependencies));
        builder.Services.AddSingleton<IBroker>(new BenchBroker(dependencies));
        builder.Services.AddSingleton<IMarketDataFeed>(new BenchFeed(dependencies));
        builder.Configuration.AddInMemoryCollection(BenchHost.AlwaysOpenTradingHours);
        builder.Services.AddBreakwaterHealth(builder.Configuration);
        var app = builder.Build();
        app.MapBreakwaterHealth();
        await app.StartAsync();

        // Readiness returns 503 while the lifecycle is Starting. The gateway's start-up service marks it running
        // after reconciling with the broker. This setup has no order manager, so it marks the lifecycle itself.
        app.Services.GetRequiredService<GatewayLifecycle>().MarkRunning();
        await app.Services.GetRequiredService<HealthSnapshotStore>()
            .WaitForFirstCompleteSnapshotAsync(CancellationToken.None);
        return app;
    }

    private static async Task<WebApplication> StartStockAsync(BenchDependencies dependencies)
    {
        var builder = BenchHost.CreateBuilder();
        builder.Services.AddHealthChecks()
            .AddAsyncCheck("database", async cancellationToken =>
            {
                await dependencies.PingDatabaseAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            })
            .AddAsyncCheck("broker", async cancellationToken =>
            {
                await dependencies.PingBrokerAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            })
            .AddCheck("marketData", () =>
                TimeProvider.System.GetUtcNow() - dependencies.ReadLastQuoteTime() < TimeSpan.FromSeconds(30)
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy());
        var app = builder.Build();
        app.MapHealthChecks("/health/ready");
        await app.StartAsync();
        return app;
    }
}
