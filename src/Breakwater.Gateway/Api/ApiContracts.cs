using System.Text.Json.Serialization;
using Breakwater.Domain.Orders;

namespace Breakwater.Gateway.Api;

/// <summary>An order as the API returns it.</summary>
public sealed record OrderResponse(
    long Id,
    string ClientOrderId,
    string Symbol,
    OrderSide Side,
    long Quantity,
    OrderType Type,
    decimal? LimitPrice,
    TimeInForce TimeInForce,
    OrderStatus Status,
    long FilledQuantity,
    decimal? AverageFillPrice,
    string? BrokerOrderId,
    string? Reason,
    OrderAttention Attention,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Version)
{
    public static OrderResponse From(Order order) => new(
        order.Id,
        order.ClientOrderId,
        order.Symbol,
        order.Side,
        order.Quantity,
        order.Type,
        order.LimitPrice,
        order.TimeInForce,
        order.Status,
        order.FilledQuantity,
        order.AverageFillPrice,
        order.BrokerOrderId,
        order.Reason,
        order.Attention,
        order.CreatedAt,
        order.UpdatedAt,
        order.Version);
}

/// <param name="NextCursor">Pass as <c>cursor</c> to get the next page; null on the last page.</param>
public sealed record OrderListResponse(IReadOnlyList<OrderResponse> Orders, string? NextCursor);

public sealed record FillResponse(string ExecutionId, long Quantity, decimal Price, DateTimeOffset Time)
{
    public static FillResponse From(Fill fill) => new(fill.ExecutionId, fill.Quantity, fill.Price, fill.Time);
}

public sealed record OrderEventResponse(
    int Version, OrderEventKind Kind, OrderStatus Status, DateTimeOffset Time, FillResponse? Fill, string? Detail);

public sealed record OrderHistoryResponse(
    long OrderId, IReadOnlyList<OrderEventResponse> Events, IReadOnlyList<FillResponse> Fills);

public sealed record CancelFailureResponse(long OrderId, string ClientOrderId, string Error);

/// <param name="CancelRequested">Cancels the broker accepted; confirmations arrive as order updates.</param>
/// <param name="AlreadyFinal">Orders that were final by the time their cancel was sent.</param>
public sealed record CancelAllResponse(int CancelRequested, int AlreadyFinal, IReadOnlyList<CancelFailureResponse> Failures);

public sealed record QuoteResponse(string Symbol, decimal Bid, decimal Ask, decimal Last, DateTimeOffset Timestamp);

/// <summary>One invalid input: the field (a JSON property, query parameter or header), the rule it broke, the value.</summary>
/// <param name="Value">The offending value as sent, cut to 64 characters; null when the field was missing.</param>
public sealed record FieldError(string Field, string Rule, string? Value, string Message);

/// <summary>An RFC 9457 problem details document with the extensions this API uses.</summary>
public sealed record ProblemResponse
{
    public required string Type { get; init; }

    public required string Title { get; init; }

    public required int Status { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Detail { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Instance { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<FieldError>? Errors { get; init; }

    /// <summary>How many errors the request had, when <see cref="Errors"/> lists only the first of them.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ErrorCount { get; init; }

    /// <summary>The unavailable dependency, for 503 responses: broker, database or marketData.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Dependency { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? RetryAfterSeconds { get; init; }

    /// <summary>The order the problem concerns, when one exists (a 409 conflict, an order rejected as not sent).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? OrderId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TraceId { get; init; }
}
