namespace Breakwater.Domain.Orders;

/// <summary>One execution of part or all of an order.</summary>
/// <param name="ExecutionId">The broker's execution id; a fill with an id already journaled is not journaled again.</param>
public sealed record Fill(string ExecutionId, long Quantity, decimal Price, DateTimeOffset Time);
