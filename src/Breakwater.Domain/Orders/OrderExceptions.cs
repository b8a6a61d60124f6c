using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Lifecycle;

namespace Breakwater.Domain.Orders;

/// <summary>The gateway is starting or stopping and does not accept new orders; the HTTP layer answers 503.</summary>
public sealed class GatewayNotAcceptingOrdersException : Exception
{
    public GatewayNotAcceptingOrdersException()
        : this(LifecycleState.Starting)
    {
    }

    public GatewayNotAcceptingOrdersException(string message)
        : base(message)
    {
    }

    public GatewayNotAcceptingOrdersException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public GatewayNotAcceptingOrdersException(LifecycleState state)
        : base(state == LifecycleState.Stopping
            ? "The gateway is shutting down and accepts no new orders."
            : "The gateway is starting and accepts orders once startup reconciliation has finished.")
    {
        State = state;
    }

    /// <summary>The lifecycle state that made the gateway refuse the order.</summary>
    public LifecycleState State { get; }
}

/// <summary>No order has the requested id; the HTTP layer answers 404.</summary>
public sealed class OrderNotFoundException : Exception
{
    public OrderNotFoundException()
        : base("The order was not found.")
    {
    }

    public OrderNotFoundException(string message)
        : base(message)
    {
    }

    public OrderNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public OrderNotFoundException(long orderId)
        : base($"No order with id {orderId} exists.")
    {
        OrderId = orderId;
    }

    public long OrderId { get; }
}

public enum OrderConflictKind
{
    /// <summary>The client order id is already used by an order with different fields.</summary>
    ClientOrderIdReused,

    /// <summary>The order is already filled, cancelled or rejected, so it cannot be cancelled.</summary>
    AlreadyFinal,

    /// <summary>The broker refused the cancel for another business reason.</summary>
    CancelRejected,
}

/// <summary>The request conflicts with the current state of an order; the HTTP layer answers 409.</summary>
public sealed class OrderConflictException : Exception
{
    public OrderConflictException()
        : base("The request conflicts with the state of the order.")
    {
    }

    public OrderConflictException(string message)
        : base(message)
    {
    }

    public OrderConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public OrderConflictException(OrderConflictKind kind, Order order, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        Order = order;
    }

    public OrderConflictKind Kind { get; }

    /// <summary>The existing order that the request conflicts with.</summary>
    public Order? Order { get; }
}

/// <summary>
/// The order was journaled but the broker was found unavailable before it was sent, so it was journaled as rejected.
/// The HTTP layer answers 503 and names the order, which a client may look up.
/// </summary>
public sealed class OrderNotSentException : DependencyUnavailableException
{
    public OrderNotSentException()
        : base()
    {
    }

    public OrderNotSentException(string message)
        : base(message)
    {
    }

    public OrderNotSentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public OrderNotSentException(Order order, DependencyUnavailableException cause)
        : base(
            cause?.Dependency ?? DependencyNames.Broker,
            $"Order {order?.Id} was journaled and rejected without reaching the broker because the broker is " +
            "unavailable.",
            cause?.RetryAfter,
            requestMayHaveReachedDependency: false,
            cause)
    {
        Order = order;
    }

    /// <summary>The order as journaled, with status <see cref="OrderStatus.Rejected"/> when that write succeeded.</summary>
    public Order? Order { get; }
}
