using Breakwater.Dashboard;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the operations dashboard of the gateway.</summary>
public static class DashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// The Content-Security-Policy of every dashboard response. Scripts, styles and API calls come from the gateway
    /// itself; inline scripts, inline styles, plugins and framing are rejected.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>
    /// Serves the dashboard page at <c>/</c> and its scripts and styles under <c>/dashboard/</c>, from files embedded
    /// in this assembly. The endpoints allow anonymous access because the page contains no data. It reads the gateway
    /// API with the operator's bearer token, which it keeps in the browser's session storage only.
    /// </summary>
    /// <remarks>
    /// Responses carry <c>Cache-Control: no-cache</c> and a strong ETag, so browsers revalidate each load and get
    /// 304 Not Modified until the gateway is upgraded. Call once per application; the files are read at this call.
    /// </remarks>
    /// <returns>A builder for conventions that apply to every dashboard endpoint.</returns>
    public static IEndpointConventionBuilder MapBreakwaterDashboard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var catalog = DashboardAssetCatalog.Load(typeof(DashboardEndpointRouteBuilderExtensions).Assembly);
        var logger = endpoints.ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger("Breakwater.Dashboard");
        if (logger is not null)
        {
            DashboardLog.DashboardMapped(logger, catalog.Paths.Count());
        }

        var group = endpoints.MapGroup(string.Empty);
        string[] methods = [HttpMethods.Get, HttpMethods.Head];
        group.MapMethods("/", methods, context => ServeAsync(context, catalog, "/"));
        group.MapMethods(
            DashboardAssetCatalog.AssetPrefix + "{**file}",
            methods,
            context => ServeAsync(context, catalog, context.Request.Path.Value ?? string.Empty));
        group.AllowAnonymous();
        group.ExcludeFromDescription();
        return group;
    }

    private static Task ServeAsync(HttpContext context, DashboardAssetCatalog catalog, string path)
    {
        var response = context.Response;
        response.Headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
        response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers[HeaderNames.CacheControl] = "no-cache";
        if (!catalog.TryGet(path, out var asset))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        response.Headers[HeaderNames.ETag] = asset.ETag;
        if (MatchesETag(context.Request.Headers[HeaderNames.IfNoneMatch], asset.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        return HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(asset.Content, context.RequestAborted).AsTask();
    }

    private static bool MatchesETag(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag)
    {
        foreach (var header in ifNoneMatch)
        {
            foreach (var candidate in (header ?? string.Empty).Split(','))
            {
                var trimmed = candidate.Trim();
                if (trimmed == "*" || trimmed == etag || trimmed == "W/" + etag)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
