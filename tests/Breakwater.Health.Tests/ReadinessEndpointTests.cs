using System.Net;
using System.Text.Json;
using Breakwater.Health.Probes;
using Breakwater.Health.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Breakwater.Health.Tests;

public sealed class ReadinessEndpointTests
{
    [Fact]
    public async Task Readiness_AllHealthy_Returns200WithPass()
    {
        await using var host = await HealthTestHost.StartAsync();

        using var response = await host.Client.GetAsync("/api/health/ready");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("pass", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Readiness_CriticalDependencyDown_Returns503()
    {
        await using var host = await HealthTestHost.StartAsync(beforeStart: h => h.Database.Behaviour = FakeProbe.Failing);

        using var response = await host.Client.GetAsync("/api/health/ready");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var check = body.RootElement.GetProperty("checks").GetProperty("database:responseTime")[0];

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("fail", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("fail", check.GetProperty("status").GetString());
        Assert.Equal(ProbeOutputs.ConnectionFailed, check.GetProperty("output").GetString());
    }

    [Fact]
    public async Task Liveness_AllDependenciesDown_Returns200WithoutProbing()
    {
        await using var host = await HealthTestHost.StartAsync(beforeStart: h =>
        {
            h.Broker.Behaviour = FakeProbe.Failing;
            h.Database.Behaviour = FakeProbe.Failing;
            h.MarketData.Behaviour = FakeProbe.Failing;
        });
        var callsBefore = host.Broker.Calls + host.Database.Calls + host.MarketData.Calls;

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            using var response = await host.Client.GetAsync("/api/health");
            statuses.Add(response.StatusCode);
        }

        using var last = await host.Client.GetAsync("/api/health");
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal("application/health+json", last.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"status":"pass"}""", await last.Content.ReadAsStringAsync());
        Assert.Equal(callsBefore, host.Broker.Calls + host.Database.Calls + host.MarketData.Calls);
    }

    [Fact]
    public async Task Readiness_ProbeIgnoresCancellation_ReportsTimeoutAtDeadline()
    {
        var never = new TaskCompletionSource<ProbeResult>();
        await using var host = await HealthTestHost.StartAsync(
            beforeStart: h => h.Database.Behaviour = _ => never.Task,
            waitForFirstSnapshot: false);
        await host.Database.WaitForCallsAsync(1);
        await host.WaitForSnapshotAsync(s => s.Dependencies.Count == 2);

        using var before = await host.Client.GetAsync("/api/health/ready");
        host.Time.Advance(TimeSpan.FromSeconds(2));
        var snapshot = await host.WaitForSnapshotAsync(s => s.IsComplete);
        using var after = await host.Client.GetAsync("/api/health/ready");
        using var body = JsonDocument.Parse(await after.Content.ReadAsStringAsync());
        var check = body.RootElement.GetProperty("checks").GetProperty("database:responseTime")[0];

        Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        Assert.Equal(HealthStatus.Unhealthy, snapshot.Dependencies.Single(d => d.Name == "database").Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, after.StatusCode);
        Assert.Equal("Timed out after 2000 ms.", check.GetProperty("output").GetString());
    }

    [Fact]
    public async Task Readiness_ProbeBlocksSynchronously_ReportsTimeoutAtDeadline()
    {
        using var gate = new ManualResetEventSlim();
        await using var host = await HealthTestHost.StartAsync(
            beforeStart: h => h.Broker.Behaviour = _ =>
            {
                gate.Wait();
                return FakeProbe.Healthy(CancellationToken.None);
            },
            waitForFirstSnapshot: false);
        await host.Broker.WaitForCallsAsync(1);
        await host.WaitForSnapshotAsync(s => s.Dependencies.Count == 2);

        host.Time.Advance(TimeSpan.FromSeconds(2));
        var snapshot = await host.WaitForSnapshotAsync(s => s.IsComplete);
        gate.Set();

        Assert.Equal("Timed out after 2000 ms.", snapshot.Dependencies.Single(d => d.Name == "broker").Output);
        Assert.Equal(HealthStatus.Unhealthy, snapshot.Status);
    }

    [Fact]
    public async Task Monitor_AbandonedProbeStillRunning_StartsNoSecondCall()
    {
        var never = new TaskCompletionSource<ProbeResult>();
        await using var host = await HealthTestHost.StartAsync(
            beforeStart: h => h.Database.Behaviour = _ => never.Task,
            waitForFirstSnapshot: false);
        await host.Database.WaitForCallsAsync(1);
        await host.WaitForSnapshotAsync(s => s.Dependencies.Count == 2);
        host.Time.Advance(TimeSpan.FromSeconds(2));
        await host.WaitForSnapshotAsync(s => s.IsComplete);

        var snapshot = await host.AdvanceIntervalAsync(TimeSpan.FromSeconds(3));

        Assert.Equal(1, host.Database.Calls);
        Assert.Equal(
            ProbeOutputs.PreviousProbeRunning,
            snapshot.Dependencies.Single(d => d.Name == "database").Output);
    }

    [Fact]
    public async Task Readiness_ProbeConstructionThrows_ReportsFailedEntryAmongOthers()
    {
        await using var host = await HealthTestHost.StartAsync(configureServices: services =>
            services.AddDependencyProbe(
                "broker",
                "heartbeat",
                "component",
                _ => throw new InvalidOperationException("No IBroker; Host=ib.internal;Password=hunter2")));

        using var response = await host.Client.GetAsync("/api/health/ready");
        var text = await response.Content.ReadAsStringAsync();
        using var body = JsonDocument.Parse(text);
        var checks = body.RootElement.GetProperty("checks");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(ProbeOutputs.ProbeNotCreated, checks.GetProperty("broker:heartbeat")[0].GetProperty("output").GetString());
        Assert.Equal("pass", checks.GetProperty("database:responseTime")[0].GetProperty("status").GetString());
        Assert.Equal("pass", checks.GetProperty("marketData:quoteAge")[0].GetProperty("status").GetString());
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_ProbeThrowsSynchronously_ReportsFailedEntryAmongOthers()
    {
        await using var host = await HealthTestHost.StartAsync(beforeStart: h =>
            h.MarketData.Behaviour = _ => throw new InvalidOperationException("feed object is broken: token=abc123"));

        using var response = await host.Client.GetAsync("/api/health/ready");
        var text = await response.Content.ReadAsStringAsync();
        using var body = JsonDocument.Parse(text);
        var checks = body.RootElement.GetProperty("checks");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("warn", body.RootElement.GetProperty("status").GetString());
        Assert.Equal(ProbeOutputs.ProbeFailed, checks.GetProperty("marketData:quoteAge")[0].GetProperty("output").GetString());
        Assert.Equal(3, checks.EnumerateObject().Count());
        Assert.DoesNotContain("abc123", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_Degraded_Returns200ByDefault()
    {
        await using var host = await HealthTestHost.StartAsync(beforeStart: h => h.Broker.Behaviour = FakeProbe.Degraded);

        using var response = await host.Client.GetAsync("/api/health/ready");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("warn", body.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readiness_DegradedIsUnavailable_Returns503()
    {
        await using var host = await HealthTestHost.StartAsync(
            new Dictionary<string, string?> { ["Breakwater:Health:DegradedIsUnavailable"] = "true" },
            beforeStart: h => h.Broker.Behaviour = FakeProbe.Degraded);

        using var response = await host.Client.GetAsync("/api/health/ready");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("warn", body.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readiness_ThousandConcurrentRequests_ProbesEachDependencyOnce()
    {
        await using var host = await HealthTestHost.StartAsync();
        var before = (host.Broker.Calls, host.Database.Calls, host.MarketData.Calls);

        var responses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(async _ =>
        {
            using var response = await host.Client.GetAsync("/api/health/ready");
            return response.StatusCode;
        }));

        Assert.All(responses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal((1, 1, 1), before);
        Assert.Equal(1, host.Broker.Calls);
        Assert.Equal(1, host.Database.Calls);
        Assert.Equal(1, host.MarketData.Calls);
    }

    [Fact]
    public async Task Readiness_DependencyRecovers_Returns200WithoutRestart()
    {
        await using var host = await HealthTestHost.StartAsync(beforeStart: h => h.Broker.Behaviour = FakeProbe.Failing);
        using var down = await host.Client.GetAsync("/api/health/ready");

        host.Broker.Behaviour = FakeProbe.Healthy;
        await host.AdvanceIntervalAsync();
        using var up = await host.Client.GetAsync("/api/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal(HttpStatusCode.OK, up.StatusCode);
    }

    [Fact]
    public async Task Startup_BeforeFirstSnapshot_Returns503ThenAfter200()
    {
        var release = new TaskCompletionSource<ProbeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await HealthTestHost.StartAsync(
            beforeStart: h => h.Database.Behaviour = _ => release.Task,
            waitForFirstSnapshot: false);
        await host.Database.WaitForCallsAsync(1);

        using var startupBefore = await host.Client.GetAsync("/api/health/startup");
        using var readyBefore = await host.Client.GetAsync("/api/health/ready");
        release.SetResult(ProbeResult.Healthy(2, "ms"));
        await host.WaitForSnapshotAsync(s => s.IsComplete);
        using var startupAfter = await host.Client.GetAsync("/api/health/startup");
        using var readyAfter = await host.Client.GetAsync("/api/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, startupBefore.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyBefore.StatusCode);
        Assert.Equal(HttpStatusCode.OK, startupAfter.StatusCode);
        Assert.Equal(HttpStatusCode.OK, readyAfter.StatusCode);
    }

    [Fact]
    public async Task Readiness_Starting_Returns503UntilRunning()
    {
        await using var host = await HealthTestHost.StartAsync(startRunning: false);

        using var starting = await host.Client.GetAsync("/api/health/ready");
        using var body = JsonDocument.Parse(await starting.Content.ReadAsStringAsync());
        using var live = await host.Client.GetAsync("/api/health");
        host.Lifecycle.MarkRunning();
        using var running = await host.Client.GetAsync("/api/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, starting.StatusCode);
        Assert.Equal("starting", body.RootElement.GetProperty("lifecycle").GetString());
        Assert.Equal("fail", body.RootElement.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, running.StatusCode);
    }

    [Fact]
    public async Task Readiness_Stopping_Returns503WithStoppingWhileLivenessIs200()
    {
        await using var host = await HealthTestHost.StartAsync(startRunning: false);
        host.Lifecycle.MarkRunning();

        host.Lifecycle.MarkStopping();
        using var ready = await host.Client.GetAsync("/api/health/ready");
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        using var live = await host.Client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("stopping", body.RootElement.GetProperty("lifecycle").GetString());
        Assert.Equal("fail", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("The gateway is stopping.", body.RootElement.GetProperty("output").GetString());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Theory]
    [InlineData("healthy")]
    [InlineData("degraded")]
    [InlineData("down")]
    [InlineData("timeout")]
    public async Task Readiness_AnyState_ConformsToDraft(string scenario)
    {
        var never = new TaskCompletionSource<ProbeResult>();
        await using var host = await HealthTestHost.StartAsync(
            beforeStart: h => h.Broker.Behaviour = scenario switch
            {
                "degraded" => FakeProbe.Degraded,
                "down" => FakeProbe.Failing,
                "timeout" => _ => never.Task,
                _ => FakeProbe.Healthy,
            },
            waitForFirstSnapshot: scenario != "timeout");
        if (scenario == "timeout")
        {
            await host.Broker.WaitForCallsAsync(1);
            host.Time.Advance(TimeSpan.FromSeconds(2));
            await host.WaitForSnapshotAsync(s => s.IsComplete);
        }

        using var response = await host.Client.GetAsync("/api/health/ready");
        var errors = HealthJsonValidator.Validate(
            response.Content.Headers.ContentType?.ToString() ?? "",
            await response.Content.ReadAsStringAsync());

        Assert.Empty(errors);
    }

    [Fact]
    public async Task Readiness_Body_HasIdentityAndCheckFields()
    {
        await using var host = await HealthTestHost.StartAsync(
            new Dictionary<string, string?> { ["Breakwater:Health:ReleaseId"] = "1.4.2" });

        using var response = await host.Client.GetAsync("/api/health/ready");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        var check = root.GetProperty("checks").GetProperty("broker:heartbeat")[0];

        Assert.Equal("1", root.GetProperty("version").GetString());
        Assert.Equal("1.4.2", root.GetProperty("releaseId").GetString());
        Assert.Equal("breakwater-gateway", root.GetProperty("serviceId").GetString());
        Assert.Equal("broker", check.GetProperty("componentId").GetString());
        Assert.Equal(1.5, check.GetProperty("observedValue").GetDouble());
        Assert.Equal("ms", check.GetProperty("observedUnit").GetString());
        Assert.Equal("2026-12-07T15:00:00.000Z", check.GetProperty("time").GetString());
        Assert.Equal("none", check.GetProperty("breakerState").GetString());
        Assert.False(check.TryGetProperty("output", out _));
    }

    [Fact]
    public async Task Readiness_Starting_Returns503WithStarting()
    {
        await using var host = await HealthTestHost.StartAsync(startRunning: false);

        using var ready = await host.Client.GetAsync("/api/health/ready");
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        using var live = await host.Client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("starting", body.RootElement.GetProperty("lifecycle").GetString());
        Assert.Equal("fail", body.RootElement.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }
}
