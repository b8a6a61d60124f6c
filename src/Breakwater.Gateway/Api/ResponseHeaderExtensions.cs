using Microsoft.Net.Http.Headers;

namespace Breakwater.Gateway.Api;

public static class ResponseHeaderExtensions
{
    /// <summary>
    /// Adds <c>Cache-Control: no-store</c> (unless an endpoint set its own) and <c>X-Content-Type-Options: nosniff</c>
    /// to every response, because order, status and health responses describe live state that a proxy or browser
    /// cache must not keep or reinterpret.
    /// </summary>
    public static IApplicationBuilder UseGatewayResponseHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                if (!headers.ContainsKey(HeaderNames.CacheControl))
                {
                    headers.CacheControl = "no-store";
                }

                headers.XContentTypeOptions = "nosniff";
                return Task.CompletedTask;
            });
            return next(context);
        });
}
