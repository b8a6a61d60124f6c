using System.Globalization;

namespace Breakwater.Ibkr.Protocol;

/// <summary>A stock order as the TWS API places it: STK on SMART in USD.</summary>
/// <param name="Action"><c>BUY</c> or <c>SELL</c>.</param>
/// <param name="OrderType"><c>MKT</c> or <c>LMT</c>.</param>
/// <param name="TimeInForce"><c>DAY</c> or <c>GTC</c>.</param>
/// <param name="Account">Empty for a single-account login; TWS fills in the account.</param>
/// <param name="OrderRef">Free text stored with the order; Breakwater sends the client order id.</param>
public sealed record IbStockOrder(
    int OrderId,
    string Symbol,
    string Action,
    decimal Quantity,
    string OrderType,
    decimal? LimitPrice,
    string TimeInForce,
    string Account,
    string OrderRef);

/// <summary>
/// Encodes the requests Breakwater sends, field for field as they are laid out at server version
/// <see cref="IbWire.ServerVersion"/>. Each method returns the fields of one frame, message id first.
/// </summary>
/// <remarks>
/// Values a plain stock order does not use are written the way IBKR's own clients write a fresh order: flags as
/// <c>0</c>, exemptCode as <c>-1</c>, duration and postToAts as the unset integer, unset prices as empty fields.
/// Stateless and thread-safe.
/// </remarks>
public static class IbRequests
{
    private const string Stock = "STK";
    private const string Smart = "SMART";
    private const string Usd = "USD";

    public static string[] StartApi(int clientId) =>
        [Int(IbOutgoing.StartApi), "2", Int(clientId), string.Empty];

    public static string[] ReqCurrentTime() => [Int(IbOutgoing.ReqCurrentTime), "1"];

    public static string[] ReqIds() => [Int(IbOutgoing.ReqIds), "1", "1"];

    public static string[] ReqOpenOrders() => [Int(IbOutgoing.ReqOpenOrders), "1"];

    public static string[] ReqAllOpenOrders() => [Int(IbOutgoing.ReqAllOpenOrders), "1"];

    public static string[] ReqGlobalCancel() => [Int(IbOutgoing.ReqGlobalCancel), "1"];

    public static string[] ReqPositions() => [Int(IbOutgoing.ReqPositions), "1"];

    /// <summary>cancelOrder with an empty manualOrderCancelTime (the field exists from server version 169).</summary>
    public static string[] CancelOrder(int orderId) =>
        [Int(IbOutgoing.CancelOrder), "1", Int(orderId), string.Empty];

    /// <summary>reqExecutions with an empty filter: every execution of the day for every client id.</summary>
    public static string[] ReqExecutions(int requestId) =>
    [
        Int(IbOutgoing.ReqExecutions), "3", Int(requestId),
        "0", string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty,
    ];

    /// <summary>reqMktData for a SMART-routed US stock with the default tick types.</summary>
    public static string[] ReqMktData(int requestId, string symbol, bool snapshot)
    {
        var fields = new List<string>(20) { Int(IbOutgoing.ReqMktData), "11", Int(requestId) };
        AddStockContract(fields, symbol);
        fields.Add("0"); // no delta-neutral contract
        fields.Add(string.Empty); // genericTickList; must be empty for a snapshot
        fields.Add(Bool(snapshot));
        fields.Add("0"); // regulatorySnapshot, which IBKR charges for
        fields.Add(string.Empty); // mktDataOptions
        return [.. fields];
    }

    public static string[] CancelMktData(int requestId) => [Int(IbOutgoing.CancelMktData), "2", Int(requestId)];

    /// <summary>placeOrder for a stock market or limit order: 115 fields at server version 176.</summary>
    public static string[] PlaceOrder(IbStockOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var f = new List<string>(115) { Int(IbOutgoing.PlaceOrder), Int(order.OrderId) };
        AddStockContract(f, order.Symbol);
        f.Add(string.Empty); // secIdType
        f.Add(string.Empty); // secId
        f.Add(order.Action);
        f.Add(Decimal(order.Quantity));
        f.Add(order.OrderType);
        f.Add(order.LimitPrice is { } limit ? Decimal(limit) : string.Empty);
        f.Add(string.Empty); // auxPrice
        f.Add(order.TimeInForce);
        f.Add(string.Empty); // ocaGroup
        f.Add(order.Account);
        f.Add(string.Empty); // openClose
        f.Add("0"); // origin: customer
        f.Add(order.OrderRef);
        f.Add("1"); // transmit
        f.Add("0"); // parentId
        f.AddRange(["0", "0", "0", "0", "0", "0"]); // blockOrder, sweepToFill, displaySize, triggerMethod, outsideRth, hidden
        f.Add(string.Empty); // sharesAllocation (deprecated)
        f.Add("0"); // discretionaryAmt
        f.AddRange([string.Empty, string.Empty]); // goodAfterTime, goodTillDate
        f.AddRange([string.Empty, string.Empty, string.Empty, string.Empty]); // faGroup, faMethod, faPercentage, faProfile
        f.Add(string.Empty); // modelCode
        f.Add("0"); // shortSaleSlot
        f.Add(string.Empty); // designatedLocation
        f.Add("-1"); // exemptCode
        f.Add("0"); // ocaType
        f.AddRange([string.Empty, string.Empty]); // rule80A, settlingFirm
        f.Add("0"); // allOrNone
        f.AddRange([string.Empty, string.Empty]); // minQty, percentOffset
        f.AddRange(["0", "0"]); // eTradeOnly, firmQuoteOnly
        f.Add(string.Empty); // nbboPriceCap
        f.Add("0"); // auctionStrategy
        // startingPrice, stockRefPrice, delta, stockRangeLower, stockRangeUpper
        f.AddRange([string.Empty, string.Empty, string.Empty, string.Empty, string.Empty]);
        f.Add("0"); // overridePercentageConstraints
        f.AddRange([string.Empty, string.Empty, string.Empty, string.Empty]); // volatility .. deltaNeutralAuxPrice
        f.Add("0"); // continuousUpdate
        f.AddRange([string.Empty, string.Empty, string.Empty]); // referencePriceType, trailStopPrice, trailingPercent
        f.AddRange([string.Empty, string.Empty, string.Empty]); // scaleInitLevelSize, scaleSubsLevelSize, scalePriceIncrement
        f.AddRange([string.Empty, string.Empty, string.Empty]); // scaleTable, activeStartTime, activeStopTime
        f.Add(string.Empty); // hedgeType
        f.Add("0"); // optOutSmartRouting
        f.AddRange([string.Empty, string.Empty]); // clearingAccount, clearingIntent
        f.Add("0"); // notHeld
        f.Add("0"); // no delta-neutral contract
        f.AddRange([string.Empty, string.Empty]); // algoStrategy, algoId
        f.Add("0"); // whatIf
        f.Add(string.Empty); // orderMiscOptions
        f.AddRange(["0", "0", "0"]); // solicited, randomizeSize, randomizePrice
        f.Add("0"); // conditions count
        f.Add(string.Empty); // adjustedOrderType
        // triggerPrice, lmtPriceOffset, adjustedStopPrice, adjustedStopLimitPrice, adjustedTrailingAmount
        f.AddRange([string.Empty, string.Empty, string.Empty, string.Empty, string.Empty]);
        f.Add("0"); // adjustableTrailingUnit
        f.Add(string.Empty); // extOperator
        f.AddRange([string.Empty, string.Empty]); // softDollarTier name, value
        f.Add(string.Empty); // cashQty
        f.AddRange([string.Empty, string.Empty, string.Empty, string.Empty]); // MiFID II fields
        f.AddRange(["0", "0", "0"]); // dontUseAutoPriceForHedge, isOmsContainer, discretionaryUpToLimitPrice
        f.Add(string.Empty); // usePriceMgmtAlgo: TWS default
        f.Add(Int(IbWire.UnsetInteger)); // duration
        f.Add(Int(IbWire.UnsetInteger)); // postToAts
        f.Add("0"); // autoCancelParent
        f.AddRange([string.Empty, string.Empty]); // advancedErrorOverride, manualOrderTime
        return [.. f];
    }

    private static void AddStockContract(List<string> fields, string symbol)
    {
        fields.Add("0"); // conId: let TWS resolve the contract from symbol, type, exchange and currency
        fields.Add(symbol);
        fields.Add(Stock);
        fields.Add(string.Empty); // lastTradeDateOrContractMonth
        fields.Add("0"); // strike
        fields.Add(string.Empty); // right
        fields.Add(string.Empty); // multiplier
        fields.Add(Smart);
        fields.Add(string.Empty); // primaryExchange
        fields.Add(Usd);
        fields.Add(string.Empty); // localSymbol
        fields.Add(string.Empty); // tradingClass
    }

    internal static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    internal static string Bool(bool value) => value ? "1" : "0";

    /// <summary>Writes a decimal without trailing zeros (150.50 becomes 150.5), as IBKR's clients write numbers.</summary>
    internal static string Decimal(decimal value) =>
        value.ToString("0.############################", CultureInfo.InvariantCulture);
}
