using System.Globalization;

namespace Breakwater.Ibkr.Protocol;

/// <summary>
/// Decodes the fields of one frame into an <see cref="IbMessage"/>, using the layouts of server version
/// <see cref="IbWire.ServerVersion"/>. Messages the client does not use become <see cref="IbUnhandled"/>.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class IbDecoder
{
    /// <exception cref="IbProtocolException">The frame is empty, its id is not a number, or a field is missing or
    /// does not parse.</exception>
    public static IbMessage Decode(string[] fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (fields.Length == 0)
        {
            throw new IbProtocolException("A frame contained no fields, so it has no message id.");
        }

        if (!int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            throw new IbProtocolException(
                $"A frame started with '{Shorten(fields[0])}', which is not a numeric message id.");
        }

        var reader = new IbFieldReader(fields);
        reader.Skip(1);
        return id switch
        {
            IbIncoming.TickPrice => DecodeTickPrice(ref reader),
            IbIncoming.TickSize => DecodeTickSize(ref reader),
            IbIncoming.OrderStatus => DecodeOrderStatus(ref reader),
            IbIncoming.ErrMsg => DecodeError(ref reader),
            IbIncoming.OpenOrder => DecodeOpenOrder(ref reader),
            IbIncoming.NextValidId => DecodeNextValidId(ref reader),
            IbIncoming.ExecDetails => DecodeExecution(ref reader),
            IbIncoming.ManagedAccounts => DecodeManagedAccounts(ref reader),
            IbIncoming.CurrentTime => DecodeCurrentTime(ref reader),
            IbIncoming.OpenOrderEnd => new IbOpenOrderEnd(),
            IbIncoming.ExecDetailsEnd => DecodeExecDetailsEnd(ref reader),
            IbIncoming.TickSnapshotEnd => DecodeTickSnapshotEnd(ref reader),
            IbIncoming.Position => DecodePosition(ref reader),
            IbIncoming.PositionEnd => new IbPositionEnd(),
            _ => new IbUnhandled(id, fields.Length),
        };
    }

    private static IbTickPrice DecodeTickPrice(ref IbFieldReader reader)
    {
        reader.Skip(1); // version
        var requestId = reader.ReadInt();
        var tickType = reader.ReadInt();
        var price = reader.ReadDecimal();
        var size = reader.ReadDecimal();
        var attributes = reader.ReadInt();
        return new IbTickPrice(requestId, tickType, price, size, attributes);
    }

    private static IbTickSize DecodeTickSize(ref IbFieldReader reader)
    {
        reader.Skip(1);
        var requestId = reader.ReadInt();
        var tickType = reader.ReadInt();
        return new IbTickSize(requestId, tickType, reader.ReadDecimal());
    }

    private static IbOrderStatus DecodeOrderStatus(ref IbFieldReader reader)
    {
        var orderId = reader.ReadInt();
        var status = reader.ReadString();
        var filled = reader.ReadDecimal() ?? 0m;
        var remaining = reader.ReadDecimal() ?? 0m;
        var average = reader.ReadDecimal();
        var permId = reader.ReadLong();
        var parentId = reader.ReadInt();
        var lastFill = reader.ReadDecimal();
        var clientId = reader.ReadInt();
        var whyHeld = reader.ReadString();
        return new IbOrderStatus(orderId, status, filled, remaining, average, permId, parentId, lastFill, clientId, whyHeld);
    }

    private static IbError DecodeError(ref IbFieldReader reader)
    {
        reader.Skip(1);
        var id = reader.ReadInt();
        var code = reader.ReadInt();
        var text = reader.ReadString();

        // The JSON field exists from server version 166; tolerating its absence costs nothing.
        var json = reader.Remaining > 0 ? reader.ReadString() : string.Empty;
        return new IbError(id, code, text, json);
    }

    private static IbOpenOrder DecodeOpenOrder(ref IbFieldReader reader)
    {
        var orderId = reader.ReadInt();
        var conId = reader.ReadLong();
        var symbol = reader.ReadString();
        var secType = reader.ReadString();
        reader.Skip(4); // lastTradeDateOrContractMonth, strike, right, multiplier
        var exchange = reader.ReadString();
        var currency = reader.ReadString();
        reader.Skip(2); // localSymbol, tradingClass
        var action = reader.ReadString();
        var quantity = reader.ReadDecimal() ?? 0m;
        var orderType = reader.ReadString();
        var limitPrice = reader.ReadDecimal();
        reader.Skip(1); // auxPrice
        var tif = reader.ReadString();
        reader.Skip(1); // ocaGroup
        var account = reader.ReadString();
        reader.Skip(2); // openClose, origin
        var orderRef = reader.ReadString();
        var clientId = reader.ReadInt();
        var permId = reader.ReadLong();

        var status = TryWalkToStatus(reader);
        return new IbOpenOrder(
            orderId, conId, symbol, secType, exchange, currency, action, quantity, orderType, limitPrice, tif,
            account, orderRef, clientId, permId, status);
    }

    /// <summary>
    /// Walks the variable-length middle of an openOrder (server version 176) up to the order state's status field.
    /// Returns null when a count or marker does not parse, so a layout surprise loses the status, never the order.
    /// </summary>
    private static string? TryWalkToStatus(IbFieldReader reader)
    {
        try
        {
            // outsideRth .. volatilityType: 36 fixed fields, including faProfile (present below version 177).
            reader.Skip(36);
            var deltaNeutralOrderType = reader.ReadString();
            reader.Skip(1); // deltaNeutralAuxPrice
            if (deltaNeutralOrderType.Length > 0)
            {
                reader.Skip(8);
            }

            reader.Skip(7); // continuousUpdate .. comboLegsDescrip
            reader.Skip(8 * ReadCount(ref reader));
            reader.Skip(ReadCount(ref reader));
            reader.Skip(2 * ReadCount(ref reader));
            reader.Skip(2); // scaleInitLevelSize, scaleSubsLevelSize
            var scaleIncrement = reader.ReadDecimal();
            if (scaleIncrement is > 0m)
            {
                reader.Skip(7);
            }

            var hedgeType = reader.ReadString();
            if (hedgeType.Length > 0)
            {
                reader.Skip(1);
            }

            reader.Skip(4); // optOutSmartRouting, clearingAccount, clearingIntent, notHeld
            if (reader.ReadInt() != 0)
            {
                reader.Skip(3);
            }

            var algoStrategy = reader.ReadString();
            if (algoStrategy.Length > 0)
            {
                reader.Skip(2 * ReadCount(ref reader));
            }

            reader.Skip(2); // solicited, whatIf
            return reader.ReadString();
        }
        catch (IbProtocolException)
        {
            return null;
        }
    }

    private static int ReadCount(ref IbFieldReader reader)
    {
        var count = reader.ReadInt();
        return count is >= 0 and <= 1000
            ? count
            : throw new IbProtocolException($"An openOrder section count is {count}; the valid range is 0 to 1000.");
    }

    private static IbNextValidId DecodeNextValidId(ref IbFieldReader reader)
    {
        reader.Skip(1);
        var next = reader.ReadInt();
        return next is > 0 and <= IbWire.MaxNextValidId
            ? new IbNextValidId(next)
            : throw new IbProtocolException(
                $"The server sent nextValidId {next}; a plausible order id is from 1 to {IbWire.MaxNextValidId}.");
    }

    private static IbExecution DecodeExecution(ref IbFieldReader reader)
    {
        var requestId = reader.ReadInt();
        var orderId = reader.ReadInt();
        var conId = reader.ReadLong();
        var symbol = reader.ReadString();
        reader.Skip(9); // secType .. tradingClass
        var execId = reader.ReadString();
        var time = reader.ReadString();
        var account = reader.ReadString();
        reader.Skip(1); // execExchange
        var side = reader.ReadString();
        var sharesText = reader.ReadString();
        var priceText = reader.ReadString();
        var permId = reader.ReadLong();
        var clientId = reader.ReadInt();
        reader.Skip(1); // liquidation
        var cumulativeText = reader.ReadString();
        var average = reader.ReadDecimal() ?? 0m;
        var orderRef = reader.ReadString();

        // A fill changes the position, so numbers that are missing, garbled or impossible are a protocol error rather
        // than a fill of 0 shares: the session is closed and the reconciliation after the reconnect reads it again.
        var shares = ExecutionQuantity(sharesText, "shares", orderId, execId);
        var price = ExecutionPrice(priceText, orderId, execId);
        var cumulative = ExecutionQuantity(cumulativeText, "cumulative quantity", orderId, execId);
        if (cumulative < shares)
        {
            throw new IbProtocolException(
                $"The execution {Shorten(execId)} of order {orderId} has a cumulative quantity of {cumulative}, below "
                + $"its {shares} shares.");
        }
        return new IbExecution(
            requestId, orderId, conId, symbol, execId, time, account, side, shares, price, permId, clientId,
            cumulative, average, orderRef);
    }

    private static decimal ExecutionQuantity(string text, string field, int orderId, string execId)
    {
        // TWS writes quantities as decimals ("100" or "100.0"); the gateway trades whole shares only.
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            || value is <= 0m or > IbWire.MaxExecutionQuantity
            || value != decimal.Truncate(value))
        {
            throw new IbProtocolException(
                $"The execution {Shorten(execId)} of order {orderId} has {field} '{Shorten(text)}'; a whole number from "
                + $"1 to {IbWire.MaxExecutionQuantity} is required.");
        }

        return value;
    }

    private static decimal ExecutionPrice(string text, int orderId, string execId)
    {
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            || value is <= 0m or > IbWire.MaxExecutionPrice)
        {
            throw new IbProtocolException(
                $"The execution {Shorten(execId)} of order {orderId} has price '{Shorten(text)}'; a decimal number above "
                + $"0 and at most {IbWire.MaxExecutionPrice} is required.");
        }

        return value;
    }

    private static IbManagedAccounts DecodeManagedAccounts(ref IbFieldReader reader)
    {
        reader.Skip(1);
        var accounts = reader.ReadString()
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new IbManagedAccounts(accounts);
    }

    private static IbCurrentTime DecodeCurrentTime(ref IbFieldReader reader)
    {
        reader.Skip(1);
        return new IbCurrentTime(reader.ReadLong());
    }

    private static IbExecDetailsEnd DecodeExecDetailsEnd(ref IbFieldReader reader)
    {
        reader.Skip(1);
        return new IbExecDetailsEnd(reader.ReadInt());
    }

    private static IbTickSnapshotEnd DecodeTickSnapshotEnd(ref IbFieldReader reader)
    {
        reader.Skip(1);
        return new IbTickSnapshotEnd(reader.ReadInt());
    }

    private static IbPosition DecodePosition(ref IbFieldReader reader)
    {
        reader.Skip(1);
        var account = reader.ReadString();
        var conId = reader.ReadLong();
        var symbol = reader.ReadString();
        var secType = reader.ReadString();
        reader.Skip(5); // lastTradeDate, strike, right, multiplier, exchange
        var currency = reader.ReadString();
        reader.Skip(2); // localSymbol, tradingClass
        var quantity = reader.ReadDecimal() ?? 0m;
        var averageCost = reader.ReadDecimal();
        return new IbPosition(account, conId, symbol, secType, currency, quantity, averageCost);
    }

    private static string Shorten(string text) => text.Length <= 20 ? text : string.Concat(text.AsSpan(0, 20), "...");
}
