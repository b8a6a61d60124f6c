using System.Globalization;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Journal;
using Breakwater.Domain.Orders;
using Breakwater.Gateway.Breakers;
using Breakwater.Gateway.Security;

namespace Breakwater.Gateway.Api;

/// <summary>Maps the order endpoints under <c>/api/orders</c>; every one requires the API token.</summary>
public static class OrderEndpoints
{
    public const int DefaultPageSize = 50;

    public const int MaxPageSize = 500;

    public static RouteGroupBuilder MapOrderApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/orders").RequireAuthorization(ApiTokenDefaults.PolicyName);
        group.MapPost("/", SubmitAsync);
        group.MapGet("/", ListAsync);
        group.MapGet("/{id:long}", GetAsync);
        group.MapGet("/{id:long}/history", GetHistoryAsync);
        group.MapDelete("/{id:long}", CancelAsync);
        group.MapPost("/cancel-all", CancelAllAsync);
        return group;
    }

    private static async Task<IResult> SubmitAsync(
        HttpContext context, OrderManager orders, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestBodyReader.ReadJsonAsync(context, RequestBodyReader.OrderBodyLimit, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var request = OrderRequestParser.Parse(
            body, () => Guid.CreateVersion7(timeProvider.GetUtcNow()).ToString("N"), out var errors);
        if (request is null)
        {
            return Problems.Validation(context, errors);
        }

        var outcomes = context.RequestServices.GetService<OrderOutcomeRecorder>();
        SubmitResult result;
        try
        {
            result = await orders.SubmitAsync(request, cancellationToken);
        }
        catch (DependencyUnavailableException)
        {
            outcomes?.RecordFailed();
            throw;
        }

        outcomes?.RecordSubmitted(result);
        var response = OrderResponse.From(result.Order);
        var location = "/api/orders/" + result.Order.Id.ToString(CultureInfo.InvariantCulture);
        return result.Outcome switch
        {
            SubmitOutcome.Existing => Json(response, StatusCodes.Status200OK, location),
            SubmitOutcome.Uncertain => Json(response, StatusCodes.Status202Accepted, location),
            _ => Json(response, StatusCodes.Status201Created, location),
        };
    }

    private static async Task<IResult> ListAsync(
        HttpContext context, IOrderJournal journal, CancellationToken cancellationToken)
    {
        var query = OrderListQueryParser.Parse(context.Request.Query, DefaultPageSize, MaxPageSize, out var errors);
        if (query is null)
        {
            return Problems.Validation(context, errors);
        }

        var page = await journal.ListOrdersAsync(query, cancellationToken);
        var response = new OrderListResponse(
            page.Orders.Select(OrderResponse.From).ToList(),
            page.NextBeforeId is { } next ? OrderCursor.Encode(next) : null);
        return TypedResults.Json(response, GatewayJsonContext.Default.OrderListResponse);
    }

    private static async Task<IResult> GetAsync(
        long id, HttpContext context, OrderManager orders, CancellationToken cancellationToken)
    {
        var order = await orders.GetOrderAsync(id, cancellationToken);
        return order is null
            ? NotFound(context, id)
            : TypedResults.Json(OrderResponse.From(order), GatewayJsonContext.Default.OrderResponse);
    }

    private static async Task<IResult> GetHistoryAsync(
        long id, HttpContext context, IOrderJournal journal, CancellationToken cancellationToken)
    {
        var events = await journal.GetHistoryAsync(id, cancellationToken);
        if (events.Count == 0 && await journal.GetOrderAsync(id, cancellationToken) is null)
        {
            return NotFound(context, id);
        }

        var response = new OrderHistoryResponse(
            id,
            events.Select(e => new OrderEventResponse(
                e.Version, e.Kind, e.Status, e.Time, e.Fill is null ? null : FillResponse.From(e.Fill), e.Detail)).ToList(),
            events.Select(e => e.Fill).OfType<Fill>().Select(FillResponse.From).ToList());
        return TypedResults.Json(response, GatewayJsonContext.Default.OrderHistoryResponse);
    }

    private static async Task<IResult> CancelAsync(long id, OrderManager orders, CancellationToken cancellationToken)
    {
        var result = await orders.CancelAsync(id, cancellationToken);
        return Json(OrderResponse.From(result.Order), StatusCodes.Status202Accepted, location: null);
    }

    private static async Task<IResult> CancelAllAsync(OrderManager orders, CancellationToken cancellationToken)
    {
        var result = await orders.CancelAllAsync(cancellationToken);
        var response = new CancelAllResponse(
            result.CancelRequested,
            result.AlreadyFinal,
            result.Failures.Select(f => new CancelFailureResponse(f.OrderId, f.ClientOrderId, f.Error)).ToList());
        return TypedResults.Json(response, GatewayJsonContext.Default.CancelAllResponse, statusCode: StatusCodes.Status202Accepted);
    }

    private static IResult NotFound(HttpContext context, long id) =>
        Problems.Result(Problems.Create(
            context, StatusCodes.Status404NotFound, "order-not-found", $"No order with id {id} exists.") with { OrderId = id });

    private static IResult Json(OrderResponse response, int status, string? location)
    {
        var json = TypedResults.Json(response, GatewayJsonContext.Default.OrderResponse, statusCode: status);
        return location is null ? json : new WithLocation(json, location);
    }

    /// <summary>Adds a <c>Location</c> header to a JSON result.</summary>
    private sealed class WithLocation(IResult inner, string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
