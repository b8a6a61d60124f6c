using System.Text.Json;
using System.Text.Json.Serialization;
using Breakwater.Resilience.CircuitBreaking;

namespace Breakwater.Gateway.Breakers;

/// <summary>One circuit breaker as <c>GET /api/breakers</c> and the operator actions return it.</summary>
/// <param name="Name">The breaker's name: <c>broker</c>, <c>database</c> or <c>marketData</c>.</param>
/// <param name="State"><c>closed</c>, <c>open</c>, <c>halfOpen</c>, <c>isolated</c> or <c>disabled</c>.</param>
/// <param name="RetryAfterSeconds">Seconds until an open breaker lets a probe through; null in other states.</param>
/// <param name="LastTransitionReason">Why the state last changed, in camelCase; null before the first change.</param>
public sealed record BreakerResponse(
    string Name,
    string State,
    int ConsecutiveFailures,
    long TotalSuccesses,
    long TotalFailures,
    long TotalRejections,
    long TotalIgnored,
    double? RetryAfterSeconds,
    double CurrentBreakDurationSeconds,
    DateTimeOffset? OpenedAt,
    string? LastTransitionReason,
    string? LastTransitionDetail,
    long Generation)
{
    public static BreakerResponse From(BreakerSnapshot snapshot) => new(
        snapshot.Name,
        JsonNamingPolicy.CamelCase.ConvertName(snapshot.State.ToString()),
        snapshot.ConsecutiveFailures,
        snapshot.TotalSuccesses,
        snapshot.TotalFailures,
        snapshot.TotalRejections,
        snapshot.TotalIgnored,
        snapshot.RetryAfter is { } wait ? Math.Round(wait.TotalSeconds, 3) : null,
        Math.Round(snapshot.CurrentBreakDuration.TotalSeconds, 3),
        snapshot.OpenedAt,
        snapshot.LastTransitionReason is { } reason ? JsonNamingPolicy.CamelCase.ConvertName(reason.ToString()) : null,
        snapshot.LastTransitionDetail,
        snapshot.Generation);
}

/// <summary>The list <c>GET /api/breakers</c> returns, in the registry's order.</summary>
public sealed record BreakerListResponse(IReadOnlyList<BreakerResponse> Breakers);

/// <summary>The optional body of <c>POST /api/breakers/{name}/isolate</c>.</summary>
/// <param name="Reason">Why the operator isolates the breaker; at most 200 characters.</param>
public sealed record IsolateRequest(string? Reason);

/// <summary>Source-generated serializers of the breaker API.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(BreakerResponse))]
[JsonSerializable(typeof(BreakerListResponse))]
[JsonSerializable(typeof(IsolateRequest))]
internal sealed partial class BreakerJsonContext : JsonSerializerContext;
