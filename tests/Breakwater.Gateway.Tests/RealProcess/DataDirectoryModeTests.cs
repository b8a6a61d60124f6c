using System.Runtime.Versioning;
using Breakwater.Gateway.Tests.Infrastructure;

namespace Breakwater.Gateway.Tests.RealProcess;

/// <summary>The data directory and the files the gateway creates in it are private to the gateway's user.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class DataDirectoryModeTests : IDisposable
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _parent = Directory.CreateTempSubdirectory("breakwater-modes-").FullName;

    public void Dispose() => Directory.Delete(_parent, recursive: true);

    [Fact]
    public async Task Start_NewDataDirectory_DirectoryIs0700AndFilesAre0600()
    {
        var dataDirectory = Path.Combine(_parent, "data");
        await using (var gateway = await GatewayProcess.StartAsync(
            new GatewayProcessOptions { DataDirectory = dataDirectory, Token = null }))
        {
            await gateway.WaitForRunningAsync();
        }

        Assert.Equal(OwnerReadWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dataDirectory));
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(Path.Combine(dataDirectory, "api-token")));
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(Path.Combine(dataDirectory, "journal.db")));
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(Path.Combine(dataDirectory, "paper-broker.db")));
        Assert.All(
            Directory.GetFiles(dataDirectory, "*", SearchOption.AllDirectories),
            file => Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(file) & ~UnixFileMode.UserExecute));
    }

    [Fact]
    public async Task Start_ExistingOpenDataDirectory_TightenedTo0700()
    {
        var dataDirectory = Path.Combine(_parent, "open");
        Directory.CreateDirectory(dataDirectory);
        File.SetUnixFileMode(dataDirectory, (UnixFileMode)Convert.ToInt32("755", 8));

        await using (var gateway = await GatewayProcess.StartAsync(new GatewayProcessOptions { DataDirectory = dataDirectory }))
        {
            await gateway.WaitForRunningAsync();
        }

        Assert.Equal(OwnerReadWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dataDirectory));
    }
}
