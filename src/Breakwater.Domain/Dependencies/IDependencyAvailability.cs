namespace Breakwater.Domain.Dependencies;

/// <summary>
/// A cheap view of whether a dependency may be called now, such as the state of its circuit breaker. The order
/// manager reads it before it journals a new order, so that a request refused with 503 leaves nothing behind.
/// </summary>
/// <remarks>Implementations are thread safe and do not perform I/O.</remarks>
public interface IDependencyAvailability
{
    /// <summary>
    /// Returns whether a call to <paramref name="dependency"/> (one of <see cref="DependencyNames"/>) may go out now.
    /// </summary>
    /// <param name="retryAfter">
    /// When the dependency is unavailable, the time until it may be tried again, or null when unknown.
    /// </param>
    bool IsAvailable(string dependency, out TimeSpan? retryAfter);
}
