using Breakwater.Domain.Brokers;
using Breakwater.Domain.MarketData;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Breakwater.Ibkr.Tests.Adapter;

public sealed class IbkrServiceCollectionExtensionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IBrokerUpdateSink, RecordingSink>();
        services.AddIbkrBroker(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task AddIbkrBroker_Registers_OneAdapterForBothContracts()
    {
        await using var provider = Build(new() { ["Breakwater:Ibkr:Port"] = "4102", ["Breakwater:Ibkr:ClientId"] = "12" });

        var broker = provider.GetRequiredService<IBroker>();
        var feed = provider.GetRequiredService<IMarketDataFeed>();
        var options = provider.GetRequiredService<IOptions<IbkrOptions>>().Value;

        Assert.Same(broker, feed);
        Assert.IsType<IbkrBroker>(broker);
        Assert.Equal(4102, options.Port);
        Assert.Equal(12, options.ClientId);
    }

    [Fact]
    public async Task AddIbkrBroker_InvalidOptions_NamesEachOption()
    {
        await using var provider = Build(new()
        {
            ["Breakwater:Ibkr:Port"] = "0",
            ["Breakwater:Ibkr:MessagesPerSecond"] = "80",
            ["Breakwater:Ibkr:DailyRestartStart"] = "23:45",
        });

        var error = Assert.Throws<OptionsValidationException>(
            () => provider.GetRequiredService<IOptions<IbkrOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains("Breakwater:Ibkr:Port must be between 1 and 65535; it is 0."));
        Assert.Contains(error.Failures, f => f.Contains("Breakwater:Ibkr:MessagesPerSecond", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("must be set together", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddIbkrBroker_PacingAboveLimitWithOptIn_IsValid()
    {
        await using var provider = Build(new()
        {
            ["Breakwater:Ibkr:MessagesPerSecond"] = "1000",
            ["Breakwater:Ibkr:AllowPacingAboveIbkrLimit"] = "true",
        });

        var options = provider.GetRequiredService<IOptions<IbkrOptions>>().Value;

        Assert.Equal(1000, options.MessagesPerSecond);
    }

    [Fact]
    public async Task AddIbkrBroker_PacingAboveLimitWithoutOptIn_NamesOptIn()
    {
        await using var provider = Build(new() { ["Breakwater:Ibkr:MessagesPerSecond"] = "51" });

        var error = Assert.Throws<OptionsValidationException>(
            () => provider.GetRequiredService<IOptions<IbkrOptions>>().Value);

        Assert.Contains(
            "Breakwater:Ibkr:MessagesPerSecond must be between 1 and 50 (IBKR's limit); it is 51. Set "
                + "Breakwater:Ibkr:AllowPacingAboveIbkrLimit only against the emulator.",
            error.Failures);
    }

    [Fact]
    public async Task AddIbkrBroker_PacingAboveOptInMaximum_IsInvalid()
    {
        await using var provider = Build(new()
        {
            ["Breakwater:Ibkr:MessagesPerSecond"] = "1001",
            ["Breakwater:Ibkr:AllowPacingAboveIbkrLimit"] = "true",
        });

        var error = Assert.Throws<OptionsValidationException>(
            () => provider.GetRequiredService<IOptions<IbkrOptions>>().Value);

        Assert.Contains("Breakwater:Ibkr:MessagesPerSecond must be between 1 and 1000; it is 1001.", error.Failures);
    }
}
