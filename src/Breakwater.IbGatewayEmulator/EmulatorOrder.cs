namespace Breakwater.IbGatewayEmulator;

/// <summary>An order in the emulator's book. Mutated only under the emulator's book lock.</summary>
internal sealed class EmulatorOrder
{
    public required int OrderId { get; init; }
    public required int ClientId { get; init; }
    public required long PermId { get; init; }
    public required string Symbol { get; init; }
    public required string Action { get; init; }
    public required decimal Quantity { get; set; }
    public required string OrderType { get; init; }
    public decimal? LimitPrice { get; set; }
    public required string TimeInForce { get; init; }
    public required string Account { get; init; }
    public required string OrderRef { get; init; }
    public string Status { get; set; } = "Submitted";
    public decimal Filled { get; set; }
    public decimal AverageFillPrice { get; set; }
    public decimal LastFillPrice { get; set; }

    public decimal Remaining => Quantity - Filled;

    public bool IsOpen => Status is "Submitted" or "PreSubmitted" or "PendingSubmit" or "PendingCancel";
}

/// <summary>One execution in the emulator's book.</summary>
internal sealed record EmulatorExecution(
    string ExecId,
    int OrderId,
    int ClientId,
    long PermId,
    string Symbol,
    string Side,
    decimal Shares,
    decimal Price,
    decimal CumulativeQuantity,
    decimal AveragePrice,
    string OrderRef,
    string Account,
    DateTimeOffset Time);

/// <summary>A frame the emulator received, recorded for wire comparisons.</summary>
/// <param name="ConnectionNumber">1 for the first accepted connection, 2 for the next, and so on.</param>
/// <param name="Fields">The frame's fields, message id first.</param>
public sealed record RecordedFrame(int ConnectionNumber, int ClientId, IReadOnlyList<string> Fields);
