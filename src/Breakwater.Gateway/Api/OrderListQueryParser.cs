using System.Globalization;
using Breakwater.Domain.Journal;
using Microsoft.Extensions.Primitives;

namespace Breakwater.Gateway.Api;

/// <summary>
/// Parses the query of <c>GET /api/orders</c> (<c>status</c>, <c>limit</c>, <c>cursor</c>), reporting every invalid
/// parameter at once. Each parameter may appear once; a repeated one is rejected rather than silently picking a value.
/// </summary>
internal static class OrderListQueryParser
{
    private static readonly (string Name, OrderStatusFilter Value)[] Statuses =
    [
        ("open", OrderStatusFilter.Open),
        ("filled", OrderStatusFilter.Filled),
        ("cancelled", OrderStatusFilter.Cancelled),
        ("rejected", OrderStatusFilter.Rejected),
        ("all", OrderStatusFilter.All),
    ];

    /// <summary>Returns the query, or null with <paramref name="errors"/> filled.</summary>
    public static OrderQuery? Parse(IQueryCollection query, int defaultLimit, int maxLimit, out List<FieldError> errors)
    {
        errors = [];
        var status = OrderStatusFilter.All;
        if (TryGetSingle(query, "status", errors, out var statusText))
        {
            var match = Statuses.FirstOrDefault(s => string.Equals(s.Name, statusText, StringComparison.OrdinalIgnoreCase));
            if (match.Name is null)
            {
                var names = string.Join(", ", Statuses.Select(s => $"'{s.Name}'"));
                errors.Add(new FieldError(
                    "status", "enum", OrderRequestParser.Truncate(statusText),
                    $"status must be one of {names}; to list several statuses, use 'all' or one request per status."));
            }
            else
            {
                status = match.Value;
            }
        }

        var limit = defaultLimit;
        if (TryGetSingle(query, "limit", errors, out var limitText))
        {
            if (!int.TryParse(limitText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out limit))
            {
                errors.Add(new FieldError(
                    "limit", "integer", OrderRequestParser.Truncate(limitText), "limit must be a whole number."));
            }
            else if (limit < 1 || limit > maxLimit)
            {
                errors.Add(new FieldError(
                    "limit", "range", limitText, $"limit must be between 1 and {maxLimit}, but it is {limit}."));
            }
        }

        long? beforeId = null;
        if (TryGetSingle(query, "cursor", errors, out var cursorText))
        {
            if (OrderCursor.TryDecode(cursorText, out var decoded))
            {
                beforeId = decoded;
            }
            else
            {
                errors.Add(new FieldError(
                    "cursor", "format", OrderRequestParser.Truncate(cursorText),
                    "cursor is not a cursor this API returned; pass the nextCursor of the previous page unchanged."));
            }
        }

        return errors.Count > 0 ? null : new OrderQuery(status, limit, beforeId);
    }

    private static bool TryGetSingle(IQueryCollection query, string name, List<FieldError> errors, out string value)
    {
        value = string.Empty;
        if (!query.TryGetValue(name, out StringValues values))
        {
            return false;
        }

        if (values.Count > 1)
        {
            errors.Add(new FieldError(
                name, "repeated", OrderRequestParser.Truncate(string.Join("&", values.Select(v => $"{name}={v}"))),
                $"{name} may appear only once, but it appears {values.Count} times."));
            return false;
        }

        value = values.ToString();
        return true;
    }
}
