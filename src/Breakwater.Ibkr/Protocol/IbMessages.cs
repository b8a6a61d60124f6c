namespace Breakwater.Ibkr.Protocol;

/// <summary>A decoded message from TWS or IB Gateway.</summary>
public abstract record IbMessage;

/// <summary>An order's status (message 3).</summary>
/// <param name="Filled">Cumulative filled quantity.</param>
/// <param name="Remaining">Quantity still working.</param>
public sealed record IbOrderStatus(
    int OrderId,
    string Status,
    decimal Filled,
    decimal Remaining,
    decimal? AverageFillPrice,
    long PermId,
    int ParentId,
    decimal? LastFillPrice,
    int ClientId,
    string WhyHeld) : IbMessage;

/// <summary>An error, warning or system notice (message 4). <paramref name="Id"/> is -1 for notices.</summary>
public sealed record IbError(int Id, int Code, string Text, string AdvancedOrderRejectJson) : IbMessage;

/// <summary>
/// The leading fields of an open order (message 5). <paramref name="Status"/> is null when the variable-length part of
/// the message before the status field could not be walked.
/// </summary>
public sealed record IbOpenOrder(
    int OrderId,
    long ConId,
    string Symbol,
    string SecurityType,
    string Exchange,
    string Currency,
    string Action,
    decimal TotalQuantity,
    string OrderType,
    decimal? LimitPrice,
    string TimeInForce,
    string Account,
    string OrderRef,
    int ClientId,
    long PermId,
    string? Status) : IbMessage;

/// <summary>The end of an open-order batch (message 53).</summary>
public sealed record IbOpenOrderEnd : IbMessage;

/// <summary>The next order id the server accepts (message 9).</summary>
public sealed record IbNextValidId(int OrderId) : IbMessage;

/// <summary>The comma-separated list of accounts the login can trade (message 15).</summary>
public sealed record IbManagedAccounts(IReadOnlyList<string> Accounts) : IbMessage;

/// <summary>One execution (message 11). <paramref name="RequestId"/> is -1 when the server sent it unrequested.</summary>
/// <param name="Time">The execution time as the server wrote it, for example <c>20231116-12:15:35</c>.</param>
/// <param name="Side"><c>BOT</c> or <c>SLD</c>.</param>
public sealed record IbExecution(
    int RequestId,
    int OrderId,
    long ConId,
    string Symbol,
    string ExecId,
    string Time,
    string Account,
    string Side,
    decimal Shares,
    decimal Price,
    long PermId,
    int ClientId,
    decimal CumulativeQuantity,
    decimal AveragePrice,
    string OrderRef) : IbMessage;

/// <summary>The end of an execution batch (message 55).</summary>
public sealed record IbExecDetailsEnd(int RequestId) : IbMessage;

/// <summary>A price tick (message 1). Tick types: 1 bid, 2 ask, 4 last, 6 high, 7 low, 9 close, 14 open.</summary>
public sealed record IbTickPrice(int RequestId, int TickType, decimal? Price, decimal? Size, int Attributes) : IbMessage;

/// <summary>A size tick (message 2). Tick types: 0 bid size, 3 ask size, 5 last size, 8 volume.</summary>
public sealed record IbTickSize(int RequestId, int TickType, decimal? Size) : IbMessage;

/// <summary>The end of a market-data snapshot (message 57).</summary>
public sealed record IbTickSnapshotEnd(int RequestId) : IbMessage;

/// <summary>The server's clock in Unix seconds (message 49).</summary>
public sealed record IbCurrentTime(long UnixSeconds) : IbMessage;

/// <summary>A position of one account in one contract (message 61).</summary>
public sealed record IbPosition(
    string Account,
    long ConId,
    string Symbol,
    string SecurityType,
    string Currency,
    decimal Quantity,
    decimal? AverageCost) : IbMessage;

/// <summary>The end of the initial position batch (message 62).</summary>
public sealed record IbPositionEnd : IbMessage;

/// <summary>A message the client does not use; it is skipped whole, which the frame length makes safe.</summary>
public sealed record IbUnhandled(int MessageId, int FieldCount) : IbMessage;
