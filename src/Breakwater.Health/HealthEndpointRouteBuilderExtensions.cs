using Breakwater.Health.Endpoints;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Breakwater's health, status and metrics endpoints.</summary>
public static class HealthEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET /api/health</c> (liveness), <c>GET /api/health/ready</c> (readiness, IETF health+json),
    /// <c>GET /api/health/startup</c>, <c>GET /api/status</c> (requires authorization) and <c>GET /metrics</c>
    /// (Prometheus text). Requires <see cref="HealthServiceCollectionExtensions.AddBreakwaterHealth"/>.
    /// </summary>
    /// <remarks>
    /// The health endpoints allow anonymous access and read only the latest snapshot, so they never call a
    /// dependency. <c>/metrics</c> allows anonymous access as scrapers expect; put it behind the network boundary.
    /// </remarks>
    public static IEndpointRouteBuilder MapBreakwaterHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var handlers = endpoints.ServiceProvider.GetRequiredService<HealthEndpoints>();

        endpoints.MapGet("/api/health", HealthEndpoints.WriteLivenessAsync)
            .WithName("BreakwaterLiveness")
            .AllowAnonymous();
        endpoints.MapGet("/api/health/ready", handlers.WriteReadinessAsync)
            .WithName("BreakwaterReadiness")
            .AllowAnonymous();
        endpoints.MapGet("/api/health/startup", handlers.WriteStartupAsync)
            .WithName("BreakwaterStartup")
            .AllowAnonymous();
        endpoints.MapGet("/api/status", handlers.GetStatus)
            .WithName("BreakwaterStatus")
            .RequireAuthorization();
        endpoints.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        return endpoints;
    }
}
