using System.Runtime.Versioning;
using Breakwater.Gateway.Hosting;
using Breakwater.Gateway.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Breakwater.Gateway.Tests.Security;

/// <summary>The generated token file and the token files the store rejects, on a real temporary directory.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class ApiTokenStoreTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _directory = Directory.CreateTempSubdirectory("breakwater-token-").FullName;

    private string TokenPath => Path.Combine(_directory, "api-token");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Constructor_NoTokenFile_WritesOwnerOnlyFileAndNoTemporaryFile()
    {
        var store = CreateStore();

        var token = File.ReadAllText(TokenPath).Trim();
        Assert.Equal(TokenPath, store.TokenFilePath);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(TokenPath));
        Assert.True(store.Matches(token));
        Assert.Equal(["api-token"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void Constructor_ExistingTokenFile_UsesIt()
    {
        var first = CreateStore();
        var token = File.ReadAllText(TokenPath).Trim();

        var second = CreateStore();

        Assert.True(first.Matches(token));
        Assert.True(second.Matches(token));
    }

    [Fact]
    public void Constructor_GroupReadableTokenFile_RejectedWithDeleteAdvice()
    {
        File.WriteAllText(TokenPath, "group-readable-token-0123456789");
        File.SetUnixFileMode(TokenPath, OwnerOnly | UnixFileMode.GroupRead);

        var exception = Assert.Throws<GatewayConfigurationException>(CreateStore);

        Assert.Contains("0640", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Delete the file", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("group-readable-token", exception.Message, StringComparison.Ordinal);
        Assert.Equal(OwnerOnly | UnixFileMode.GroupRead, File.GetUnixFileMode(TokenPath));
    }

    [Fact]
    public void Constructor_SymlinkToTokenFile_RejectedAndTargetUnchanged()
    {
        var target = Path.Combine(_directory, "elsewhere");
        File.WriteAllText(target, "linked-token-0123456789abcdef");
        File.SetUnixFileMode(target, OwnerOnly | UnixFileMode.OtherRead);
        File.CreateSymbolicLink(TokenPath, target);

        var exception = Assert.Throws<GatewayConfigurationException>(CreateStore);

        Assert.Contains("symbolic link", exception.Message, StringComparison.Ordinal);
        Assert.Equal(OwnerOnly | UnixFileMode.OtherRead, File.GetUnixFileMode(target));
    }

    [Fact]
    public void Constructor_DanglingSymlink_Rejected()
    {
        File.CreateSymbolicLink(TokenPath, Path.Combine(_directory, "missing"));

        var exception = Assert.Throws<GatewayConfigurationException>(CreateStore);

        Assert.Contains("symbolic link", exception.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "missing")));
    }

    [Fact]
    public void Constructor_TokenPathIsDirectory_Rejected()
    {
        Directory.CreateDirectory(TokenPath);

        var exception = Assert.Throws<GatewayConfigurationException>(CreateStore);

        Assert.Contains("not a regular file", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    public void Constructor_ShortTokenFile_RejectedWithLength(string content)
    {
        File.WriteAllText(TokenPath, content);
        File.SetUnixFileMode(TokenPath, OwnerOnly);

        var exception = Assert.Throws<GatewayConfigurationException>(CreateStore);

        Assert.Contains($"contains {content.Length}", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ConfiguredTokenLongerThanPresentable_FailsNamingKeyNotValue()
    {
        var token = new string('x', ApiTokenStore.MaxPresentedLength + 1);

        var result = new GatewayOptionsValidatorProbe().Validate(token);

        Assert.True(result.Failed);
        Assert.Contains("Breakwater:ApiToken", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(token, result.FailureMessage, StringComparison.Ordinal);
    }

    private ApiTokenStore CreateStore() =>
        new(Options.Create(new GatewayOptions { DataDirectory = _directory }), NullLogger<ApiTokenStore>.Instance);

    /// <summary>Runs the registered options validation the way the host does at start.</summary>
    private sealed class GatewayOptionsValidatorProbe
    {
        public ValidateOptionsResult Validate(string token)
        {
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddBreakwaterGateway(new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Breakwater:ApiToken"] = token })
                .Build());
            using var provider = services.BuildServiceProvider();
            var validators = provider.GetServices<IValidateOptions<GatewayOptions>>();
            var options = new GatewayOptions { ApiToken = token };
            return validators.Select(v => v.Validate(Options.DefaultName, options)).First(r => r.Failed);
        }
    }
}
