using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Orders;
using Breakwater.Gateway.Hosting;
using Breakwater.Resilience.CircuitBreaking;
using Microsoft.Extensions.Options;

namespace Breakwater.Gateway.Tests.Hosting;

public sealed class OrderManagerOptionsValidatorTests
{
    private static ValidateOptionsResult Validate(TimeSpan gracePeriod, TimeSpan brokerCallTimeout)
    {
        var breakers = new StaticMonitor(new BreakerOptions { CallTimeout = brokerCallTimeout });
        return new OrderManagerOptionsValidator(breakers)
            .Validate(null, new OrderManagerOptions { SubmitUncertainGracePeriod = gracePeriod });
    }

    [Fact]
    public void Validate_GraceShorterThanBrokerCallTimeout_FailsNamingBothOptions()
    {
        var result = Validate(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));

        Assert.True(result.Failed);
        Assert.Equal(
            "Breakwater:Orders:SubmitUncertainGracePeriod must be at least Breakwater:Breakers:broker:CallTimeout " +
            "(00:00:05), but it is 00:00:02.",
            Assert.Single(result.Failures!));
    }

    [Fact]
    public void Validate_GraceEqualToBrokerCallTimeout_Succeeds()
    {
        Assert.True(Validate(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)).Succeeded);
    }

    private sealed class StaticMonitor(BreakerOptions broker) : IOptionsMonitor<BreakerOptions>
    {
        public BreakerOptions CurrentValue => broker;

        public BreakerOptions Get(string? name) =>
            name == DependencyNames.Broker ? broker : throw new ArgumentException($"Unexpected breaker '{name}'.");

        public IDisposable? OnChange(Action<BreakerOptions, string?> listener) => null;
    }
}
