using Breakwater.Dashboard.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Breakwater.Dashboard.Tests;

/// <summary>Runs the dashboard's JavaScript tests of tests/browser: the view model in Node and the page in Chromium.</summary>
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
    public async Task Dashboard_FakeGateway_PassesBrowserChecks()
    {
        await using var gateway = await FakeGateway.StartAsync();

        var (exitCode, text) = await BrowserScript.RunAsync(
            "dashboard.test.mjs",
            "--url",
            gateway.BaseAddress.ToString(),
            "--token",
            gateway.Token,
            "--artifacts",
            BrowserScript.ArtifactsRoot);

        output.WriteLine(text);
        Assert.True(exitCode == 0, $"The browser script failed with exit code {exitCode}:\n{text}");
    }
}
