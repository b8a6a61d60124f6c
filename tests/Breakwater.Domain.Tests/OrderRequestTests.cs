using Breakwater.Domain.Orders;

namespace Breakwater.Domain.Tests;

public sealed class OrderRequestTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 15, 0, 0, TimeSpan.Zero);

    private static OrderRequest LimitBuy() =>
        new("abc-1", "AAPL", OrderSide.Buy, 100, OrderType.Limit, 150.25m, TimeInForce.Day);

    [Fact]
    public void HasSameFieldsAs_IdenticalRequest_ReturnsTrue()
    {
        var order = Order.Create(1, LimitBuy(), Now);

        Assert.True(LimitBuy().HasSameFieldsAs(order));
    }

    [Fact]
    public void HasSameFieldsAs_DifferentLimitPrice_ReturnsFalse()
    {
        var order = Order.Create(1, LimitBuy(), Now);

        Assert.False((LimitBuy() with { LimitPrice = 150.26m }).HasSameFieldsAs(order));
    }

    [Theory]
    [InlineData(OrderStatus.Filled, true)]
    [InlineData(OrderStatus.Cancelled, true)]
    [InlineData(OrderStatus.Rejected, true)]
    [InlineData(OrderStatus.PendingSubmit, false)]
    [InlineData(OrderStatus.Submitted, false)]
    [InlineData(OrderStatus.PartiallyFilled, false)]
    [InlineData(OrderStatus.PendingCancel, false)]
    public void IsFinal_EachStatus_MatchesLifecycle(OrderStatus status, bool expected)
    {
        Assert.Equal(expected, status.IsFinal());
    }
}
