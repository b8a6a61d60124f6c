namespace Breakwater.Domain.Orders;

public enum OrderEventKind
{
    Created,
    StatusChanged,
    Filled,
    AttentionChanged,
}

/// <summary>One journaled entry in an order's history.</summary>
/// <param name="Status">The order's status after the event.</param>
/// <param name="Fill">The execution, for <see cref="OrderEventKind.Filled"/> events.</param>
/// <param name="Detail">Free text such as the broker's reason; never a secret or an exception dump.</param>
public sealed record OrderEvent(
    long OrderId,
    int Version,
    OrderEventKind Kind,
    OrderStatus Status,
    DateTimeOffset Time,
    Fill? Fill,
    string? Detail);
