using System.Globalization;
using System.Text.Json;
using Breakwater.Domain.Lifecycle;
using Breakwater.Health.Breakers;
using Breakwater.Health.Monitoring;

namespace Breakwater.Health.Endpoints;

/// <summary>
/// Writes a readiness body in the format of the IETF draft "Health Check Response Format for HTTP APIs"
/// (draft-inadarei-api-health-check-06): a top-level <c>status</c> of pass, warn or fail and a <c>checks</c> object
/// keyed <c>component:measurement</c> whose values are arrays of check objects.
/// </summary>
internal static class ReadinessWriter
{
    public const string ContentType = "application/health+json";

    public static void Write(
        Utf8JsonWriter writer,
        HealthSnapshot snapshot,
        ReadinessVerdict verdict,
        ServiceIdentity identity,
        LifecycleState lifecycle)
    {
        writer.WriteStartObject();
        writer.WriteString("status", verdict.Status);
        writer.WriteString("version", identity.Version);
        writer.WriteString("releaseId", identity.ReleaseId);
        writer.WriteString("serviceId", identity.ServiceId);
        writer.WriteString("description", identity.Description);
        if (verdict.Output is not null)
        {
            writer.WriteString("output", verdict.Output);
        }

        // Extension member: the draft allows members it does not define.
        writer.WriteString("lifecycle", LifecycleText(lifecycle));

        writer.WriteStartObject("checks");
        foreach (var dependency in snapshot.Dependencies)
        {
            writer.WriteStartArray($"{dependency.Name}:{dependency.Measurement}");
            WriteCheck(writer, dependency);
            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static string LifecycleText(LifecycleState state) => state switch
    {
        LifecycleState.Starting => "starting",
        LifecycleState.Running => "running",
        _ => "stopping",
    };

    private static void WriteCheck(Utf8JsonWriter writer, DependencySnapshot dependency)
    {
        writer.WriteStartObject();
        writer.WriteString("componentId", dependency.Name);
        writer.WriteString("componentType", dependency.ComponentType);
        writer.WriteString("status", dependency.Status.ToDraftStatus());
        if (dependency.ObservedValue is { } value && dependency.ObservedUnit is { } unit)
        {
            writer.WriteNumber("observedValue", Math.Round(value, 3));
            writer.WriteString("observedUnit", unit);
        }

        writer.WriteString("time", dependency.Time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        if (dependency.Status != HealthStatus.Healthy && dependency.Output is not null)
        {
            writer.WriteString("output", dependency.Output);
        }

        writer.WriteString("breakerState", dependency.Breaker?.State.ToText() ?? "none");
        writer.WriteEndObject();
    }
}

/// <summary>The readiness outcome: HTTP status code, draft status and an optional top-level output.</summary>
internal readonly record struct ReadinessVerdict(int StatusCode, string Status, string? Output);

/// <summary>The identity fields of the draft: <c>version</c>, <c>releaseId</c>, <c>serviceId</c>, <c>description</c>.</summary>
internal sealed record ServiceIdentity(string Version, string ReleaseId, string ServiceId, string Description);
