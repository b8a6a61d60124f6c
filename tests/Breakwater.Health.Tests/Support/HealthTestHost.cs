using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Lifecycle;
using Breakwater.Health.Breakers;
using Breakwater.Health.Monitoring;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Breakwater.Health.Tests.Support;

/// <summary>A gateway-like web host on TestServer with fake probes, fake breakers and a fake clock.</summary>
internal sealed class HealthTestHost : IAsyncDisposable
{
    /// <summary>Monday 7 December 2026, 15:00 UTC: 10:00 in New York, inside the default trading session.</summary>
    public static readonly DateTimeOffset Start = new(2026, 12, 7, 15, 0, 0, TimeSpan.Zero);

    public WebApplication App { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public FakeTimeProvider Time { get; } = new(Start);

    public FakeProbe Broker { get; } = new(DependencyNames.Broker, "heartbeat");

    public FakeProbe Database { get; } = new(DependencyNames.Database, "responseTime", "datastore");

    public FakeProbe MarketData { get; } = new(DependencyNames.MarketData, "quoteAge");

    public FakeBreakers Breakers { get; } = new();

    public GatewayLifecycle Lifecycle { get; } = new();

    public HealthSnapshotStore Store => App.Services.GetRequiredService<HealthSnapshotStore>();

    public DependencyMonitor Monitor => App.Services.GetRequiredService<DependencyMonitor>();

    public FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    public static async Task<HealthTestHost> StartAsync(
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configureServices = null,
        Action<HealthTestHost>? beforeStart = null,
        bool waitForFirstSnapshot = true,
        bool startRunning = true)
    {
        var host = await CreateAsync(settings, configureServices);

        // Readiness is 503 while the gateway starts, so most tests begin with the lifecycle running, as after the
        // start-up reconciliation; tests of the lifecycle change itself pass false.
        if (startRunning)
        {
            host.Lifecycle.MarkRunning();
        }

        beforeStart?.Invoke(host);
        await host.App.StartAsync();
        host.Client = host.App.GetTestClient();
        if (waitForFirstSnapshot)
        {
            await host.Store.WaitForFirstCompleteSnapshotAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }

        return host;
    }

    private static Task<HealthTestHost> CreateAsync(
        IDictionary<string, string?>? settings,
        Action<IServiceCollection>? configureServices)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Logging.AddFakeLogging();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());

        var host = new HealthTestHost();
        builder.Services.AddSingleton<TimeProvider>(_ => host.Time);
        builder.Services.AddSingleton<GatewayLifecycle>(_ => host.Lifecycle);
        builder.Services.AddSingleton<IBreakerStateSource>(_ => host.Breakers);
        builder.Services.AddAuthentication(TestAuthHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, null);
        builder.Services.AddBreakwaterHealth(builder.Configuration);
        builder.Services.AddDependencyProbe(DependencyNames.Broker, "heartbeat", "component", _ => host.Broker);
        builder.Services.AddDependencyProbe(DependencyNames.Database, "responseTime", "datastore", _ => host.Database);
        builder.Services.AddDependencyProbe(DependencyNames.MarketData, "quoteAge", "component", _ => host.MarketData);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        host.App = app;
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapBreakwaterHealth();
        return Task.FromResult(host);
    }

    /// <summary>Waits until a published snapshot satisfies <paramref name="condition"/>.</summary>
    public async Task<HealthSnapshot> WaitForSnapshotAsync(Func<HealthSnapshot, bool> condition)
    {
        var published = new TaskCompletionSource<HealthSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnPublished(HealthSnapshot snapshot)
        {
            if (condition(snapshot))
            {
                published.TrySetResult(snapshot);
            }
        }

        Store.SnapshotPublished += OnPublished;
        try
        {
            var current = Store.Current;
            if (condition(current))
            {
                return current;
            }

            return await published.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            Store.SnapshotPublished -= OnPublished;
        }
    }

    /// <summary>Advances the clock by one probe interval and waits for every dependency to publish again.</summary>
    public async Task<HealthSnapshot> AdvanceIntervalAsync(TimeSpan? interval = null)
    {
        Time.Advance(interval ?? TimeSpan.FromSeconds(5));
        var now = Time.GetUtcNow();
        return await WaitForSnapshotAsync(snapshot =>
            snapshot.IsComplete && snapshot.Dependencies.All(d => d.Time >= now));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
