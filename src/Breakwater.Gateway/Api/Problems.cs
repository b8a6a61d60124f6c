using System.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;

namespace Breakwater.Gateway.Api;

/// <summary>Builds and writes RFC 9457 problem details documents.</summary>
internal static class Problems
{
    public const string ContentType = "application/problem+json";

    /// <summary>Most field errors listed in one validation problem.</summary>
    public const int MaxListedErrors = 20;

    /// <summary>Prefix of the <c>type</c> URIs; each names one kind of problem and is stable.</summary>
    private const string TypeBase = "urn:breakwater:problem:";

    public static ProblemResponse Create(
        HttpContext context, int status, string kind, string detail, string? title = null) => new()
    {
        Type = TypeBase + kind,
        Title = title ?? ReasonPhrases.GetReasonPhrase(status),
        Status = status,
        Detail = detail,
        Instance = context.Request.Path.Value,
        TraceId = Activity.Current?.Id ?? context.TraceIdentifier,
    };

    public static IResult Result(ProblemResponse problem) =>
        TypedResults.Json(problem, GatewayJsonContext.Default.ProblemResponse, ContentType, problem.Status);

    /// <summary>
    /// Returns a 400 (or <paramref name="status"/>) validation problem listing at most <see cref="MaxListedErrors"/>
    /// errors, with <c>errorCount</c> set when there were more, so that a body with thousands of bad fields cannot
    /// make a response many times its own size.
    /// </summary>
    public static IResult Validation(HttpContext context, IReadOnlyList<FieldError> errors, int status = 400)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var detail = errors.Count switch
        {
            1 => errors[0].Message,
            <= MaxListedErrors => $"The request has {errors.Count} invalid fields; see errors.",
            _ => $"The request has {errors.Count} invalid fields; errors lists the first {MaxListedErrors}.",
        };
        var problem = Create(context, status, "validation", detail, "The request is invalid.") with
        {
            Errors = errors.Count <= MaxListedErrors ? errors : errors.Take(MaxListedErrors).ToList(),
            ErrorCount = errors.Count <= MaxListedErrors ? null : errors.Count,
        };
        return Result(problem);
    }

    public static Task WriteAsync(HttpContext context, ProblemResponse problem)
    {
        context.Response.StatusCode = problem.Status;
        return context.Response.WriteAsJsonAsync(problem, GatewayJsonContext.Default.ProblemResponse, ContentType);
    }
}
