namespace Breakwater.Ibkr.Protocol;

/// <summary>
/// A frame or field from the other side broke the TWS API wire format. The connection that produced it is closed,
/// because the position of every later field in the stream can no longer be trusted.
/// </summary>
public sealed class IbProtocolException : Exception
{
    public IbProtocolException()
        : base("The TWS API peer sent data that does not follow the wire format.")
    {
    }

    public IbProtocolException(string message)
        : base(message)
    {
    }

    public IbProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
