using System.Globalization;
using System.Net;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.Journal;
using Breakwater.Domain.MarketData;
using Breakwater.HealthBench;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

// Compares Breakwater's snapshot-based readiness with ASP.NET Core's stock MapHealthChecks, which runs every check on
// every request. Usage: dotnet run -c Release --project bench/Breakwater.HealthBench -- [seconds] [clients] [brokerMs]
// where brokerMs (default 0) delays each broker heartbeat reply to stand for a network round trip.
var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var clients = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;
var brokerDelay = TimeSpan.FromMilliseconds(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 0);
var duration = TimeSpan.FromSeconds(seconds);

await using var breakwaterDependencies = new BenchDependencies(brokerDelay);
await using var stockDependencies = new BenchDependencies(brokerDelay);
await using var breakwater = await StartBreakwaterAsync(breakwaterDependencies);
await using var stock = await StartStockAsync(stockDependencies);

Console.WriteLine($"Readiness benchmark: {clients} concurrent clients, {seconds} s per endpoint, " +
    $"broker reply delay {brokerDelay.TotalMilliseconds} ms, {Environment.ProcessorCount} logical processors.");
var breakwaterResult = await LoadDriver.RunAsync(
    ServerUrl(breakwater) + "/api/health/ready", clients, duration, breakwaterDependencies);
var stockResult = await LoadDriver.RunAsync(ServerUrl(stock) + "/health/ready", clients, duration, stockDependencies);

// Liveness writes a constant body, so its throughput is the ceiling of this client and server on this machine.
var livenessResult = await LoadDriver.RunAsync(
    ServerUrl(breakwater) + "/api/health", clients, duration, breakwaterDependencies);

Console.WriteLine(LoadResult.Header);
Console.WriteLine(breakwaterResult.Format("Breakwater /api/health/ready"));
Console.WriteLine(stockResult.Format("Stock MapHealthChecks"));
Console.WriteLine(livenessResult.Format("Breakwater /api/health (ceiling)"));
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"Throughput ratio: {breakwaterResult.RequestsPerSecond / stockResult.RequestsPerSecond:0.0}x"));
return 0;

static async Task<WebApplication> StartBreakwaterAsync(BenchDependencies dependencies)
{
    var builder = CreateBuilder();
    builder.Services.AddSingleton<IOrderJournal>(new BenchJournal(dependencies));
    builder.Services.AddSingleton<IBroker>(new BenchBroker(dependencies));
    builder.Services.AddSingleton<IMarketDataFeed>(new BenchFeed(dependencies));

    // The benchmark runs at any hour, so the session spans 00:00 to 23:59 UTC every day to keep the freshness rule active.
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Breakwater:Health:MarketData:TradingHours:Start"] = "00:00",
        ["Breakwater:Health:MarketData:TradingHours:End"] = "23:59",
        ["Breakwater:Health:MarketData:TradingHours:TimeZone"] = "UTC",
        ["Breakwater:Health:MarketData:TradingHours:Days:0"] = "Sunday",
        ["Breakwater:Health:MarketData:TradingHours:Days:1"] = "Monday",
        ["Breakwater:Health:MarketData:TradingHours:Days:2"] = "Tuesday",
        ["Breakwater:Health:MarketData:TradingHours:Days:3"] = "Wednesday",
        ["Breakwater:Health:MarketData:TradingHours:Days:4"] = "Thursday",
        ["Breakwater:Health:MarketData:TradingHours:Days:5"] = "Friday",
        ["Breakwater:Health:MarketData:TradingHours:Days:6"] = "Saturday",
    });
    builder.Services.AddBreakwaterHealth(builder.Configuration);
    var app = builder.Build();
    app.MapBreakwaterHealth();
    await app.StartAsync();

    // Readiness returns 503 while the lifecycle is Starting. The gateway's start-up service marks it running after
    // reconciling with the broker; this benchmark has no order manager, so it marks the lifecycle itself.
    app.Services.GetRequiredService<Breakwater.Domain.Lifecycle.GatewayLifecycle>().MarkRunning();
    await app.Services.GetRequiredService<Breakwater.Health.Monitoring.HealthSnapshotStore>()
        .WaitForFirstCompleteSnapshotAsync(CancellationToken.None);
    return app;
}

static async Task<WebApplication> StartStockAsync(BenchDependencies dependencies)
{
    var builder = CreateBuilder();
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

static WebApplicationBuilder CreateBuilder()
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
    return builder;
}

static string ServerUrl(WebApplication app) =>
    app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
