namespace Breakwater.Gateway.Api;

public static class ProblemApplicationExtensions
{
    /// <summary>
    /// Writes every error response as problem details: exceptions through <see cref="ProblemMiddleware"/>, and empty error
    /// responses (unknown route 404, wrong method 405) through the status code pages.
    /// </summary>
    public static IApplicationBuilder UseGatewayProblems(this IApplicationBuilder app)
    {
        app.UseMiddleware<ProblemMiddleware>();
        app.UseStatusCodePages(async statusContext =>
        {
            var context = statusContext.HttpContext;
            var status = context.Response.StatusCode;
            var detail = status switch
            {
                StatusCodes.Status404NotFound => $"No resource exists at {context.Request.Path}.",
                StatusCodes.Status405MethodNotAllowed => $"{context.Request.Method} is not allowed on {context.Request.Path}.",
                _ => $"The request failed with status {status}.",
            };
            var kind = status switch
            {
                StatusCodes.Status404NotFound => "not-found",
                StatusCodes.Status405MethodNotAllowed => "method-not-allowed",
                _ => "http-" + status,
            };
            await Problems.WriteAsync(context, Problems.Create(context, status, kind, detail));
        });
        return app;
    }
}
