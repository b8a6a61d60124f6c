using Breakwater.Domain.Journal;
using Breakwater.Resilience.DependencyInjection;
using Breakwater.Resilience.Tests.Guards;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Breakwater.Resilience.Tests.DependencyInjection;

/// <summary>The container's disposal reaches the services a guard wraps, so a journal's writer drains at shutdown.</summary>
public sealed class GuardOwnershipTests
{
    private static ServiceProvider Build(Action<IServiceCollection> register)
    {
        var services = new ServiceCollection();
        register(services);
        services.AddBreakwaterBreakers(new ConfigurationBuilder().Build());
        services.AddBreakwaterGuards();
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task DisposeAsync_FactoryRegisteredJournalWrappedByGuard_DisposesJournal()
    {
        var journal = new FakeJournal();
        var provider = Build(services => services.AddSingleton<IOrderJournal>(_ => journal));
        _ = provider.GetRequiredService<IOrderJournal>();

        await provider.DisposeAsync();

        Assert.Equal(1, journal.DisposeCalls);
    }

    [Fact]
    public void Dispose_FactoryRegisteredJournalWrappedByGuard_DisposesJournal()
    {
        var journal = new FakeJournal();
        var provider = Build(services => services.AddSingleton<IOrderJournal>(_ => journal));
        _ = provider.GetRequiredService<IOrderJournal>();

        provider.Dispose();

        Assert.Equal(1, journal.DisposeCalls);
    }

    [Fact]
    public async Task DisposeAsync_InstanceRegisteredJournal_LeftToRegistrant()
    {
        var journal = new FakeJournal();
        var provider = Build(services => services.AddSingleton<IOrderJournal>(journal));
        _ = provider.GetRequiredService<IOrderJournal>();

        await provider.DisposeAsync();

        Assert.Equal(0, journal.DisposeCalls);
    }
}
