using System.Globalization;
using System.Text.Json;

namespace Breakwater.Paper.Faults;

/// <summary>
/// Reads the JSON body of <c>POST /api/paper/faults</c> into a <see cref="PaperFaultRequest"/>, rejecting what model
/// binding lets through: repeated and unknown fields, numbers that do not fit, and bodies that are not an object.
/// </summary>
internal static class PaperFaultRequestParser
{
    private const int MaxEchoedLength = 64;

    private static readonly string[] KnownFields = ["target", "mode", "rate", "latencyMs"];

    /// <summary>Returns the request, or null with <paramref name="errors"/> filled.</summary>
    public static PaperFaultRequest? Parse(ReadOnlyMemory<byte> body, List<PaperFaultRequestError> errors)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException exception)
        {
            var line = (exception.LineNumber ?? 0) + 1;
            var position = (exception.BytePositionInLine ?? 0) + 1;
            errors.Add(new(
                "$", "json", null,
                $"The body is not valid JSON: the syntax error is at line {line}, byte {position} of that line."));
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new("$", "type", Echo(root), "The body ($) must be a JSON object with target and mode."));
                return null;
            }

            var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                var name = TryGetName(property);
                if (name is null || !KnownFields.Contains(name, StringComparer.Ordinal))
                {
                    var fieldName = Truncate(name ?? "(invalid UTF-8)");
                    errors.Add(new(
                        fieldName, "unknown", Echo(property.Value),
                        $"'{fieldName}' is not a field of a fault request; the fields are {string.Join(", ", KnownFields)}."));
                }
                else if (!fields.TryAdd(name, property.Value))
                {
                    errors.Add(new(name, "duplicate", Echo(property.Value), $"'{name}' appears more than once."));
                }
            }

            var target = ReadString(fields, "target", errors);
            var mode = ReadString(fields, "mode", errors);
            var rate = ReadRate(fields, errors);
            var latency = ReadLatency(fields, errors);
            return errors.Count > 0 ? null : new PaperFaultRequest(target, mode, rate, latency);
        }
    }

    private static string? ReadString(Dictionary<string, JsonElement> fields, string field, List<PaperFaultRequestError> errors)
    {
        if (!fields.TryGetValue(field, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            errors.Add(new(field, "type", Echo(element), $"The field '{field}' must be a string."));
            return null;
        }

        try
        {
            return element.GetString();
        }
        catch (InvalidOperationException)
        {
            errors.Add(new(field, "encoding", null, $"The field '{field}' must be valid Unicode text."));
            return null;
        }
    }

    private static double? ReadRate(Dictionary<string, JsonElement> fields, List<PaperFaultRequestError> errors)
    {
        if (!fields.TryGetValue("rate", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Number)
        {
            errors.Add(new("rate", "type", Echo(element), "The field 'rate' must be a number between 0 and 1."));
            return null;
        }

        if (!element.TryGetDouble(out var rate) || !double.IsFinite(rate) || rate is < 0 or > 1)
        {
            errors.Add(new(
                "rate", "range", Echo(element), $"The field 'rate' must be between 0 and 1, but it is {Echo(element)}."));
            return null;
        }

        return rate;
    }

    private static int? ReadLatency(Dictionary<string, JsonElement> fields, List<PaperFaultRequestError> errors)
    {
        if (!fields.TryGetValue("latencyMs", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Number)
        {
            errors.Add(new("latencyMs", "type", Echo(element), "The field 'latencyMs' must be a whole number."));
            return null;
        }

        if (element.TryGetInt32(out var latency))
        {
            return latency;
        }

        // Not an int: a fraction is a type mistake, anything else (1e20, 99999999999) is out of range.
        var isFraction = element.TryGetDecimal(out var number) && number != decimal.Truncate(number);
        errors.Add(new(
            "latencyMs", isFraction ? "integer" : "range", Echo(element),
            isFraction
                ? "The field 'latencyMs' must be a whole number of milliseconds."
                : string.Create(
                    CultureInfo.InvariantCulture,
                    $"The field 'latencyMs' must be between 1 and 600000, but it is {Echo(element)}.")));
        return null;
    }

    private static string? TryGetName(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string Echo(JsonElement element)
    {
        try
        {
            return Truncate(element.GetRawText());
        }
        catch (InvalidOperationException)
        {
            return "(invalid UTF-8)";
        }
    }

    private static string Truncate(string value) =>
        value.Length <= MaxEchoedLength ? value : string.Concat(value.AsSpan(0, MaxEchoedLength - 1), "…");
}
