using Breakwater.Dashboard.Tests.Infrastructure;

namespace Breakwater.Dashboard.Tests;

/// <summary>Drives the dashboard in headless Chromium with tests/browser/dashboard.test.mjs.</summary>
public sealed class DashboardBrowserTests
{
    [Fact]
    public async Task Dashboard_FakeGatewayOutageAndCancelAll_PassesBrowserChecks()
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
