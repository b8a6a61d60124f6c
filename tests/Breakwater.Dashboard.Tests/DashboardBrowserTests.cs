using Breakwater.Dashboard.Tests.Infrastructure;

namespace Breakwater.Dashboard.Tests;

/// <summary>Runs the dashboard's JavaScript tests of tests/browser: the view model in Node and the page in Chromium.</summary>
public sealed class DashboardBrowserTests
{
    [Fact]
    public async Task ViewModel_NodeTests_Pass()
    {
        var (exitCode, output) = await BrowserScript.RunAsync("--test", "model.test.mjs");

        Assert.True(exitCode == 0, $"node --test model.test.mjs failed with exit code {exitCode}:\n{output}");
    }

    [Fact]
    public async Task Dashboard_FakeGateway_PassesBrowserChecks()
    {
        await using var gateway = await FakeGateway.StartAsync();

        var (exitCode, output) = await BrowserScript.RunAsync(
            "dashboard.test.mjs",
            "--url",
            gateway.BaseAddress.ToString(),
            "--token",
            gateway.Token,
            "--artifacts",
            BrowserScript.ArtifactsRoot);

        Assert.True(exitCode == 0, $"The browser script failed with exit code {exitCode}:\n{output}");
    }
}
