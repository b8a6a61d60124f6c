using System.Net;
using System.Text.Json;
using Breakwater.Health.Breakers;
using Breakwater.Health.Probes;
using Breakwater.Health.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Breakwater.Health.Tests;

public sealed class MonitorTests
{
    [Fact]
    public async Task Monitor_RepeatedFailure_LogsStatusChangeOnce()
    {
        await using var host = await HealthTestHost.StartAsync(beforeStart: h => h.Database.Behaviour = FakeProbe.Failing);

        await host.AdvanceIntervalAsync();
        await host.AdvanceIntervalAsync();
        var records = host.Logs.GetSnapshot();

        Assert.Equal(3, host.Database.Calls);
        Assert.Single(records, r => r.Id.Name == "DependencyUnhealthy");
        Assert.Single(records, r => r.Id.Name == "ServiceUnhealthy");
        Assert.Equal(4003, records.Single(r => r.Id.Name == "DependencyUnhealthy").Id.Id);
        Assert.Equal(LogLevel.Error, records.Single(r => r.Id.Name == "DependencyUnhealthy").Level);
    }

    [Fact]
    public async Task Monitor_Recovery_LogsHealthyOnce()
    {
        await using var host = await HealthTestHost.StartAsync(beforeStart: h => h.Broker.Behaviour = FakeProbe.Failing);

        host.Broker.Behaviour = FakeProbe.Healthy;
        await host.AdvanceIntervalAsync();
        await host.AdvanceIntervalAsync();
        var brokerHealthy = host.Logs.GetSnapshot()
            .Where(r => r.Id.Name == "DependencyHealthy" && r.Message.Contains("broker", StringComparison.Ordinal))
            .ToArray();
        var serviceHealthy = host.Logs.GetSnapshot().Where(r => r.Id.Name == "ServiceHealthy").ToArray();

        Assert.Single(brokerHealthy);
        Assert.Contains("previously unhealthy", brokerHealthy[0].Message, StringComparison.Ordinal);
        Assert.Single(serviceHealthy);
    }

    [Fact]
    public async Task Monitor_FailureLog_NeverContainsSecretInMessage()
    {
        await using var host = await HealthTestHost.StartAsync(beforeStart: h => h.Database.Behaviour = FakeProbe.Failing);

        var messages = host.Logs.GetSnapshot().Select(r => r.Message).ToArray();

        Assert.DoesNotContain(messages, m => m.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Monitor_OpenBreaker_ReportsUnhealthyWithBreakerState()
    {
        await using var host = await HealthTestHost.StartAsync(beforeStart: h =>
            h.Breakers.Set("database", BreakerState.Open, TimeSpan.FromSeconds(20)));

        using var response = await host.Client.GetAsync("/api/health/ready");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var check = body.RootElement.GetProperty("checks").GetProperty("database:responseTime")[0];

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("open", check.GetProperty("breakerState").GetString());
        Assert.Equal(ProbeOutputs.BreakerOpen, check.GetProperty("output").GetString());
    }

    [Fact]
    public async Task Monitor_HalfOpenBreaker_ReportsDegradedAnd200()
    {
        await using var host = await HealthTestHost.StartAsync(beforeStart: h =>
            h.Breakers.Set("broker", BreakerState.HalfOpen));

        using var response = await host.Client.GetAsync("/api/health/ready");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var check = body.RootElement.GetProperty("checks").GetProperty("broker:heartbeat")[0];

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("warn", check.GetProperty("status").GetString());
        Assert.Equal("halfOpen", check.GetProperty("breakerState").GetString());
    }

    [Fact]
    public async Task Monitor_NonCriticalMarketDataDown_ServiceDegraded()
    {
        await using var host = await HealthTestHost.StartAsync(beforeStart: h => h.MarketData.Behaviour = FakeProbe.Failing);

        Assert.Equal(HealthStatus.Degraded, host.Store.Current.Status);
    }

    [Fact]
    public async Task Monitor_MarketDataConfiguredCritical_ServiceUnhealthy()
    {
        await using var host = await HealthTestHost.StartAsync(
            new Dictionary<string, string?> { ["Breakwater:Health:MarketData:Critical"] = "true" },
            beforeStart: h => h.MarketData.Behaviour = FakeProbe.Failing);

        Assert.Equal(HealthStatus.Unhealthy, host.Store.Current.Status);
    }

    [Fact]
    public async Task RequestProbe_BetweenIntervals_ProbesAtOnce()
    {
        await using var host = await HealthTestHost.StartAsync();

        host.Monitor.RequestProbe("database");
        await host.Database.WaitForCallsAsync(2);
        await host.WaitForSnapshotAsync(s => s.Version >= 4);

        Assert.Equal(2, host.Database.Calls);
        Assert.Equal(1, host.Broker.Calls);
    }

    [Fact]
    public async Task RequestProbe_DuringRunningProbe_MergesIntoOneMoreProbe()
    {
        var gate = new TaskCompletionSource<ProbeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await HealthTestHost.StartAsync();
        host.Database.Behaviour = _ => gate.Task;
        host.Monitor.RequestProbe("database");
        await host.Database.WaitForCallsAsync(2);

        host.Monitor.RequestProbe("database");
        host.Monitor.RequestProbe("database");
        host.Monitor.RequestProbe("database");
        host.Database.Behaviour = FakeProbe.Healthy;
        gate.SetResult(ProbeResult.Healthy(1, "ms"));
        await host.Database.WaitForCallsAsync(3);
        await host.WaitForSnapshotAsync(s => s.Version >= 5);

        Assert.Equal(3, host.Database.Calls);
    }

    [Fact]
    public async Task Monitor_LifecycleChange_RequestsProbeOfEveryDependency()
    {
        await using var host = await HealthTestHost.StartAsync(startRunning: false);

        host.Lifecycle.MarkRunning();
        await host.WaitForSnapshotAsync(s => s.Version >= 6);

        Assert.Equal(2, host.Broker.Calls);
        Assert.Equal(2, host.Database.Calls);
        Assert.Equal(2, host.MarketData.Calls);
    }

    [Fact]
    public async Task Monitor_ThrowingSubscriber_KeepsProbing()
    {
        await using var host = await HealthTestHost.StartAsync();
        var failedRounds = 0;
        var allFailed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Count(Monitoring.HealthSnapshot snapshot)
        {
            if (Interlocked.Increment(ref failedRounds) == 3)
            {
                allFailed.TrySetResult();
            }
        }

        static void Throw(Monitoring.HealthSnapshot snapshot) =>
            throw new InvalidOperationException("The dashboard subscriber failed.");

        // Handlers run in subscription order, so the counter sees each publication before the throwing handler.
        host.Store.SnapshotPublished += Count;
        host.Store.SnapshotPublished += Throw;
        host.Time.Advance(TimeSpan.FromSeconds(5));
        await allFailed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        host.Store.SnapshotPublished -= Throw;
        host.Store.SnapshotPublished -= Count;
        var snapshot = await host.AdvanceIntervalAsync();

        Assert.True(snapshot.IsComplete);
        Assert.Equal(3, host.Database.Calls);
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Name == "MonitorRoundFailed");
    }

    [Fact]
    public async Task Monitor_InvalidOptions_FailsStartNamingOption()
    {
        var settings = new Dictionary<string, string?> { ["Breakwater:Health:Broker:Timeout"] = "00:00:09" };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => HealthTestHost.StartAsync(settings));

        Assert.Contains("Breakwater:Health:Broker:Timeout", error.Message, StringComparison.Ordinal);
    }
}
