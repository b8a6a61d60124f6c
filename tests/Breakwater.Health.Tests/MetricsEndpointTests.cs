using Breakwater.Health.Breakers;
using Breakwater.Health.Metrics;
using Breakwater.Health.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Breakwater.Health.Tests;

public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_FromStart_ShowsBreakerGaugeForEveryDependency()
    {
        await using var host = await HealthTestHost.StartAsync(beforeStart: h => h.Breakers.Set("broker", BreakerState.Open));

        var text = await ScrapeAsync(host);

        Assert.Contains("breakwater_breaker_state{", text, StringComparison.Ordinal);
        Assert.Matches(@"breakwater_breaker_state\{[^}]*breaker=""broker""[^}]*\} 2", text);
        Assert.Matches(@"breakwater_breaker_state\{[^}]*breaker=""database""[^}]*\} 4", text);
        Assert.Matches(@"breakwater_breaker_state\{[^}]*breaker=""marketData""[^}]*\} 4", text);
    }

    [Fact]
    public async Task Metrics_AfterProbes_ShowsDependencyStatusAndProbeDuration()
    {
        await using var host = await HealthTestHost.StartAsync(beforeStart: h => h.Database.Behaviour = FakeProbe.Failing);

        var text = await ScrapeAsync(host);

        Assert.Matches(@"breakwater_dependency_status\{[^}]*dependency=""database""[^}]*\} 2", text);
        Assert.Matches(@"breakwater_dependency_status\{[^}]*dependency=""broker""[^}]*\} 0", text);
        Assert.Contains("breakwater_health_probe_duration_seconds_bucket{", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_ProbeDuration_UsesSecondScaleBuckets()
    {
        await using var host = await HealthTestHost.StartAsync();

        var text = await ScrapeAsync(host);

        Assert.Matches(@"breakwater_health_probe_duration_seconds_bucket\{[^}]*le=""0\.001""", text);
        Assert.Matches(@"breakwater_health_probe_duration_seconds_bucket\{[^}]*le=""0\.25""", text);
        Assert.DoesNotMatch(@"breakwater_health_probe_duration_seconds_bucket\{[^}]*le=""750""", text);
    }

    [Fact]
    public async Task Metrics_RecordedEvents_RenderAsCounters()
    {
        await using var host = await HealthTestHost.StartAsync();
        var metrics = host.App.Services.GetRequiredService<BreakwaterMetrics>();

        metrics.RecordBreakerTransition("broker", BreakerState.Closed, BreakerState.Open);
        metrics.RecordBreakerRejection("broker");
        metrics.RecordBreakerRejection("broker");
        metrics.RecordOrderOutcome("filled");
        var text = await ScrapeAsync(host);

        Assert.Matches(@"breakwater_breaker_transitions_total\{[^}]*breaker=""broker""[^}]*\} 1", text);
        Assert.Matches(@"breakwater_breaker_rejections_total\{[^}]*breaker=""broker""[^}]*\} 2", text);
        Assert.Matches(@"breakwater_orders_total\{[^}]*outcome=""filled""[^}]*\} 1", text);
    }

    [Fact]
    public void RecordOrderOutcome_UnknownOutcome_ThrowsNamingAllowedValues()
    {
        using var meterFactory = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var store = new Monitoring.HealthSnapshotStore(
            [], Microsoft.Extensions.Options.Options.Create(new Options.HealthOptions()), TimeProvider.System);
        var metrics = new BreakwaterMetrics(
            meterFactory.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), new FakeBreakers(), store);

        var error = Assert.Throws<ArgumentException>(() => metrics.RecordOrderOutcome("lost"));

        Assert.StartsWith(
            "The order outcome must be one of accepted, rejected, filled, cancelled, failed, but it is 'lost'.",
            error.Message,
            StringComparison.Ordinal);
    }

    private static async Task<string> ScrapeAsync(HealthTestHost host)
    {
        using var response = await host.Client.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }
}
