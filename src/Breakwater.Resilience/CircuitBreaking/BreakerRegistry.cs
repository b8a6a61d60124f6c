using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Breakwater.Resilience.CircuitBreaking;

/// <summary>
/// The named circuit breakers of the gateway, one per dependency (see
/// <see cref="Domain.Dependencies.DependencyNames"/>), created once from the named <see cref="BreakerOptions"/>.
/// Register it with <c>services.AddBreakwaterBreakers(configuration)</c>. Thread safe.
/// </summary>
public sealed class BreakerRegistry
{
    private readonly Dictionary<string, CircuitBreaker> _breakers;

    /// <summary>Creates one breaker per name from the named options.</summary>
    /// <exception cref="OptionsValidationException">The options of a breaker are invalid.</exception>
    public BreakerRegistry(
        IEnumerable<string> names,
        IOptionsMonitor<BreakerOptions> options,
        TimeProvider timeProvider,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);

        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<CircuitBreaker>();
        _breakers = new Dictionary<string, CircuitBreaker>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            _breakers[name] = new CircuitBreaker(name, options.Get(name), timeProvider, logger);
        }

        Breakers = [.. _breakers.Values];
    }

    /// <summary>Every breaker, in the order of the names given at creation.</summary>
    public IReadOnlyList<CircuitBreaker> Breakers { get; }

    /// <summary>Returns the breaker with <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No breaker has that name; the message lists the known names.</exception>
    public CircuitBreaker Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);

        return _breakers.TryGetValue(name, out var breaker)
            ? breaker
            : throw new KeyNotFoundException(
                $"No circuit breaker is named '{name}'; the known names are {string.Join(", ", _breakers.Keys)}.");
    }

    /// <summary>Looks up the breaker with <paramref name="name"/>; false when there is none.</summary>
    public bool TryGet(string name, out CircuitBreaker breaker)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _breakers.TryGetValue(name, out breaker!);
    }

    /// <summary>Returns a snapshot of every breaker, in the order of <see cref="Breakers"/>.</summary>
    public IReadOnlyList<BreakerSnapshot> GetSnapshots()
    {
        var snapshots = new BreakerSnapshot[Breakers.Count];
        for (int i = 0; i < snapshots.Length; i++)
        {
            snapshots[i] = Breakers[i].GetSnapshot();
        }

        return snapshots;
    }
}
