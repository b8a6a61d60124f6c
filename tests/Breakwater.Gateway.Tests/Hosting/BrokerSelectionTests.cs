using Breakwater.Gateway.Hosting;
using Microsoft.Extensions.Configuration;

namespace Breakwater.Gateway.Tests.Hosting;

public sealed class BrokerSelectionTests
{
    private static IConfiguration With(string key, string? value) =>
        new ConfigurationBuilder().AddInMemoryCollection([new(key, value)]).Build();

    [Theory]
    [InlineData(null, "paper")]
    [InlineData("", "paper")]
    [InlineData("Paper", "paper")]
    [InlineData("Ibkr", "ibkr")]
    [InlineData("IBKR", "ibkr")]
    [InlineData(" ibkr ", "ibkr")]
    public void GetBroker_KindValue_ReturnsBroker(string? configured, string expected)
    {
        Assert.Equal(expected, BrokerSelection.GetBroker(With("Breakwater:Broker:Kind", configured)));
    }

    [Theory]
    [InlineData("paper", "paper")]
    [InlineData("IBKR", "ibkr")]
    public void GetBroker_LegacyScalarKey_ReturnsBroker(string configured, string expected)
    {
        Assert.Equal(expected, BrokerSelection.GetBroker(With("Breakwater:Broker", configured)));
    }

    [Fact]
    public void GetBroker_KindAndLegacyKey_KindWins()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("Breakwater:Broker", "paper"), new("Breakwater:Broker:Kind", "Ibkr")])
            .Build();

        Assert.Equal("ibkr", BrokerSelection.GetBroker(configuration));
    }

    [Fact]
    public void GetBroker_UnknownKind_ThrowsNamingKeyAndValue()
    {
        var exception = Assert.Throws<GatewayConfigurationException>(
            () => BrokerSelection.GetBroker(With("Breakwater:Broker:Kind", "schwab")));

        Assert.Equal(
            "Breakwater:Broker:Kind must be 'Paper' or 'Ibkr' (any letter case), but it is 'schwab'.", exception.Message);
    }

    [Fact]
    public void GetBroker_UnknownLegacyValue_ThrowsNamingLegacyKey()
    {
        var exception = Assert.Throws<GatewayConfigurationException>(
            () => BrokerSelection.GetBroker(With("Breakwater:Broker", "schwab")));

        Assert.Equal(
            "Breakwater:Broker must be 'Paper' or 'Ibkr' (any letter case), but it is 'schwab'.", exception.Message);
    }
}
