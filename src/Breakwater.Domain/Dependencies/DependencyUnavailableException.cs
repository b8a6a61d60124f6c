namespace Breakwater.Domain.Dependencies;

/// <summary>
/// A dependency could not serve a call: its breaker is open, the call timed out, or the transport failed.
/// The HTTP layer turns it into 503 with <c>Retry-After</c>.
/// </summary>
public class DependencyUnavailableException : Exception
{
    public DependencyUnavailableException()
        : this("unknown", "The dependency is unavailable.")
    {
    }

    public DependencyUnavailableException(string message)
        : this("unknown", message)
    {
    }

    public DependencyUnavailableException(string message, Exception innerException)
        : this("unknown", message, innerException: innerException)
    {
    }

    public DependencyUnavailableException(
        string dependency,
        string message,
        TimeSpan? retryAfter = null,
        bool requestMayHaveReachedDependency = false,
        Exception? innerException = null)
        : base(message, innerException)
    {
        Dependency = dependency;
        RetryAfter = retryAfter;
        RequestMayHaveReachedDependency = requestMayHaveReachedDependency;
    }

    /// <summary>One of <see cref="DependencyNames"/>.</summary>
    public string Dependency { get; }

    /// <summary>When the dependency may be tried again, if known (the time left in an open breaker).</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>
    /// True when the request may have been delivered before the failure (a timeout after the bytes were written).
    /// A submit that fails this way is never retried blindly: it is reconciled by client order id.
    /// </summary>
    public bool RequestMayHaveReachedDependency { get; }
}
