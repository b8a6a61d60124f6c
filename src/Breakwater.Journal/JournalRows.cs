using System.Data.Common;
using Breakwater.Domain.Orders;

namespace Breakwater.Journal;

/// <summary>Column lists and row readers shared by both providers; the column order is part of the contract.</summary>
internal static class JournalRows
{
    public const string OrderColumns =
        "id, client_order_id, symbol, side, quantity, type, limit_price, time_in_force, status, filled_quantity, " +
        "average_fill_price, broker_order_id, reason, attention, created_at, updated_at, version";

    public const string HistoryColumns =
        "e.order_id, e.version, e.kind, e.status, e.time, e.detail, f.execution_id, f.quantity, f.price, f.time";

    /// <summary>Reads an order in <see cref="OrderColumns"/> order.</summary>
    /// <param name="decimalsAsText">True for SQLite, which stores prices as invariant-culture TEXT.</param>
    public static Order ReadOrder(DbDataReader reader, bool decimalsAsText) => new(
        Id: reader.GetInt64(0),
        ClientOrderId: reader.GetString(1),
        Symbol: reader.GetString(2),
        Side: JournalCodec.ParseEnum<OrderSide>(reader.GetString(3)),
        Quantity: reader.GetInt64(4),
        Type: JournalCodec.ParseEnum<OrderType>(reader.GetString(5)),
        LimitPrice: ReadNullableDecimal(reader, 6, decimalsAsText),
        TimeInForce: JournalCodec.ParseEnum<TimeInForce>(reader.GetString(7)),
        Status: JournalCodec.ParseEnum<OrderStatus>(reader.GetString(8)),
        FilledQuantity: reader.GetInt64(9),
        AverageFillPrice: ReadNullableDecimal(reader, 10, decimalsAsText),
        BrokerOrderId: reader.IsDBNull(11) ? null : reader.GetString(11),
        Reason: reader.IsDBNull(12) ? null : reader.GetString(12),
        Attention: JournalCodec.ParseEnum<OrderAttention>(reader.GetString(13)),
        CreatedAt: JournalCodec.FromTicks(reader.GetInt64(14)),
        UpdatedAt: JournalCodec.FromTicks(reader.GetInt64(15)),
        Version: reader.GetInt32(16));

    /// <summary>Reads an event in <see cref="HistoryColumns"/> order, with its fill when it has one.</summary>
    public static OrderEvent ReadEvent(DbDataReader reader, bool decimalsAsText)
    {
        Fill? fill = reader.IsDBNull(6)
            ? null
            : new Fill(
                reader.GetString(6),
                reader.GetInt64(7),
                ReadNullableDecimal(reader, 8, decimalsAsText)!.Value,
                JournalCodec.FromTicks(reader.GetInt64(9)));
        return new OrderEvent(
            OrderId: reader.GetInt64(0),
            Version: reader.GetInt32(1),
            Kind: JournalCodec.ParseEnum<OrderEventKind>(reader.GetString(2)),
            Status: JournalCodec.ParseEnum<OrderStatus>(reader.GetString(3)),
            Time: JournalCodec.FromTicks(reader.GetInt64(4)),
            Fill: fill,
            Detail: reader.IsDBNull(5) ? null : reader.GetString(5));
    }

    /// <summary>Builds a page from up to limit + 1 rows; the extra row only proves that another page exists.</summary>
    public static Domain.Journal.OrderPage ToPage(List<Order> rows, int limit)
    {
        if (rows.Count <= limit)
        {
            return new Domain.Journal.OrderPage(rows, NextBeforeId: null);
        }

        rows.RemoveRange(limit, rows.Count - limit);
        return new Domain.Journal.OrderPage(rows, rows[^1].Id);
    }

    public static void ValidateQuery(Domain.Journal.OrderQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > 500)
        {
            throw new ArgumentOutOfRangeException(
                nameof(query), query.Limit, $"The page size {nameof(query.Limit)} must be between 1 and 500.");
        }

        if (!Enum.IsDefined(query.Status))
        {
            throw new ArgumentOutOfRangeException(
                nameof(query), query.Status, $"The status filter {query.Status} is not defined.");
        }
    }

    private static decimal? ReadNullableDecimal(DbDataReader reader, int ordinal, bool decimalsAsText)
    {
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }

        return decimalsAsText ? JournalCodec.ParseDecimal(reader.GetString(ordinal)) : reader.GetDecimal(ordinal);
    }
}
