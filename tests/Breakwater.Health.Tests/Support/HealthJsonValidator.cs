using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Breakwater.Health.Tests.Support;

/// <summary>
/// Checks a body against the field rules of the IETF draft "Health Check Response Format for HTTP APIs"
/// (draft-inadarei-api-health-check-06, sections 3 and 4) and returns every violation found.
/// </summary>
internal static partial class HealthJsonValidator
{
    private static readonly string[] Statuses = ["pass", "warn", "fail"];
    private static readonly string[] TopLevelStrings = ["version", "releaseId", "serviceId", "description", "output"];
    private static readonly string[] ComponentTypes = ["component", "datastore", "system"];

    public static IReadOnlyList<string> Validate(string contentType, string body)
    {
        var errors = new List<string>();
        if (!contentType.StartsWith("application/health+json", StringComparison.Ordinal))
        {
            errors.Add($"Content type is '{contentType}', not application/health+json.");
        }

        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add("The body is not a JSON object.");
            return errors;
        }

        if (!root.TryGetProperty("status", out var status))
        {
            errors.Add("The required top-level status is missing.");
        }
        else
        {
            CheckStatus("status", status, errors);
        }

        foreach (var name in TopLevelStrings)
        {
            if (root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.String)
            {
                errors.Add($"Top-level {name} is {value.ValueKind}, not a string.");
            }
        }

        if (root.TryGetProperty("notes", out var notes) &&
            (notes.ValueKind != JsonValueKind.Array || notes.EnumerateArray().Any(n => n.ValueKind != JsonValueKind.String)))
        {
            errors.Add("Top-level notes is not an array of strings.");
        }

        if (root.TryGetProperty("checks", out var checks))
        {
            CheckChecks(checks, errors);
        }

        return errors;
    }

    private static void CheckChecks(JsonElement checks, List<string> errors)
    {
        if (checks.ValueKind != JsonValueKind.Object)
        {
            errors.Add("checks is not an object.");
            return;
        }

        foreach (var check in checks.EnumerateObject())
        {
            if (!CheckKey().IsMatch(check.Name))
            {
                errors.Add($"Check key '{check.Name}' does not have the form component:measurement.");
            }

            if (check.Value.ValueKind != JsonValueKind.Array)
            {
                errors.Add($"Check '{check.Name}' is not an array.");
                continue;
            }

            foreach (var item in check.Value.EnumerateArray())
            {
                CheckItem(check.Name, item, errors);
            }
        }
    }

    private static void CheckItem(string key, JsonElement item, List<string> errors)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"An entry of '{key}' is not an object.");
            return;
        }

        foreach (var name in new[] { "componentId", "componentType", "observedUnit", "output", "time" })
        {
            if (item.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.String)
            {
                errors.Add($"'{key}'.{name} is {value.ValueKind}, not a string.");
            }
        }

        if (item.TryGetProperty("componentType", out var type) && type.ValueKind == JsonValueKind.String &&
            !ComponentTypes.Contains(type.GetString()) && !Uri.IsWellFormedUriString(type.GetString(), UriKind.Absolute))
        {
            errors.Add($"'{key}'.componentType '{type.GetString()}' is neither a predefined type nor a URI.");
        }

        var passing = true;
        if (item.TryGetProperty("status", out var status))
        {
            CheckStatus($"'{key}'.status", status, errors);
            passing = status.ValueKind == JsonValueKind.String && status.GetString() == "pass";
        }

        if (item.TryGetProperty("observedValue", out _) && !item.TryGetProperty("observedUnit", out _))
        {
            errors.Add($"'{key}' has an observedValue without an observedUnit.");
        }

        if (passing && item.TryGetProperty("output", out _))
        {
            errors.Add($"'{key}' passes but has an output.");
        }

        if (item.TryGetProperty("time", out var time) && time.ValueKind == JsonValueKind.String &&
            !IsRfc3339(time.GetString()!))
        {
            errors.Add($"'{key}'.time '{time.GetString()}' is not an RFC 3339 date-time.");
        }

        if (item.TryGetProperty("affectedEndpoints", out var endpoints) &&
            (endpoints.ValueKind != JsonValueKind.Array ||
             endpoints.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String)))
        {
            errors.Add($"'{key}'.affectedEndpoints is not an array of strings.");
        }
    }

    private static void CheckStatus(string name, JsonElement status, List<string> errors)
    {
        if (status.ValueKind != JsonValueKind.String || !Statuses.Contains(status.GetString()))
        {
            errors.Add($"{name} is '{status}', not pass, warn or fail.");
        }
    }

    private static bool IsRfc3339(string value) =>
        Rfc3339().IsMatch(value) &&
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+:[A-Za-z0-9_.\-]+$")]
    private static partial Regex CheckKey();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+\-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();
}
