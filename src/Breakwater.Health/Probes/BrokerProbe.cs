using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;

namespace Breakwater.Health.Probes;

/// <summary>Sends a heartbeat to the broker with <see cref="IBroker.PingAsync"/> and reports its round-trip time.</summary>
public sealed class BrokerProbe : IDependencyProbe
{
    private readonly IBroker _broker;
    private readonly TimeProvider _timeProvider;

    public BrokerProbe(IBroker broker, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _broker = broker;
        _timeProvider = timeProvider;
    }

    public string Dependency => DependencyNames.Broker;

    public async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        await _broker.PingAsync(cancellationToken);
        return ProbeResult.Healthy(_timeProvider.GetElapsedTime(started).TotalMilliseconds, "ms");
    }
}
