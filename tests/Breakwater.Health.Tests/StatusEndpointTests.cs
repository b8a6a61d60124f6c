using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Breakwater.Health.Breakers;
using Breakwater.Health.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Breakwater.Health.Tests;

public sealed class StatusEndpointTests
{
    [Fact]
    public async Task Status_WithoutToken_Returns401()
    {
        await using var host = await HealthTestHost.StartAsync();

        using var response = await host.Client.GetAsync("/api/status");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Status_WithToken_HasDashboardFields()
    {
        await using var host = await HealthTestHost.StartAsync(
            configureServices: services => services.AddSingleton<IOpenOrderCounter>(new FixedCounter(7)),
            beforeStart: h =>
            {
                h.Database.Behaviour = FakeProbe.Failing;
                h.Breakers.Set("database", BreakerState.Open, TimeSpan.FromSeconds(12));
            },
            startRunning: false);
        host.Lifecycle.MarkRunning();
        await host.WaitForSnapshotAsync(s => s.Version >= 6);
        host.Time.Advance(TimeSpan.FromSeconds(1));

        using var root = await GetStatusAsync(host);
        var status = root.RootElement;
        var database = status.GetProperty("dependencies").EnumerateArray().Single(d => d.GetProperty("name").GetString() == "database");

        Assert.Equal("unhealthy", status.GetProperty("status").GetString());
        Assert.False(status.GetProperty("ready").GetBoolean());
        Assert.Equal("running", status.GetProperty("lifecycle").GetString());
        Assert.Equal(1, status.GetProperty("uptimeSeconds").GetDouble());
        Assert.Equal(7, status.GetProperty("openOrders").GetInt32());
        Assert.Equal(3, status.GetProperty("dependencies").GetArrayLength());
        Assert.Equal("unhealthy", database.GetProperty("status").GetString());
        Assert.True(database.GetProperty("critical").GetBoolean());
        Assert.Equal("open", database.GetProperty("breaker").GetProperty("state").GetString());
        Assert.Equal(12, database.GetProperty("breaker").GetProperty("retryAfterSeconds").GetDouble());
        Assert.Equal(
            "Circuit breaker is open. Connection failed.",
            database.GetProperty("lastError").GetProperty("message").GetString());
        Assert.Equal(HealthTestHost.Start, database.GetProperty("since").GetDateTimeOffset());
        Assert.True(database.GetProperty("probe").TryGetProperty("latencyMs", out _));
        Assert.Equal(1, database.GetProperty("timeline").GetArrayLength());
        Assert.Contains(
            status.GetProperty("transitions").EnumerateArray(),
            t => t.GetProperty("subject").GetString() == "service" && t.GetProperty("to").GetString() == "unhealthy");
        Assert.DoesNotContain("hunter2", root.RootElement.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_AfterRecovery_KeepsLastErrorAndRecordsTimeline()
    {
        await using var host = await HealthTestHost.StartAsync(beforeStart: h => h.Broker.Behaviour = FakeProbe.Failing);
        host.Broker.Behaviour = FakeProbe.Healthy;
        await host.AdvanceIntervalAsync();

        using var root = await GetStatusAsync(host);
        var broker = root.RootElement.GetProperty("dependencies").EnumerateArray()
            .Single(d => d.GetProperty("name").GetString() == "broker");
        var timeline = broker.GetProperty("timeline").EnumerateArray().Select(s => s.GetProperty("status").GetString()!).ToArray();

        Assert.Equal("healthy", broker.GetProperty("status").GetString());
        Assert.Equal("Connection failed.", broker.GetProperty("lastError").GetProperty("message").GetString());
        Assert.Equal(["unhealthy", "healthy"], timeline);
    }

    [Fact]
    public async Task Status_TimelineOlderThanHour_KeepsOnlyStatusAtWindowStart()
    {
        await using var host = await HealthTestHost.StartAsync(beforeStart: h => h.Broker.Behaviour = FakeProbe.Failing);
        host.Broker.Behaviour = FakeProbe.Healthy;
        await host.AdvanceIntervalAsync();
        host.Time.Advance(TimeSpan.FromHours(2));

        var timeline = host.Store.GetTimeline("broker", host.Time.GetUtcNow());

        Assert.Single(timeline);
        Assert.Equal(HealthStatus.Healthy, timeline[0].Status);
    }

    private static async Task<JsonDocument> GetStatusAsync(HealthTestHost host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/status");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestAuthHandler.Token);
        using var response = await host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private sealed class FixedCounter(int count) : IOpenOrderCounter
    {
        public int CountOpenOrders() => count;
    }
}
