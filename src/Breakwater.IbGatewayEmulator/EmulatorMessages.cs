using System.Globalization;

namespace Breakwater.IbGatewayEmulator;

/// <summary>
/// Builds the server-to-client messages the emulator sends, with the layouts of server version 176. openOrder follows
/// a real IB Gateway capture at that version (136 fields), with the order's own values put in.
/// </summary>
internal static class EmulatorMessages
{
    public const string UnsetDouble = "1.7976931348623157E308";
    public const string UnsetInteger = "2147483647";

    public static string[] ManagedAccounts(string account) => ["15", "1", account];

    public static string[] NextValidId(long orderId) => ["9", "1", Text(orderId)];

    public static string[] Error(long id, int code, string text) => ["4", "2", Text(id), Text(code), text, string.Empty];

    public static string[] CurrentTime(long unixSeconds) => ["49", "1", Text(unixSeconds)];

    public static string[] OpenOrderEnd() => ["53", "1"];

    public static string[] ExecDetailsEnd(int requestId) => ["55", "1", Text(requestId)];

    public static string[] TickSnapshotEnd(int requestId) => ["57", "1", Text(requestId)];

    public static string[] MarketDataType(int requestId) => ["58", "1", Text(requestId), "1"];

    public static string[] PositionEnd() => ["62", "1"];

    public static string[] TickPrice(int requestId, int tickType, decimal price, decimal size) =>
        ["1", "6", Text(requestId), Text(tickType), Number(price), Number(size), "0"];

    public static string[] TickSize(int requestId, int tickType, decimal size) =>
        ["2", "6", Text(requestId), Text(tickType), Number(size)];

    public static string[] OrderStatus(EmulatorOrder order) =>
    [
        "3", Text(order.OrderId), order.Status, Number(order.Filled), Number(order.Remaining),
        Number(order.AverageFillPrice), Text(order.PermId), "0", Number(order.LastFillPrice), Text(order.ClientId),
        string.Empty, "0",
    ];

    public static string[] Position(string account, string symbol, decimal quantity, decimal averageCost) =>
    [
        "61", "3", account, Text(ConId(symbol)), symbol, "STK", string.Empty, "0.0", string.Empty, string.Empty,
        "NASDAQ", "USD", symbol, "NMS", Number(quantity), Number(averageCost),
    ];

    public static string[] CommissionReport(string execId) =>
        ["59", "1", execId, "1.0", "USD", UnsetDouble, UnsetDouble, string.Empty];

    public static string[] ExecDetails(int requestId, EmulatorExecution execution) =>
    [
        "11", Text(requestId), Text(execution.OrderId), Text(ConId(execution.Symbol)), execution.Symbol, "STK",
        string.Empty, "0.0", string.Empty, string.Empty, "SMART", "USD", execution.Symbol, "NMS",
        execution.ExecId, execution.Time.ToString("yyyyMMdd-HH:mm:ss", CultureInfo.InvariantCulture),
        execution.Account, "ISLAND", execution.Side, Number(execution.Shares), Number(execution.Price),
        Text(execution.PermId), Text(execution.ClientId), "0", Number(execution.CumulativeQuantity),
        Number(execution.AveragePrice), execution.OrderRef, string.Empty, string.Empty, string.Empty, "1",
    ];

    /// <summary>openOrder at server version 176 for a stock order: 136 fields.</summary>
    public static string[] OpenOrder(EmulatorOrder order)
    {
        var f = new List<string>(136)
        {
            "5", Text(order.OrderId), Text(ConId(order.Symbol)), order.Symbol, "STK", string.Empty, "0", "?",
            string.Empty, "SMART", "USD", order.Symbol, "NMS", order.Action, Number(order.Quantity), order.OrderType,
            Number(order.LimitPrice ?? 0m), "0.0", order.TimeInForce, string.Empty, order.Account, string.Empty, "0",
            order.OrderRef, Text(order.ClientId), Text(order.PermId), "0", "0", "0", string.Empty,
        };

        // sharesAllocation .. volatilityType (fields 31 to 62)
        f.AddRange(
        [
            string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty,
            string.Empty, string.Empty, string.Empty, "0", string.Empty, "-1", "0", string.Empty, string.Empty,
            string.Empty, string.Empty, string.Empty, UnsetInteger, "0", "0", "0", string.Empty, "3", "0", "0",
            string.Empty, "0", "0", string.Empty, "0",
        ]);

        // deltaNeutralOrderType "None" is non-empty, so its eight detail fields follow, as TWS sends them.
        f.AddRange(["None", string.Empty, "0", string.Empty, string.Empty, string.Empty, "?", "0", "0", string.Empty]);

        // continuousUpdate .. status (fields 73 to 95)
        f.AddRange(
        [
            "0", "0", string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, "0", "0", "0",
            UnsetInteger, UnsetInteger, string.Empty, string.Empty, "0", string.Empty, "IB", "0", "0", string.Empty,
            "0", "0", order.Status,
        ]);

        // Nine margin fields, four commission fields, warningText (fields 96 to 109)
        for (var i = 0; i < 9; i++)
        {
            f.Add(UnsetDouble);
        }

        f.AddRange([string.Empty, string.Empty, string.Empty, string.Empty, string.Empty]);

        // randomizeSize .. midOffsetAtHalf (fields 110 to 136)
        f.AddRange(
        [
            "0", "0", "0", "None", UnsetDouble, UnsetDouble, UnsetDouble, UnsetDouble, UnsetDouble, UnsetDouble,
            "0", string.Empty, string.Empty, string.Empty, "0", "1", "0", "0", "0", string.Empty, string.Empty, "0",
            string.Empty, string.Empty, string.Empty, string.Empty, string.Empty,
        ]);
        return [.. f];
    }

    /// <summary>A stable made-up contract id per symbol, so that repeated messages agree.</summary>
    public static long ConId(string symbol)
    {
        long hash = 17;
        foreach (var c in symbol)
        {
            hash = (hash * 31 + c) % 900_000_000;
        }

        return 100_000_000 + hash;
    }

    public static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Number(decimal value) =>
        value.ToString("0.0###########", CultureInfo.InvariantCulture);
}
