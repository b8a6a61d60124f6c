using Breakwater.Domain.Dependencies;
using Breakwater.Gateway.Hosting.Ibkr;
using Breakwater.Health;
using Breakwater.Ibkr;
using Breakwater.Ibkr.Client;
using Breakwater.Ibkr.Supervision;
using Breakwater.Resilience.CircuitBreaking;
using Breakwater.Resilience.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using HealthBreakerState = Breakwater.Health.Breakers.BreakerState;

namespace Breakwater.Gateway.Tests.Ibkr;

/// <summary>
/// The daily restart window with a supervisor that has no session: a disconnect inside the window is degraded, one
/// that outlasts it is unhealthy.
/// </summary>
public sealed class IbkrRestartWindowHealthTests : IAsyncDisposable
{
    // 23:45 to 00:15 New York time; 2026-12-04 04:50 UTC is 23:50 on 2026-12-03 in New York (EST, UTC-5).
    private static readonly DateTimeOffset InsideWindow = new(2026, 12, 4, 4, 50, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(InsideWindow);
    private readonly IbkrConnectionSupervisor _supervisor;
    private readonly ServiceProvider _services;
    private readonly BreakerRegistry _breakers;

    public IbkrRestartWindowHealthTests()
    {
        var options = Options.Create(new IbkrOptions
        {
            DailyRestartStart = new TimeOnly(23, 45),
            DailyRestartEnd = new TimeOnly(0, 15),
        });
        _supervisor = new IbkrConnectionSupervisor(
            options,
            new IbPacer(_time, new IbPacerOptions()),
            _time,
            NullLogger<IbkrConnectionSupervisor>.Instance);
        var collection = new ServiceCollection();
        collection.AddSingleton<TimeProvider>(_time);
        collection.AddLogging();
        collection.AddBreakwaterBreakers(new ConfigurationBuilder().Build());
        _services = collection.BuildServiceProvider();
        _breakers = _services.GetRequiredService<BreakerRegistry>();
    }

    [Fact]
    public async Task BrokerProbe_DisconnectedInsideWindow_ReturnsDegraded()
    {
        var probe = new IbkrBrokerProbe(_supervisor, new ThrowingBroker(), _time);

        var result = await probe.ProbeAsync(CancellationToken.None);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal(IbkrProbeOutputs.DailyRestart, result.Output);
    }

    [Fact]
    public async Task BrokerProbe_DisconnectOutlastsWindow_ReturnsUnhealthy()
    {
        var probe = new IbkrBrokerProbe(_supervisor, new ThrowingBroker(), _time);

        _time.Advance(TimeSpan.FromMinutes(30));
        var result = await probe.ProbeAsync(CancellationToken.None);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal(IbkrProbeOutputs.NotConnected, result.Output);
    }

    [Fact]
    public void GetBreaker_IsolatedByCoordinatorInsideWindow_MarksExpectedOutage()
    {
        _breakers.Get(DependencyNames.Broker).Isolate(IbkrBreakerCoordinator.IsolationReason);
        var source = new IbkrBreakerStateSource(_breakers, _supervisor);

        var inside = source.GetBreaker(DependencyNames.Broker);
        _time.Advance(TimeSpan.FromMinutes(30));
        var after = source.GetBreaker(DependencyNames.Broker);

        Assert.Equal(HealthBreakerState.Isolated, inside?.State);
        Assert.True(inside?.ExpectedOutage);
        Assert.Equal(HealthBreakerState.Isolated, after?.State);
        Assert.False(after?.ExpectedOutage);
    }

    [Fact]
    public void GetBreaker_IsolatedByOperatorInsideWindow_StaysUnexpected()
    {
        _breakers.Get(DependencyNames.Broker).Isolate("Maintenance by the operator.");
        var source = new IbkrBreakerStateSource(_breakers, _supervisor);

        var view = source.GetBreaker(DependencyNames.Broker);

        Assert.Equal(HealthBreakerState.Isolated, view?.State);
        Assert.False(view?.ExpectedOutage);
    }

    public async ValueTask DisposeAsync()
    {
        await _supervisor.DisposeAsync();
        await _services.DisposeAsync();
    }

    /// <summary>A broker whose ping must never run while the supervisor reports no session.</summary>
    private sealed class ThrowingBroker : Domain.Brokers.IBroker
    {
        public Task PingAsync(CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The probe pinged a broker the supervisor reports as disconnected.");

        public Task<Domain.Brokers.BrokerAck> PlaceOrderAsync(
            Domain.Brokers.BrokerOrder order, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task CancelOrderAsync(Domain.Brokers.BrokerOrderReference order, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<IReadOnlyList<Domain.Brokers.BrokerOrderState>> GetOpenOrdersAsync(
            Domain.Brokers.OpenOrderScope scope, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Domain.Brokers.BrokerOrderState?> FindOrderAsync(
            string clientOrderId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
