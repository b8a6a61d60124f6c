using System.Text.Json;
using Breakwater.Gateway.Api;
using Breakwater.Gateway.Security;
using Breakwater.Resilience.CircuitBreaking;
using Microsoft.AspNetCore.Http.Features;

namespace Breakwater.Gateway.Breakers;

/// <summary>
/// Maps the operator API of the circuit breakers under <c>/api/breakers</c>; every endpoint requires the API token.
/// </summary>
public static class BreakerEndpoints
{
    /// <summary>Longest isolation reason accepted, in characters.</summary>
    public const int MaxReasonLength = 200;

    private const int BodyLimit = 4 * 1024;

    private const string DefaultIsolateReason = "Isolated by an operator.";

    public static RouteGroupBuilder MapBreakerApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/breakers").RequireAuthorization(ApiTokenDefaults.PolicyName);
        group.MapGet("/", List);
        group.MapPost("/{name}/isolate", IsolateAsync);
        group.MapPost("/{name}/reset", Reset);
        return group;
    }

    private static IResult List(BreakerRegistry breakers) =>
        TypedResults.Json(
            new BreakerListResponse([.. breakers.GetSnapshots().Select(BreakerResponse.From)]),
            BreakerJsonContext.Default.BreakerListResponse);

    private static async Task<IResult> IsolateAsync(
        string name,
        HttpContext context,
        BreakerRegistry breakers,
        CancellationToken cancellationToken)
    {
        if (!breakers.TryGet(name, out var breaker))
        {
            return UnknownBreaker(context, name, breakers);
        }

        var reason = DefaultIsolateReason;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            var (body, problem) = await RequestBodyReader.ReadJsonAsync(context, BodyLimit, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            var (given, error) = ParseReason(body!);
            if (error is not null)
            {
                return Problems.Validation(context, [error]);
            }

            reason = given ?? reason;
        }

        // The breaker logs the transition with the reason, so the endpoint adds no log entry of its own.
        breaker.Isolate(reason);
        return Snapshot(breaker);
    }

    private static IResult Reset(string name, HttpContext context, BreakerRegistry breakers)
    {
        if (!breakers.TryGet(name, out var breaker))
        {
            return UnknownBreaker(context, name, breakers);
        }

        breaker.Reset();
        return Snapshot(breaker);
    }

    private static (string? Reason, FieldError? Error) ParseReason(byte[] body)
    {
        IsolateRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(body, BreakerJsonContext.Default.IsolateRequest);
        }
        catch (JsonException exception)
        {
            return (null, new FieldError(
                exception.Path ?? "$",
                "json",
                null,
                "The body must be a JSON object with an optional string 'reason'."));
        }

        var reason = request?.Reason?.Trim();
        if (string.IsNullOrEmpty(reason))
        {
            return (null, null);
        }

        return reason.Length > MaxReasonLength
            ? (null, new FieldError(
                "reason", "length", OrderRequestParser.Truncate(reason),
                $"reason must be at most {MaxReasonLength} characters, but it has {reason.Length}."))
            : (reason, null);
    }

    private static IResult Snapshot(CircuitBreaker breaker) =>
        TypedResults.Json(BreakerResponse.From(breaker.GetSnapshot()), BreakerJsonContext.Default.BreakerResponse);

    private static IResult UnknownBreaker(HttpContext context, string name, BreakerRegistry breakers) =>
        Problems.Result(Problems.Create(
            context,
            StatusCodes.Status404NotFound,
            "breaker-not-found",
            $"No circuit breaker is named '{OrderRequestParser.Truncate(name)}'; the names are " +
            $"{string.Join(", ", breakers.Breakers.Select(b => b.Name))}."));
}
