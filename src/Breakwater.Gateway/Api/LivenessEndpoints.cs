namespace Breakwater.Gateway.Api;

/// <summary>Maps <c>GET /api/health</c>, the anonymous liveness probe.</summary>
public static class LivenessEndpoints
{
    private static readonly LivenessResponse Alive = new("alive");

    /// <summary>
    /// Maps the liveness probe. The handler calls no dependency, so a database or broker outage never fails it.
    /// </summary>
    public static RouteHandlerBuilder MapLiveness(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/api/health", () => TypedResults.Json(Alive, GatewayJsonContext.Default.LivenessResponse))
            .AllowAnonymous();
}
