using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Journal;
using Breakwater.Domain.MarketData;
using Breakwater.Resilience.CircuitBreaking;
using Breakwater.Resilience.DependencyInjection;
using Breakwater.Resilience.Guards;
using Breakwater.Resilience.Tests.Guards;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Breakwater.Resilience.Tests.DependencyInjection;

public sealed class RegistrationTests
{
    [Fact]
    public void AddBreakwaterBreakers_Configuration_BindsNamedOptionsWithDefaults()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["Breakwater:Breakers:broker:FailureThreshold"] = "5",
            ["Breakwater:Breakers:broker:BreakDuration"] = "00:00:45",
            ["Breakwater:Breakers:database:FailureRatio"] = "0.25",
        });

        var options = provider.GetRequiredService<IOptionsMonitor<BreakerOptions>>();
        var broker = options.Get(DependencyNames.Broker);
        var database = options.Get(DependencyNames.Database);
        var marketData = options.Get(DependencyNames.MarketData);

        Assert.Equal(5, broker.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(45), broker.BreakDuration);
        Assert.Equal(TimeSpan.FromSeconds(5), broker.CallTimeout);
        Assert.Equal(0.25, database.FailureRatio);
        Assert.Equal(TimeSpan.FromSeconds(2), database.CallTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), marketData.CallTimeout);
        Assert.Same(BreakerFailurePredicates.Default, broker.ShouldCountException);
    }

    [Fact]
    public void AddBreakwaterBreakers_Registry_HoldsOneBreakerPerDependency()
    {
        using var provider = Build([]);

        var registry = provider.GetRequiredService<BreakerRegistry>();
        var snapshots = registry.GetSnapshots();

        Assert.Equal(DependencyNames.All, registry.Breakers.Select(b => b.Name));
        Assert.All(snapshots, s => Assert.Equal(BreakerState.Closed, s.State));
        Assert.Same(registry.Get(DependencyNames.Broker), registry.Get(DependencyNames.Broker));
        Assert.False(registry.TryGet("cache", out _));
        var thrown = Assert.Throws<KeyNotFoundException>(() => registry.Get("cache"));
        Assert.Equal(
            "No circuit breaker is named 'cache'; the known names are broker, database, marketData.", thrown.Message);
    }

    [Fact]
    public void StartupValidation_InvalidOption_FailsWithOptionName()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["Breakwater:Breakers:broker:FailureRatio"] = "1.5",
        });

        var thrown = Assert.Throws<OptionsValidationException>(
            () => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(
            "Breakwater:Breakers:broker:FailureRatio must be between 0 and 1 (exclusive of 0); it was 1.5.",
            thrown.Failures);
    }

    [Fact]
    public void AddBreakwaterGuards_RegisteredDependencies_AreDecorated()
    {
        var services = new ServiceCollection();
        var inner = new FakeBroker();
        services.AddSingleton<IBroker>(inner);
        services.AddSingleton<IOrderJournal, FakeJournal>();
        services.AddSingleton<IMarketDataFeed>(_ => new FakeFeed());
        services.AddBreakwaterBreakers(new ConfigurationBuilder().Build());
        services.AddBreakwaterGuards();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<GuardedBroker>(provider.GetRequiredService<IBroker>());
        Assert.IsType<GuardedOrderJournal>(provider.GetRequiredService<IOrderJournal>());
        Assert.IsType<GuardedMarketDataFeed>(provider.GetRequiredService<IMarketDataFeed>());
        Assert.Same(provider.GetRequiredService<IBroker>(), provider.GetRequiredService<IBroker>());
    }

    [Fact]
    public async Task AddBreakwaterGuards_BrokerBreakerIsolated_DecoratorUsesRegistryBreaker()
    {
        var services = new ServiceCollection();
        var inner = new FakeBroker();
        services.AddSingleton<IBroker>(inner);
        services.AddBreakwaterBreakers(new ConfigurationBuilder().Build());
        services.AddBreakwaterGuards();
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<BreakerRegistry>().Get(DependencyNames.Broker).Isolate("Operator test.");

        await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => provider.GetRequiredService<IBroker>().PingAsync(CancellationToken.None));

        Assert.Equal(0, inner.PingCalls);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddBreakwaterBreakers(configuration);
        return services.BuildServiceProvider();
    }
}
