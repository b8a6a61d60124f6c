using Breakwater.Gateway.Hosting;
using Breakwater.Gateway.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Breakwater.Gateway.Tests.Security;

public sealed class ApiTokenStoreTests : IDisposable
{
    private readonly string _directory =
        Path.Combine(Path.GetTempPath(), "breakwater-token-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private ApiTokenStore Open() => new(
        Options.Create(new GatewayOptions { DataDirectory = _directory }), NullLogger<ApiTokenStore>.Instance);

    [Fact]
    public void Constructor_NoTokenFile_PublishesOwnerOnlyFileWithoutLeftovers()
    {
        var store = Open();

        var path = store.TokenFilePath!;
        var token = File.ReadAllText(path).Trim();
        Assert.True(store.Matches(token));
        Assert.InRange(token.Length, GatewayOptions.MinApiTokenLength, 256);
        Assert.Equal([path], Directory.GetFiles(_directory));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public async Task Constructor_ManyStartsAtOnce_AllUseOneCompleteToken()
    {
        var stores = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(Open)));

        var token = File.ReadAllText(stores[0].TokenFilePath!).Trim();
        Assert.All(stores, store => Assert.True(store.Matches(token)));
        Assert.Single(Directory.GetFiles(_directory));
    }
}
