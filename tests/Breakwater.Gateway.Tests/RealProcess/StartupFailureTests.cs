using System.Runtime.Versioning;
using Breakwater.Gateway.Hosting;
using Breakwater.Gateway.Tests.Infrastructure;

namespace Breakwater.Gateway.Tests.RealProcess;

/// <summary>
/// Invalid settings and startup files end the real process with one fatal line naming the setting and exit code 78,
/// not an unhandled-exception abort.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class StartupFailureTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("breakwater-startfail-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Start_ShortTokenFile_ExitsWithConfigurationCode()
    {
        var tokenFile = Path.Combine(_directory, "api-token");
        await File.WriteAllTextAsync(tokenFile, "short");
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var output = await StartExpectingFailureAsync(token: null, new Dictionary<string, string>());

        Assert.Contains("exited with code 78", output, StringComparison.Ordinal);
        Assert.Contains("crit: The gateway cannot start", output, StringComparison.Ordinal);
        Assert.Contains(tokenFile, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_TokenPathIsDirectory_ExitsWithConfigurationCode()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "api-token"));

        var output = await StartExpectingFailureAsync(token: null, new Dictionary<string, string>());

        Assert.Contains("exited with code 78", output, StringComparison.Ordinal);
        Assert.Contains("not a regular file", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_InvalidPostgresConnectionString_ExitsNamingSetting()
    {
        var settings = new Dictionary<string, string>
        {
            ["Breakwater:Journal:Provider"] = "Postgres",
            ["Breakwater:Journal:ConnectionString"] = "Host=127.0.0.1;Port=abc;Password=hunter2secret",
        };

        var output = await StartExpectingFailureAsync(token: "process-test-token-0123456789", settings);

        Assert.Contains("exited with code 78", output, StringComparison.Ordinal);
        Assert.Contains("Breakwater:Journal:ConnectionString", output, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2secret", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ConfiguredTokenTooLong_ExitsNamingKeyNotValue()
    {
        var token = "long-token-" + new string('z', 300);

        var output = await StartExpectingFailureAsync(token, new Dictionary<string, string>());

        Assert.Contains("exited with code 78", output, StringComparison.Ordinal);
        Assert.Contains("Breakwater:ApiToken", output, StringComparison.Ordinal);
        Assert.DoesNotContain(token, output, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigurationErrorCode_IsDocumentedValue() =>
        Assert.Equal(78, GatewayExitCodes.ConfigurationError);

    private async Task<string> StartExpectingFailureAsync(string? token, Dictionary<string, string> settings)
    {
        var options = new GatewayProcessOptions { DataDirectory = _directory, Token = token, Settings = settings };
        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayProcess.StartAsync(options));
        return exception.Message;
    }
}
