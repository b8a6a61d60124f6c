using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Health;
using Breakwater.Health.Probes;
using Breakwater.Ibkr.Supervision;

namespace Breakwater.Gateway.Hosting.Ibkr;

/// <summary>Fixed probe outputs of the IBKR probes; served without authentication, so they name no host.</summary>
internal static class IbkrProbeOutputs
{
    public const string NotConnected = "Not connected to IB Gateway.";

    public const string DailyRestart = "IB Gateway is in its daily restart window.";

    public const string FarmBroken = "A market data farm connection of IB Gateway is broken.";
}

/// <summary>
/// Reports the broker from the supervisor's view while IB Gateway is unavailable (degraded inside the daily restart
/// window, unhealthy otherwise), and with a reqCurrentTime round trip (<see cref="IBroker.PingAsync"/>) while it is
/// available.
/// </summary>
internal sealed class IbkrBrokerProbe(IbkrConnectionSupervisor supervisor, IBroker broker, TimeProvider time)
    : IDependencyProbe
{
    private readonly BrokerProbe _ping = new(broker, time);

    public string Dependency => DependencyNames.Broker;

    public Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken) => supervisor.GetBrokerHealth() switch
    {
        IbkrHealth.Healthy => _ping.ProbeAsync(cancellationToken),
        IbkrHealth.Degraded => Task.FromResult(new ProbeResult(HealthStatus.Degraded, null, null, IbkrProbeOutputs.DailyRestart)),
        _ => Task.FromResult(ProbeResult.Unhealthy(IbkrProbeOutputs.NotConnected)),
    };
}

/// <summary>
/// Reports market data from the supervisor's view (farm notices, the broker link, the restart window) and, while
/// all of them are fine, from the age of the newest quote like <see cref="MarketDataProbe"/>.
/// </summary>
internal sealed class IbkrMarketDataProbe(IbkrConnectionSupervisor supervisor, MarketDataProbe quoteAge) : IDependencyProbe
{
    public string Dependency => DependencyNames.MarketData;

    public Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var health = supervisor.GetMarketDataHealth();
        if (health == IbkrHealth.Healthy)
        {
            return quoteAge.ProbeAsync(cancellationToken);
        }

        if (health == IbkrHealth.Unhealthy)
        {
            return Task.FromResult(ProbeResult.Unhealthy(IbkrProbeOutputs.NotConnected));
        }

        var output = supervisor.State.BrokerAvailable ? IbkrProbeOutputs.FarmBroken : IbkrProbeOutputs.DailyRestart;
        return Task.FromResult(new ProbeResult(HealthStatus.Degraded, null, null, output));
    }
}
