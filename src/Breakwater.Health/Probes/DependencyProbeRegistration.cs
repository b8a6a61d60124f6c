namespace Breakwater.Health.Probes;

/// <summary>
/// Registers the probe of one dependency. The monitor creates the probe through <see cref="Factory"/> on its first
/// run and again after a failed creation, so a probe whose dependencies cannot be resolved is reported as failed
/// without stopping the other probes.
/// </summary>
/// <param name="Dependency">The dependency, one of <see cref="Domain.Dependencies.DependencyNames"/>.</param>
/// <param name="Measurement">The part after the colon in the readiness check key, for example <c>heartbeat</c>.</param>
/// <param name="ComponentType">The draft's <c>componentType</c>: <c>component</c>, <c>datastore</c> or <c>system</c>.</param>
/// <param name="Factory">Creates the probe from the root service provider.</param>
public sealed record DependencyProbeRegistration(
    string Dependency,
    string Measurement,
    string ComponentType,
    Func<IServiceProvider, IDependencyProbe> Factory);
