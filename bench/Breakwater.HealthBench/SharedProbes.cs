using Breakwater.Health;
using Breakwater.Health.Probes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Breakwater.HealthBench;

/// <summary>
/// Replaces a host's probe registrations so that its dependency monitor and the stock health checks call one
/// <see cref="CountingProbe"/> per dependency, each around the probe that the host's own registration creates.
/// </summary>
/// <remarks>
/// Like the monitor, it keeps the last registration of each dependency (the IBKR probes replace the default broker
/// and market data probes) and the order of first registration. Thread-safe.
/// </remarks>
internal sealed class SharedProbes
{
    private readonly IReadOnlyList<DependencyProbeRegistration> _registrations;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, CountingProbe> _probes = new(StringComparer.Ordinal);

    private SharedProbes(IReadOnlyList<DependencyProbeRegistration> registrations) => _registrations = registrations;

    /// <summary>Replaces every <see cref="DependencyProbeRegistration"/> in <paramref name="services"/>.</summary>
    public static SharedProbes Install(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var registered = services
            .Where(descriptor => descriptor.ServiceType == typeof(DependencyProbeRegistration))
            .Select(descriptor => descriptor.ImplementationInstance as DependencyProbeRegistration
                ?? throw new InvalidOperationException(
                    "Every DependencyProbeRegistration must be registered as an instance (AddDependencyProbe does so), "
                    + "but one is registered by type or factory."))
            .ToList();
        var effective = registered
            .Select(registration => registration.Dependency)
            .Distinct(StringComparer.Ordinal)
            .Select(name => registered.Last(registration => registration.Dependency == name))
            .ToList();

        var shared = new SharedProbes(effective);
        services.RemoveAll<DependencyProbeRegistration>();
        foreach (var registration in effective)
        {
            services.AddDependencyProbe(
                registration.Dependency,
                registration.Measurement,
                registration.ComponentType,
                provider => shared.Get(registration.Dependency, provider));
        }

        return shared;
    }

    /// <summary>Returns the shared probe of every dependency and creates those the monitor has not created.</summary>
    public IReadOnlyList<CountingProbe> GetAll(IServiceProvider provider) =>
        [.. _registrations.Select(registration => Get(registration.Dependency, provider))];

    /// <summary>Reads the calls and failures of every dependency. A probe not created yet counts zero.</summary>
    public (Dictionary<string, long> Calls, Dictionary<string, long> Failed) Read()
    {
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        var failed = new Dictionary<string, long>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var registration in _registrations)
            {
                var probe = _probes.GetValueOrDefault(registration.Dependency);
                calls[registration.Dependency] = probe?.Calls ?? 0;
                failed[registration.Dependency] = probe?.Failed ?? 0;
            }
        }

        return (calls, failed);
    }

    private CountingProbe Get(string dependency, IServiceProvider provider)
    {
        lock (_gate)
        {
            if (!_probes.TryGetValue(dependency, out var probe))
            {
                var registration = _registrations.First(r => r.Dependency == dependency);
                probe = new CountingProbe(registration.Factory(provider));
                _probes.Add(dependency, probe);
            }

            return probe;
        }
    }
}

/// <summary>Counts the calls of a probe and those that threw or returned a status other than healthy.</summary>
internal sealed class CountingProbe(IDependencyProbe inner) : IDependencyProbe
{
    private long _calls;
    private long _failed;

    public string Dependency => inner.Dependency;

    public long Calls => Interlocked.Read(ref _calls);

    public long Failed => Interlocked.Read(ref _failed);

    public async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        try
        {
            var result = await inner.ProbeAsync(cancellationToken);
            if (result.Status != HealthStatus.Healthy)
            {
                Interlocked.Increment(ref _failed);
            }

            return result;
        }
        catch
        {
            Interlocked.Increment(ref _failed);
            throw;
        }
    }
}
