using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Resilience.CircuitBreaking;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Breakwater.Resilience.Guards;

/// <summary>
/// An <see cref="IBroker"/> whose calls pass the broker's circuit breaker with its per-call timeout.
/// </summary>
/// <remarks>
/// <para>
/// Reads, pings and cancels are retried with exponential backoff and jitter, because repeating them is safe: a
/// repeated cancel of an order that is already final ends with a <see cref="BrokerRejectionException"/>, which the
/// caller already handles. A cancel lowers risk, so it is never refused by the breaker: while the breaker is open or
/// isolated it goes to the broker directly with the call timeout and its outcome is not recorded.
/// <see cref="PlaceOrderAsync"/> is never retried: when it fails after the request was sent,
/// it throws <see cref="DependencyUnavailableException"/> with
/// <see cref="DependencyUnavailableException.RequestMayHaveReachedDependency"/> set, and the order manager reconciles
/// by client order id.
/// </para>
/// <para>
/// While the breaker rejects calls, every method but <see cref="CancelOrderAsync"/> throws
/// <see cref="DependencyUnavailableException"/> with <see cref="DependencyUnavailableException.RetryAfter"/> and does
/// not call the inner broker.
/// <see cref="BrokerRejectionException"/> passes through unchanged and never counts as a failure. Thread safe when
/// the inner broker is.
/// </para>
/// </remarks>
public sealed class GuardedBroker : IBroker
{
    private readonly IBroker _inner;
    private readonly DependencyGuard _guard;

    public GuardedBroker(
        IBroker inner,
        CircuitBreaker breaker,
        GuardOptions options,
        TimeProvider timeProvider,
        ILogger<GuardedBroker>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(inner);

        _inner = inner;
        _guard = new DependencyGuard(
            DependencyNames.Broker, breaker, options, timeProvider, logger ?? NullLogger<GuardedBroker>.Instance);
    }

    public Task<BrokerAck> PlaceOrderAsync(BrokerOrder order, CancellationToken cancellationToken) =>
        _guard.RunOnceAsync(
            "PlaceOrder",
            static (args, token) => new ValueTask<BrokerAck>(args.Inner.PlaceOrderAsync(args.Order, token)),
            (Inner: _inner, Order: order),
            cancellationToken);

    public Task CancelOrderAsync(BrokerOrderReference order, CancellationToken cancellationToken) =>
        _guard.RunRetriedPastBreakerAsync(
            "CancelOrder",
            static async (args, token) =>
            {
                await args.Inner.CancelOrderAsync(args.Order, token).ConfigureAwait(false);
                return true;
            },
            (Inner: _inner, Order: order),
            cancellationToken);

    public Task<IReadOnlyList<BrokerOrderState>> GetOpenOrdersAsync(
        OpenOrderScope scope, CancellationToken cancellationToken) =>
        _guard.RunRetriedAsync(
            "GetOpenOrders",
            static (args, token) =>
                new ValueTask<IReadOnlyList<BrokerOrderState>>(args.Inner.GetOpenOrdersAsync(args.Scope, token)),
            (Inner: _inner, Scope: scope),
            cancellationToken);

    public Task<BrokerOrderState?> FindOrderAsync(string clientOrderId, CancellationToken cancellationToken) =>
        _guard.RunRetriedAsync(
            "FindOrder",
            static (args, token) =>
                new ValueTask<BrokerOrderState?>(args.Inner.FindOrderAsync(args.ClientOrderId, token)),
            (Inner: _inner, ClientOrderId: clientOrderId),
            cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) =>
        _guard.RunRetriedAsync(
            "Ping",
            static async (inner, token) =>
            {
                await inner.PingAsync(token).ConfigureAwait(false);
                return true;
            },
            _inner,
            cancellationToken);
}
