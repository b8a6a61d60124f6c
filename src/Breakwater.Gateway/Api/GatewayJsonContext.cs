using System.Text.Json;
using System.Text.Json.Serialization;
using Breakwater.Domain.Orders;

namespace Breakwater.Gateway.Api;

/// <summary>Source-generated serializers for every type the API reads or writes: camelCase names and enum values.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    Converters =
    [
        typeof(CamelCaseEnumConverter<OrderSide>),
        typeof(CamelCaseEnumConverter<OrderType>),
        typeof(CamelCaseEnumConverter<TimeInForce>),
        typeof(CamelCaseEnumConverter<OrderStatus>),
        typeof(CamelCaseEnumConverter<OrderAttention>),
        typeof(CamelCaseEnumConverter<OrderEventKind>),
    ])]
[JsonSerializable(typeof(OrderResponse))]
[JsonSerializable(typeof(OrderListResponse))]
[JsonSerializable(typeof(OrderHistoryResponse))]
[JsonSerializable(typeof(CancelAllResponse))]
[JsonSerializable(typeof(QuoteResponse))]
[JsonSerializable(typeof(ProblemResponse))]
public sealed partial class GatewayJsonContext : JsonSerializerContext;

/// <summary>Writes and reads an enum as its camelCase name, as the API documents (<c>pendingSubmit</c>).</summary>
public sealed class CamelCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.CamelCase, false)
    where TEnum : struct, Enum;
