using System.Diagnostics.CodeAnalysis;
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

    /// <summary>Maximum significant digits of a number, because <see cref="decimal"/> represents 28 exactly.</summary>
    public const int MaxSignificantDigits = 28;

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
        if (!TryParseDocument(body, errors, out var document))
        {
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

    /// <summary>
    /// Parses <paramref name="body"/> as a JSON document; on failure adds one error at <c>$</c>, with rule
    /// <c>encoding</c> when the body is not UTF-8 and rule <c>json</c> with the line and byte of the syntax error
    /// otherwise.
    /// </summary>
    public static bool TryParseDocument(ReadOnlyMemory<byte> body, List<FieldError> errors, out JsonDocument document)
    {
        ArgumentNullException.ThrowIfNull(errors);
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
            return true;
        }
        catch (JsonException exception)
        {
            document = null!;
            var invalidAt = JsonText.FindInvalidUtf8(body.Span);
            if (invalidAt >= 0)
            {
                errors.Add(EncodingError("$", body.Span[invalidAt..Math.Min(body.Length, invalidAt + 4)], invalidAt));
                return false;
            }

            // The exception's message is written for .NET developers (it names reader internals), so only its
            // position is passed on.
            var line = (exception.LineNumber ?? 0) + 1;
            var position = (exception.BytePositionInLine ?? 0) + 1;
            errors.Add(new FieldError(
                "$", "json", null,
                $"The body is not valid JSON: the syntax error is at line {line}, byte {position} of that line."));
            return false;
        }
    }

    /// <summary>
    /// Returns whether <paramref name="symbol"/> (already upper-cased) is 1 to 12 characters of A-Z and 0-9 in parts
    /// joined by single '.' or '/' characters, such as BRK.B or EUR/USD. A separator never starts or ends a symbol or
    /// follows another, so a value such as "../ETC" is rejected before it reaches a broker or a log line.
    /// </summary>
    public static bool IsValidSymbol(string symbol)
    {
        if (symbol.Length is < 1 or > MaxSymbolLength)
        {
            return false;
        }

        var previousWasSeparator = true;
        foreach (var c in symbol)
        {
            var separator = c is '.' or '/';
            if (separator ? previousWasSeparator : c is not ((>= 'A' and <= 'Z') or (>= '0' and <= '9')))
            {
                return false;
            }

            previousWasSeparator = separator;
        }

        return !previousWasSeparator;
    }

    /// <summary>Returns the value as sent, cut to 64 characters, for an error message; never used for headers.</summary>
    public static string Truncate(string value) =>
        value.Length <= MaxEchoedValueLength ? value : string.Concat(value.AsSpan(0, MaxEchoedValueLength - 1), "…");

    private static OrderRequest? ParseObject(JsonElement root, Func<string> newClientOrderId, List<FieldError> errors)
    {
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            var name = JsonText.RenderName(property);
            if (!KnownFields.Contains(name, StringComparer.Ordinal))
            {
                errors.Add(new FieldError(
                    Truncate(name), "unknown", Echo(property.Value),
                    $"'{Truncate(name)}' is not a field of an order; the fields are {string.Join(", ", KnownFields)}."));
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

        if (!TryGetString(field, element, errors, out var value))
        {
            return null;
        }

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

        if (!TryGetString(field, element, errors, out var sent))
        {
            return null;
        }

        var value = sent.ToUpperInvariant();
        if (value.Length is < 1 or > MaxSymbolLength)
        {
            errors.Add(new FieldError(
                field, "length", Truncate(value),
                $"symbol must be 1 to {MaxSymbolLength} characters long, but it has {value.Length}."));
            return null;
        }

        // A non-ASCII letter can upper-case to ASCII ('ſ' becomes 'S'), so the symbol as sent must be ASCII too.
        if (!System.Text.Ascii.IsValid(sent) || !IsValidSymbol(value))
        {
            errors.Add(new FieldError(
                field, "pattern", Truncate(value), "symbol must be letters A-Z and digits 0-9, in parts joined by one '.' or '/', such as BRK.B or EUR/USD."));
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

        if (!TryGetString(field, element, errors, out var text))
        {
            return null;
        }

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

        var (decimalPlaces, significantDigits) = JsonText.MeasureNumber(element);
        if (decimalPlaces > 0)
        {
            errors.Add(new FieldError(
                field, "integer", Echo(element), "quantity must be a whole number of shares or contracts."));
            return null;
        }

        if (significantDigits > MaxSignificantDigits || !element.TryGetDecimal(out var number)
            || number <= 0 || number > MaxQuantity)
        {
            errors.Add(new FieldError(
                field, "range", Echo(element),
                $"quantity must be between 1 and {MaxQuantity:#,0}, but it is {Echo(element)}."));
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

        // Measured on the text, because decimal rounds 1.000…0001 with 30 zeros to 1 before its scale can be checked.
        var (decimalPlaces, significantDigits) = JsonText.MeasureNumber(element);
        if (decimalPlaces > MaxPriceDecimals)
        {
            errors.Add(new FieldError(
                field, "precision", Echo(element),
                $"limitPrice may have at most {MaxPriceDecimals} decimal places."));
            return null;
        }

        if (significantDigits > MaxSignificantDigits || !element.TryGetDecimal(out var price)
            || price <= 0 || price > MaxLimitPrice)
        {
            errors.Add(new FieldError(
                field, "range", Echo(element),
                $"limitPrice must be greater than 0 and at most {MaxLimitPrice:#,0}."));
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

    private static bool TryGetString(
        string field, JsonElement element, List<FieldError> errors, [NotNullWhen(true)] out string? value)
    {
        value = JsonText.TryGetString(element);
        if (value is not null)
        {
            return true;
        }

        errors.Add(new FieldError(
            field, "encoding", Echo(element),
            $"{field} must be valid Unicode text, but it contains invalid UTF-8 or an unpaired surrogate escape."));
        return false;
    }

    private static FieldError EncodingError(string field, ReadOnlySpan<byte> bytes, int offset) => new(
        field, "encoding", JsonText.Render(bytes),
        $"The body must be UTF-8 text, but the bytes at offset {offset} are not valid UTF-8.");

    private static FieldError Missing(string field) => new(field, "required", null, $"{field} is required.");

    private static FieldError TypeError(string field, JsonElement element, string expected) =>
        new(field, "type", Echo(element), $"{field} must be {expected}, but it is {Describe(element.ValueKind)}.");

    private static string Echo(JsonElement element) => Truncate(JsonText.Render(element));

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
