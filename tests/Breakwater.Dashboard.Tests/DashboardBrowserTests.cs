using Breakwater.Dashboard.Tests.Infrastructure;
using Breakwater.Gateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Breakwater.Dashboard.Tests;

/// <summary>
/// Runs the dashboard's JavaScript tests of tests/browser: the view model in Node, and the page in headless Chromium
/// against the real gateway process with the paper broker, fast health probes and short breaker breaks, so that an
/// outage and its recovery take seconds.
/// </summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ViewModel_NodeTests_Pass()
    {
        var (exitCode, text) = await BrowserScript.RunAsync("--test", "model.test.mjs");

        output.WriteLine(text);
        Assert.True(exitCode == 0, $"node --test model.test.mjs failed with exit code {exitCode}:\n{text}");
    }

    [Fact]
    public async Task Dashboard_RealGateway_PassesBrowserChecks()
    {
        await using var gateway = await GatewayProcess.StartAsync(new GatewayProcessOptions { Settings = FastSettings() });
        await gateway.WaitForRunningAsync();

        var (exitCode, text) = await BrowserScript.RunAsync(
            "dashboard.test.mjs",
            "--url",
            gateway.BaseAddress.ToString(),
            "--token",
            gateway.Token,
            "--artifacts",
            BrowserScript.ArtifactsRoot);

        output.WriteLine(text);
        Assert.True(
            exitCode == 0,
            $"The browser script failed with exit code {exitCode}:\n{text}\nGateway output:\n{gateway.Output}");
    }

    // Probes every 250 ms notice a paper fault within a poll or two, and a 2 s break lets the broker breaker close
    // again soon after the fault is removed.
    private static Dictionary<string, string> FastSettings()
    {
        var settings = new Dictionary<string, string> { ["Breakwater:Broker"] = "paper" };
        foreach (var dependency in new[] { "Broker", "Database", "MarketData" })
        {
            settings[$"Breakwater:Health:{dependency}:Interval"] = "00:00:00.250";
            settings[$"Breakwater:Health:{dependency}:Timeout"] = "00:00:00.200";
        }

        foreach (var breaker in new[] { "broker", "database", "marketData" })
        {
            settings[$"Breakwater:Breakers:{breaker}:BreakDuration"] = "00:00:02";
            settings[$"Breakwater:Breakers:{breaker}:MaxBreakDuration"] = "00:00:04";
        }

        return settings;
    }
}
