using Breakwater.Domain.Orders;

namespace Breakwater.Domain.Brokers;

/// <summary>
/// A broker that executes orders: the embedded paper broker or Interactive Brokers over the TWS API.
/// </summary>
/// <remarks>
/// Status changes and fills arrive asynchronously through <see cref="IBrokerUpdateSink"/>, which each adapter receives
/// from dependency injection. A call that fails because the broker cannot be reached throws
/// <see cref="Dependencies.DependencyUnavailableException"/> (or a transport exception that the broker breaker counts);
/// a business refusal throws <see cref="BrokerRejectionException"/>, which never counts as a failure.
/// </remarks>
public interface IBroker
{
    /// <summary>
    /// Sends a new order. Returns once the broker has acknowledged it; the acknowledgement carries the broker's id.
    /// </summary>
    Task<BrokerAck> PlaceOrderAsync(BrokerOrder order, CancellationToken cancellationToken);

    /// <summary>
    /// Requests the cancel of a working order. Returns once the request is accepted; the confirmation arrives as an
    /// update with status <see cref="OrderStatus.Cancelled"/>. Cancelling an order that is already final throws
    /// <see cref="BrokerRejectionException"/> with <see cref="BrokerRejectionCode.OrderAlreadyFinal"/>.
    /// </summary>
    Task CancelOrderAsync(BrokerOrderReference order, CancellationToken cancellationToken);

    /// <summary>
    /// Returns the orders that are working at the broker, with their fills so far.
    /// <paramref name="scope"/> chooses between this gateway's orders and every order on the account.
    /// </summary>
    Task<IReadOnlyList<BrokerOrderState>> GetOpenOrdersAsync(OpenOrderScope scope, CancellationToken cancellationToken);

    /// <summary>
    /// Looks up one order by the client order id it was placed with, final or not; null when the broker never
    /// received it. Reconciliation uses this before it decides whether an uncertain submit reached the broker.
    /// </summary>
    Task<BrokerOrderState?> FindOrderAsync(string clientOrderId, CancellationToken cancellationToken);

    /// <summary>Runs a cheap round trip to the broker (a heartbeat); used by the health probe.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}

public enum OpenOrderScope
{
    /// <summary>Orders placed by this gateway.</summary>
    Gateway,

    /// <summary>Every open order on the account, whoever placed it.</summary>
    Account,
}

/// <summary>What the gateway sends to the broker for a new order.</summary>
/// <param name="OrderId">The gateway's order id.</param>
/// <param name="ClientOrderId">Sent along (IBKR's <c>orderRef</c>) so that the order can be found after a failure.</param>
public sealed record BrokerOrder(
    long OrderId,
    string ClientOrderId,
    string Symbol,
    OrderSide Side,
    long Quantity,
    OrderType Type,
    decimal? LimitPrice,
    TimeInForce TimeInForce)
{
    public static BrokerOrder From(Order order) => new(
        order.Id,
        order.ClientOrderId,
        order.Symbol,
        order.Side,
        order.Quantity,
        order.Type,
        order.LimitPrice,
        order.TimeInForce);
}

/// <summary>Identifies an order at the broker.</summary>
public sealed record BrokerOrderReference(long OrderId, string ClientOrderId, string? BrokerOrderId);

/// <param name="BrokerOrderId">The broker's id for the order.</param>
/// <param name="Status">Usually <see cref="OrderStatus.Submitted"/>; fills follow as updates.</param>
public sealed record BrokerAck(string BrokerOrderId, OrderStatus Status);

/// <summary>An order as the broker sees it.</summary>
/// <param name="ClientOrderId">Null for orders that another client placed without one.</param>
/// <param name="FilledQuantity">Cumulative filled quantity.</param>
/// <param name="Fills">Every execution so far, oldest first.</param>
public sealed record BrokerOrderState(
    string BrokerOrderId,
    string? ClientOrderId,
    string Symbol,
    OrderSide Side,
    long Quantity,
    OrderType Type,
    decimal? LimitPrice,
    OrderStatus Status,
    long FilledQuantity,
    IReadOnlyList<Fill> Fills);

/// <summary>A status change or a fill reported by the broker.</summary>
/// <param name="Status">The order's status at the broker after this update.</param>
/// <param name="FilledQuantity">Cumulative filled quantity after this update.</param>
/// <param name="Fill">The new execution, when the update reports one.</param>
/// <param name="Reason">The broker's text for a rejection or a cancel, when it gives one.</param>
public sealed record BrokerOrderUpdate(
    string BrokerOrderId,
    string? ClientOrderId,
    OrderStatus Status,
    long FilledQuantity,
    Fill? Fill,
    string? Reason,
    DateTimeOffset Time);

/// <summary>
/// Receives the broker's asynchronous updates. A broker adapter awaits the returned task before it treats the update
/// as delivered, so the sink can make the update durable first.
/// </summary>
public interface IBrokerUpdateSink
{
    ValueTask OnOrderUpdateAsync(BrokerOrderUpdate update, CancellationToken cancellationToken);
}
