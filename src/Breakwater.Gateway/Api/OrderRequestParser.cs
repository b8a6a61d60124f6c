using System.Text.Json;
using Breakwater.Domain.Orders;

namespace Breakwater.Gateway.Api;

/// <summary>
/// Parses and validates the JSON body of <c>POST /api/orders</c>, reporting every invalid field at once.
/// </summary>
/// <remarks>
/// The body is read as a JSON document rather than bound to a type, so a wrong type in one field does not hide the
/// errors in the others. Every error names the field, the rule and the value.
/// </remarks>
internal static class OrderRequestParser
{
    /// <summary>Largest accepted quantity. Larger orders are almost always a unit mistake, so they are rejected.</summary>
    public const long MaxQuantity = 1_000_000;

    /// <summary>Largest accepted limit price.</summary>
    public const decimal MaxLimitPrice = 1_000_000_000m;

    /// <summary>Most decimal places of a limit price.</summary>
    public const int MaxPriceDecimals = 8;

    public const int MaxClientOrderIdLength = 64;

    public const int MaxSymbolLength = 12;

    private const int MaxEchoedValueLength = 64;

    private static readonly string[] KnownFields =
        ["clientOrderId", "symbol", "side", "quantity", "type", "limitPrice", "timeInForce"];

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    /// <summary>
    /// Parses <paramref name="body"/>; returns the request, or null with <paramref name="errors"/> filled.
    /// </summary>
    /// <param name="newClientOrderId">Makes the client order id when the body has none.</param>
    public static OrderRequest? Parse(ReadOnlyMemory<byte> body, Func<string> newClientOrderId, out List<FieldError> errors)
    {
        errors = [];
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException exception)
        {
            errors.Add(new FieldError(
                "$", "json", null, $"The body is not valid JSON: {exception.Message}"));
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new FieldError(
                    "$", "type", Echo(root), $"The body must be a JSON object, but it is {Describe(root.ValueKind)}."));
                return null;
            }

            return ParseObject(root, newClientOrderId, errors);
        }
    }

    /// <summary>Returns whether <paramref name="symbol"/> (already upper-cased) is 1 to 12 of A-Z, 0-9, '.', '/'.</summary>
    public static bool IsValidSymbol(string symbol) =>
        symbol.Length is >= 1 and <= MaxSymbolLength && symbol.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '/');

    /// <summary>Returns the value as sent, cut to 64 characters, for an error message; never used for headers.</summary>
    public static string Truncate(string value) =>
        value.Length <= MaxEchoedValueLength ? value : string.Concat(value.AsSpan(0, MaxEchoedValueLength - 1), "…");

    private static OrderRequest? ParseObject(JsonElement root, Func<string> newClientOrderId, List<FieldError> errors)
    {
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!KnownFields.Contains(property.Name, StringComparer.Ordinal))
            {
                errors.Add(new FieldError(
                    Truncate(property.Name), "unknown", Echo(property.Value),
                    $"'{Truncate(property.Name)}' is not a field of an order; the fields are {string.Join(", ", KnownFields)}."));
                continue;
            }

            if (!fields.TryAdd(property.Name, property.Value))
            {
                errors.Add(new FieldError(
                    property.Name, "duplicate", Echo(property.Value), $"'{property.Name}' appears more than once."));
            }
        }

        var clientOrderId = ParseClientOrderId(fields, errors) ?? newClientOrderId();
        var symbol = ParseSymbol(fields, errors);
        var side = ParseEnum(fields, errors, "side", required: true, OrderSide.Buy, ("buy", OrderSide.Buy), ("sell", OrderSide.Sell));
        var quantity = ParseQuantity(fields, errors);
        var type = ParseEnum(
            fields, errors, "type", required: true, OrderType.Market, ("market", OrderType.Market), ("limit", OrderType.Limit));
        var timeInForce = ParseEnum(
            fields, errors, "timeInForce", required: false, TimeInForce.Day, ("day", TimeInForce.Day), ("gtc", TimeInForce.Gtc));
        var limitPrice = ParseLimitPrice(fields, errors, type);
        if (errors.Count > 0)
        {
            return null;
        }

        return new OrderRequest(clientOrderId, symbol!, side!.Value, quantity!.Value, type!.Value, limitPrice, timeInForce!.Value);
    }

    private static string? ParseClientOrderId(Dictionary<string, JsonElement> fields, List<FieldError> errors)
    {
        const string field = "clientOrderId";
        if (!fields.TryGetValue(field, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            errors.Add(TypeError(field, element, "a string"));
            return null;
        }

        var value = element.GetString()!;
        if (value.Length is < 1 or > MaxClientOrderIdLength)
        {
            errors.Add(new FieldError(
                field, "length", Truncate(value),
                $"clientOrderId must be 1 to {MaxClientOrderIdLength} characters long, but it has {value.Length}."));
            return null;
        }

        if (!value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            errors.Add(new FieldError(
                field, "pattern", Truncate(value),
                "clientOrderId may contain only the letters A-Z and a-z, the digits 0-9, '.', '_' and '-'."));
            return null;
        }

        return value;
    }

    private static string? ParseSymbol(Dictionary<string, JsonElement> fields, List<FieldError> errors)
    {
        const string field = "symbol";
        if (!TryGetRequired(fields, errors, field, out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            errors.Add(TypeError(field, element, "a string"));
            return null;
        }

        var value = element.GetString()!.ToUpperInvariant();
        if (value.Length is < 1 or > MaxSymbolLength)
        {
            errors.Add(new FieldError(
                field, "length", Truncate(value),
                $"symbol must be 1 to {MaxSymbolLength} characters long, but it has {value.Length}."));
            return null;
        }

        if (!IsValidSymbol(value))
        {
            errors.Add(new FieldError(
                field, "pattern", Truncate(value), "symbol may contain only the letters A-Z, the digits 0-9, '.' and '/'."));
            return null;
        }

        return value;
    }

    private static TEnum? ParseEnum<TEnum>(
        Dictionary<string, JsonElement> fields,
        List<FieldError> errors,
        string field,
        bool required,
        TEnum defaultValue,
        params (string Name, TEnum Value)[] choices)
        where TEnum : struct, Enum
    {
        if (!fields.TryGetValue(field, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                errors.Add(Missing(field));
                return null;
            }

            return defaultValue;
        }

        var names = string.Join(", ", choices.Select(choice => $"'{choice.Name}'"));
        if (element.ValueKind != JsonValueKind.String)
        {
            errors.Add(TypeError(field, element, $"a string, one of {names}"));
            return null;
        }

        var text = element.GetString()!;
        foreach (var (name, value) in choices)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        errors.Add(new FieldError(field, "enum", Truncate(text), $"{field} must be one of {names}."));
        return null;
    }

    private static long? ParseQuantity(Dictionary<string, JsonElement> fields, List<FieldError> errors)
    {
        const string field = "quantity";
        if (!TryGetRequired(fields, errors, field, out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Number)
        {
            errors.Add(TypeError(field, element, "a number"));
            return null;
        }

        if (!element.TryGetDecimal(out var number) || number != decimal.Truncate(number))
        {
            errors.Add(new FieldError(
                field, "integer", Echo(element), "quantity must be a whole number of shares or contracts."));
            return null;
        }

        if (number <= 0 || number > MaxQuantity)
        {
            errors.Add(new FieldError(
                field, "range", Echo(element),
                $"quantity must be between 1 and {MaxQuantity:#,0}, but it is {number}."));
            return null;
        }

        return (long)number;
    }

    private static decimal? ParseLimitPrice(Dictionary<string, JsonElement> fields, List<FieldError> errors, OrderType? type)
    {
        const string field = "limitPrice";
        var present = fields.TryGetValue(field, out var element) && element.ValueKind != JsonValueKind.Null;
        if (type == OrderType.Market)
        {
            if (present)
            {
                errors.Add(new FieldError(
                    field, "forbidden", Echo(element), "limitPrice must not be set for a market order."));
            }

            return null;
        }

        if (!present)
        {
            if (type == OrderType.Limit)
            {
                errors.Add(new FieldError(field, "required", null, "limitPrice is required for a limit order."));
            }

            return null;
        }

        if (element.ValueKind != JsonValueKind.Number)
        {
            errors.Add(TypeError(field, element, "a number"));
            return null;
        }

        if (!element.TryGetDecimal(out var price) || price <= 0 || price > MaxLimitPrice)
        {
            errors.Add(new FieldError(
                field, "range", Echo(element),
                $"limitPrice must be greater than 0 and at most {MaxLimitPrice:#,0}."));
            return null;
        }

        if (price.Scale > MaxPriceDecimals && price != decimal.Round(price, MaxPriceDecimals))
        {
            errors.Add(new FieldError(
                field, "precision", Echo(element),
                $"limitPrice may have at most {MaxPriceDecimals} decimal places."));
            return null;
        }

        // 150.250 and 150.25 are the same price; one scale keeps repeats of a client order id idempotent.
        return price / 1.000000000000000000000000000000000m;
    }

    private static bool TryGetRequired(
        Dictionary<string, JsonElement> fields, List<FieldError> errors, string field, out JsonElement element)
    {
        if (fields.TryGetValue(field, out element) && element.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        errors.Add(Missing(field));
        return false;
    }

    private static FieldError Missing(string field) => new(field, "required", null, $"{field} is required.");

    private static FieldError TypeError(string field, JsonElement element, string expected) =>
        new(field, "type", Echo(element), $"{field} must be {expected}, but it is {Describe(element.ValueKind)}.");

    private static string Echo(JsonElement element) => Truncate(element.GetRawText());

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "undefined",
    };
}
