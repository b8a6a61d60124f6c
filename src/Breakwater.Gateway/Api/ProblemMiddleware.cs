using System.Globalization;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Lifecycle;
using Breakwater.Domain.Orders;

namespace Breakwater.Gateway.Api;

/// <summary>
/// Turns the domain's exceptions into problem details responses (404, 409, 503 with <c>Retry-After</c>), and every
/// other unhandled exception into a 500 without internals.
/// </summary>
internal sealed partial class ProblemMiddleware(RequestDelegate next, ILogger<ProblemMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception exception) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            var problem = Map(context, exception);
            if (problem.Status >= 500 && exception is not DependencyUnavailableException
                and not GatewayNotAcceptingOrdersException)
            {
                Log.UnhandledException(logger, context.Request.Method, context.Request.Path, exception);
            }
            else
            {
                Log.RequestFailed(logger, context.Request.Method, context.Request.Path, problem.Status, exception.Message);
            }

            context.Response.Clear();
            if (problem.RetryAfterSeconds is { } seconds)
            {
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            }

            await Problems.WriteAsync(context, problem);
        }
    }

    private static ProblemResponse Map(HttpContext context, Exception exception) => exception switch
    {
        OrderNotFoundException notFound => Problems.Create(
            context, StatusCodes.Status404NotFound, "order-not-found", notFound.Message) with { OrderId = notFound.OrderId },
        OrderConflictException conflict => Problems.Create(
            context,
            StatusCodes.Status409Conflict,
            conflict.Kind switch
            {
                OrderConflictKind.ClientOrderIdReused => "client-order-id-reused",
                OrderConflictKind.AlreadyFinal => "order-already-final",
                _ => "cancel-rejected",
            },
            conflict.Message) with { OrderId = conflict.Order?.Id },
        GatewayNotAcceptingOrdersException notAccepting => Problems.Create(
            context,
            StatusCodes.Status503ServiceUnavailable,
            notAccepting.State == LifecycleState.Stopping ? "shutting-down" : "starting",
            notAccepting.Message,
            notAccepting.State == LifecycleState.Stopping ? "The gateway is shutting down." : "The gateway is starting.")
            with { RetryAfterSeconds = notAccepting.State == LifecycleState.Stopping ? null : 1 },
        OrderNotSentException notSent => Unavailable(context, notSent) with { OrderId = notSent.Order?.Id },
        DependencyUnavailableException unavailable => Unavailable(context, unavailable),
        BadHttpRequestException badRequest => Problems.Create(
            context, badRequest.StatusCode, "bad-request", "The request could not be read."),
        _ => Problems.Create(
            context, StatusCodes.Status500InternalServerError, "internal-error",
            "The gateway failed to process the request; the error is logged."),
    };

    private static ProblemResponse Unavailable(HttpContext context, DependencyUnavailableException exception)
    {
        // Retry-After is whole seconds; round up so that a client never comes back before the breaker lets it through.
        var retryAfter = exception.RetryAfter is { } wait
            ? (int)Math.Max(1, Math.Ceiling(wait.TotalSeconds))
            : 1;
        return Problems.Create(
            context,
            StatusCodes.Status503ServiceUnavailable,
            "dependency-unavailable",
            Describe(exception),
            $"The {exception.Dependency} is unavailable.") with
        {
            Dependency = exception.Dependency,
            RetryAfterSeconds = retryAfter,
        };
    }

    /// <summary>
    /// Returns a fixed sentence for the kind of failure. The exception's own message may carry a provider's text (host
    /// names, user names, SQL), which is logged but never sent to a client.
    /// </summary>
    internal static string Describe(DependencyUnavailableException exception)
    {
        var dependency = exception.Dependency switch
        {
            DependencyNames.Broker => "broker",
            DependencyNames.Database => "order journal database",
            DependencyNames.MarketData => "market data feed",
            _ => "dependency",
        };
        var sentence = exception switch
        {
            { RequestMayHaveReachedDependency: true } =>
                $"The {dependency} did not confirm the request, which may have reached it.",
            { RetryAfter: not null } =>
                $"The {dependency} is unavailable, and calls to it are paused until the Retry-After delay has passed.",
            { InnerException: TimeoutException } => $"The {dependency} did not answer in time.",
            _ => $"The {dependency} is unavailable.",
        };
        return exception is OrderNotSentException
            ? sentence + " The order was journaled as rejected and was not sent to the broker."
            : sentence;
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 2000,
            EventName = "UnhandledException",
            Level = LogLevel.Error,
            Message = "{Method} {Path} failed with an unhandled exception")]
        public static partial void UnhandledException(ILogger logger, string method, string path, Exception exception);

        [LoggerMessage(
            EventId = 2001,
            EventName = "RequestFailed",
            Level = LogLevel.Information,
            Message = "{Method} {Path} answered {Status}: {Reason}")]
        public static partial void RequestFailed(ILogger logger, string method, string path, int status, string reason);
    }
}
