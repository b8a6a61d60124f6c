namespace Breakwater.Ibkr.Protocol;

/// <summary>Constants of the TWS API socket protocol that Breakwater speaks.</summary>
public static class IbWire
{
    /// <summary>
    /// The lowest server version the client accepts. 100 is the first version with length-prefixed frames.
    /// </summary>
    public const int MinServerVersion = 100;

    /// <summary>
    /// The highest server version the client advertises, and the one the emulator answers. Every request layout in
    /// <see cref="IbRequests"/> and every decoder in <see cref="IbDecoder"/> is written for this version: at 176
    /// the protocol is plain text (protobuf starts at 201), placeOrder still carries the faProfile field (dropped at
    /// 177) and execDetails has no pendingPriceRevision field (added at 178).
    /// </summary>
    public const int ServerVersion = 176;

    /// <summary>The largest frame payload accepted from a peer, in bytes; IBKR's own readers use the same bound.</summary>
    public const int MaxFrameLength = 0xFFFFFF;

    /// <summary>The four bytes that open a connection before the version range: "API" and a NUL byte.</summary>
    public static ReadOnlySpan<byte> HandshakePrefix => "API\0"u8;

    /// <summary>The integer a max-aware field carries when it is unset, as IBKR's clients write it.</summary>
    public const int UnsetInteger = int.MaxValue;

    /// <summary>
    /// The largest share count an execution may carry; a larger one is treated as a protocol error, not as a fill.
    /// </summary>
    public const decimal MaxExecutionQuantity = 1_000_000_000m;

    /// <summary>The largest price an execution may carry; a larger one is treated as a protocol error.</summary>
    public const decimal MaxExecutionPrice = 100_000_000m;

    /// <summary>
    /// The largest nextValidId accepted from the server. A value this close to the 32-bit limit leaves no room for
    /// the orders of a trading day, so it is treated as a protocol error instead of exhausting the id space.
    /// </summary>
    public const int MaxNextValidId = int.MaxValue - 1_000_000;
}

/// <summary>Message ids of requests the client sends (client to server numbering).</summary>
public static class IbOutgoing
{
    public const int ReqMktData = 1;
    public const int CancelMktData = 2;
    public const int PlaceOrder = 3;
    public const int CancelOrder = 4;
    public const int ReqOpenOrders = 5;
    public const int ReqExecutions = 7;
    public const int ReqIds = 8;
    public const int ReqAllOpenOrders = 16;
    public const int ReqCurrentTime = 49;
    public const int ReqGlobalCancel = 58;
    public const int ReqPositions = 61;
    public const int StartApi = 71;
}

/// <summary>Message ids of messages the server sends (server to client numbering).</summary>
public static class IbIncoming
{
    public const int TickPrice = 1;
    public const int TickSize = 2;
    public const int OrderStatus = 3;
    public const int ErrMsg = 4;
    public const int OpenOrder = 5;
    public const int NextValidId = 9;
    public const int ExecDetails = 11;
    public const int ManagedAccounts = 15;
    public const int CurrentTime = 49;
    public const int OpenOrderEnd = 53;
    public const int ExecDetailsEnd = 55;
    public const int TickSnapshotEnd = 57;
    public const int MarketDataType = 58;
    public const int CommissionReport = 59;
    public const int Position = 61;
    public const int PositionEnd = 62;
    public const int TickReqParams = 81;
}
