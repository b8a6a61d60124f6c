using System.Globalization;
using Breakwater.Domain.Orders;

namespace Breakwater.Journal;

/// <summary>Conversions between domain values and the column representations shared by both providers.</summary>
internal static class JournalCodec
{
    public static string StatusName(OrderStatus status) => status.ToString();

    /// <summary>Returns the stored names of the statuses matched by <paramref name="filter"/>.</summary>
    public static string[] StatusNames(Domain.Journal.OrderStatusFilter filter) => filter switch
    {
        Domain.Journal.OrderStatusFilter.Open =>
        [
            nameof(OrderStatus.PendingSubmit), nameof(OrderStatus.Submitted), nameof(OrderStatus.PartiallyFilled),
            nameof(OrderStatus.PendingCancel),
        ],
        Domain.Journal.OrderStatusFilter.Filled => [nameof(OrderStatus.Filled)],
        Domain.Journal.OrderStatusFilter.Cancelled => [nameof(OrderStatus.Cancelled)],
        Domain.Journal.OrderStatusFilter.Rejected => [nameof(OrderStatus.Rejected)],
        Domain.Journal.OrderStatusFilter.All => Enum.GetNames<OrderStatus>(),
        _ => throw new ArgumentOutOfRangeException(
            nameof(filter), filter, $"The status filter {filter} is not one of {nameof(Domain.Journal.OrderStatusFilter)}."),
    };

    public static T ParseEnum<T>(string value)
        where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: false, out var parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new InvalidDataException($"The journal contains '{value}', which is not a {typeof(T).Name}.");

    public static long ToTicks(DateTimeOffset time) => time.UtcTicks;

    public static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);

    /// <summary>Formats a decimal for SQLite TEXT; the invariant round-trip form keeps every digit and the scale.</summary>
    public static string? ToText(decimal? value) => value?.ToString(CultureInfo.InvariantCulture);

    public static decimal ParseDecimal(string text) =>
        decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    /// <summary>Checks the invariants that both providers rely on before a change is written.</summary>
    public static void ValidateChange(Domain.Journal.OrderChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Event.OrderId != change.Order.Id)
        {
            throw new ArgumentException(
                $"The event's order id {change.Event.OrderId} must equal the order id {change.Order.Id}.",
                nameof(change));
        }

        if (change.Event.Version != change.Order.Version)
        {
            throw new ArgumentException(
                $"The event's version {change.Event.Version} must equal the order's version {change.Order.Version}.",
                nameof(change));
        }

        if (change.Event.Kind == OrderEventKind.Filled && change.Event.Fill is null)
        {
            throw new ArgumentException(
                $"A {nameof(OrderEventKind.Filled)} event of order {change.Order.Id} must carry its fill.",
                nameof(change));
        }
    }
}
