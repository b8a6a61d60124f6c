using Breakwater.Gateway.Hosting;
using Microsoft.Extensions.Configuration;

namespace Breakwater.Gateway.Tests.Hosting;

public sealed class BrokerSelectionTests
{
    private static IConfiguration With(string? broker) =>
        new ConfigurationBuilder().AddInMemoryCollection([new("Breakwater:Broker", broker)]).Build();

    [Theory]
    [InlineData(null, "paper")]
    [InlineData("", "paper")]
    [InlineData("paper", "paper")]
    [InlineData("IBKR", "ibkr")]
    [InlineData(" ibkr ", "ibkr")]
    public void GetBroker_ValidValue_ReturnsBroker(string? configured, string expected)
    {
        Assert.Equal(expected, BrokerSelection.GetBroker(With(configured)));
    }

    [Fact]
    public void GetBroker_UnknownValue_ThrowsNamingKeyAndValue()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => BrokerSelection.GetBroker(With("schwab")));

        Assert.Equal("Breakwater:Broker must be 'paper' or 'ibkr', but it is 'schwab'.", exception.Message);
    }
}
