using System.Net;
using System.Text.Json;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.Journal;
using Breakwater.Health.Probes;
using Breakwater.Health.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Breakwater.Health.Tests;

/// <summary>The shipped probes against a real SQLite file and a real loopback socket.</summary>
public sealed class RealProbeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("breakwater-health-").FullName;

    [Fact]
    public async Task DatabaseProbe_SqliteFile_ReportsHealthyResponseTime()
    {
        var journal = new SqlitePingJournal($"Data Source={Path.Combine(_directory, "journal.db")}");
        var probe = new DatabaseProbe(journal, TimeProvider.System);

        var result = await probe.ProbeAsync(CancellationToken.None);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("ms", result.ObservedUnit);
        Assert.True(result.ObservedValue >= 0);
    }

    [Fact]
    public async Task BrokerProbe_LoopbackEcho_ReportsHealthyHeartbeat()
    {
        await using var broker = new LoopbackHeartbeatBroker();
        var probe = new BrokerProbe(broker, TimeProvider.System);

        var result = await probe.ProbeAsync(CancellationToken.None);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("ms", result.ObservedUnit);
    }

    [Fact]
    public async Task Readiness_UnopenableSqliteAndStoppedBroker_ReportsConnectionFailedWithoutDetails()
    {
        var missing = Path.Combine(_directory, "no-such-dir", "journal.db");
        var journal = new SqlitePingJournal($"Data Source={missing};Mode=ReadOnly");
        var broker = new LoopbackHeartbeatBroker();
        await broker.StopServerAsync();
        await using var host = await HealthTestHost.StartAsync(configureServices: services =>
        {
            services.AddSingleton<IOrderJournal>(journal);
            services.AddSingleton<IBroker>(broker);
            services.AddDependencyProbe("database", "responseTime", "datastore", provider =>
                new DatabaseProbe(provider.GetRequiredService<IOrderJournal>(), provider.GetRequiredService<TimeProvider>()));
            services.AddDependencyProbe("broker", "heartbeat", "component", provider =>
                new BrokerProbe(provider.GetRequiredService<IBroker>(), provider.GetRequiredService<TimeProvider>()));
        });

        using var response = await host.Client.GetAsync("/api/health/ready");
        var text = await response.Content.ReadAsStringAsync();
        using var body = JsonDocument.Parse(text);
        var checks = body.RootElement.GetProperty("checks");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(ProbeOutputs.ConnectionFailed, checks.GetProperty("database:responseTime")[0].GetProperty("output").GetString());
        Assert.Equal(ProbeOutputs.ConnectionFailed, checks.GetProperty("broker:heartbeat")[0].GetProperty("output").GetString());
        Assert.DoesNotContain("no-such-dir", text, StringComparison.Ordinal);
        Assert.DoesNotContain(broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DefaultProbes_ServicesMissing_ReportProbeNotCreated()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(HealthTestHost.Start));
        builder.Services.AddBreakwaterHealth(builder.Configuration);
        await using var app = builder.Build();
        var store = app.Services.GetRequiredService<Monitoring.HealthSnapshotStore>();
        await app.Services.GetRequiredService<Monitoring.DependencyMonitor>().StartAsync(CancellationToken.None);

        await store.WaitForFirstCompleteSnapshotAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        await app.Services.GetRequiredService<Monitoring.DependencyMonitor>().StopAsync(CancellationToken.None);

        Assert.All(store.Current.Dependencies, d => Assert.Equal(ProbeOutputs.ProbeNotCreated, d.Output));
        Assert.Equal(3, store.Current.Dependencies.Count);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
