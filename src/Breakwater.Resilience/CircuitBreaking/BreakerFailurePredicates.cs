using System.Data.Common;
using System.Net.Sockets;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;

namespace Breakwater.Resilience.CircuitBreaking;

/// <summary>Ready-made predicates that decide which exceptions count as dependency failures.</summary>
/// <remarks>
/// The breaker itself never counts an <see cref="OperationCanceledException"/> while the caller's token is cancelled,
/// whatever the predicate returns, and always counts its own call timeout. The predicates decide the rest.
/// </remarks>
public static class BreakerFailurePredicates
{
    /// <summary>
    /// Counts every exception except <see cref="BrokerRejectionException"/> (a business refusal from a healthy broker).
    /// This is the default, because a dependency that throws something unexpected is treated as unhealthy rather
    /// than silently passed over.
    /// </summary>
    public static Func<Exception, bool> Default { get; } =
        static exception => exception is not BrokerRejectionException;

    /// <summary>
    /// Counts only transport and availability failures: <see cref="DependencyUnavailableException"/>,
    /// <see cref="SocketException"/>, <see cref="IOException"/>, <see cref="TimeoutException"/>,
    /// <see cref="HttpRequestException"/>, <see cref="DbException"/> (the base of <c>NpgsqlException</c> and
    /// <c>SqliteException</c>) and an <see cref="OperationCanceledException"/> that the caller did not request.
    /// </summary>
    public static Func<Exception, bool> TransportOnly { get; } = static exception => exception
        is DependencyUnavailableException
        or SocketException
        or IOException
        or TimeoutException
        or HttpRequestException
        or DbException
        or OperationCanceledException;
}
