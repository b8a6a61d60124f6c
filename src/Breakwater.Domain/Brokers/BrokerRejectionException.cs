namespace Breakwater.Domain.Brokers;

public enum BrokerRejectionCode
{
    InvalidSymbol,
    InsufficientFunds,
    InvalidOrder,
    OrderNotFound,
    OrderAlreadyFinal,
    Other,
}

/// <summary>
/// The broker refused a request for a business reason. This is an answer from a healthy broker, so it never counts as
/// a dependency failure and never trips a circuit breaker.
/// </summary>
public sealed class BrokerRejectionException : Exception
{
    public BrokerRejectionException()
        : this(BrokerRejectionCode.Other, "The broker rejected the request.")
    {
    }

    public BrokerRejectionException(string message)
        : this(BrokerRejectionCode.Other, message)
    {
    }

    public BrokerRejectionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = BrokerRejectionCode.Other;
    }

    public BrokerRejectionException(BrokerRejectionCode code, string message)
        : base(message)
    {
        Code = code;
    }

    public BrokerRejectionCode Code { get; }
}
