using Breakwater.Domain.Journal;
using Breakwater.Domain.Orders;

namespace Breakwater.Journal.Tests.Infrastructure;

/// <summary>Builds orders and changes for journal tests.</summary>
public static class Orders
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 14, 30, 0, 123, TimeSpan.Zero);

    public static Order New(long id, string? clientOrderId = null, decimal? limitPrice = 101.25m) => Order.Create(
        id,
        new OrderRequest(
            clientOrderId ?? $"client-{id}",
            "AAPL",
            OrderSide.Buy,
            Quantity: 100,
            limitPrice is null ? OrderType.Market : OrderType.Limit,
            limitPrice,
            TimeInForce.Day),
        Start.AddTicks(id * 17));

    public static OrderChange Status(Order order, OrderStatus status, string? brokerOrderId = null, string? detail = null)
    {
        var next = order with
        {
            Status = status,
            BrokerOrderId = brokerOrderId ?? order.BrokerOrderId,
            UpdatedAt = order.UpdatedAt.AddMilliseconds(1),
            Version = order.Version + 1,
        };
        return new OrderChange(
            next,
            new OrderEvent(order.Id, next.Version, OrderEventKind.StatusChanged, status, next.UpdatedAt, null, detail));
    }

    public static OrderChange Fill(Order order, string executionId, long quantity, decimal price)
    {
        var filled = order.FilledQuantity + quantity;
        var average = ((order.AverageFillPrice ?? 0m) * order.FilledQuantity + price * quantity) / filled;
        var status = filled >= order.Quantity ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
        var time = order.UpdatedAt.AddMilliseconds(1);
        var next = order with
        {
            Status = status,
            FilledQuantity = filled,
            AverageFillPrice = average,
            UpdatedAt = time,
            Version = order.Version + 1,
        };
        return new OrderChange(
            next,
            new OrderEvent(
                order.Id, next.Version, OrderEventKind.Filled, status, time, new Fill(executionId, quantity, price, time),
                Detail: null));
    }
}
