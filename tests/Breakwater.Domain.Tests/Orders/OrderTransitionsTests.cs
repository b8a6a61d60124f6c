using Breakwater.Domain.Orders;

namespace Breakwater.Domain.Tests.Orders;

public sealed class OrderTransitionsTests
{
    [Theory]
    [InlineData(OrderStatus.PendingSubmit, OrderStatus.Submitted, 0, OrderStatus.Submitted)]
    [InlineData(OrderStatus.Submitted, OrderStatus.PartiallyFilled, 40, OrderStatus.PartiallyFilled)]
    [InlineData(OrderStatus.Submitted, OrderStatus.Submitted, 100, OrderStatus.Filled)]
    [InlineData(OrderStatus.PendingCancel, OrderStatus.PartiallyFilled, 40, OrderStatus.PendingCancel)]
    [InlineData(OrderStatus.PendingCancel, OrderStatus.Submitted, 0, OrderStatus.PendingCancel)]
    [InlineData(OrderStatus.PendingCancel, OrderStatus.Cancelled, 40, OrderStatus.Cancelled)]
    [InlineData(OrderStatus.PendingCancel, OrderStatus.PartiallyFilled, 100, OrderStatus.Filled)]
    [InlineData(OrderStatus.Filled, OrderStatus.Cancelled, 100, OrderStatus.Filled)]
    [InlineData(OrderStatus.Cancelled, OrderStatus.Submitted, 0, OrderStatus.Cancelled)]
    [InlineData(OrderStatus.PendingSubmit, OrderStatus.PendingSubmit, 0, OrderStatus.PendingSubmit)]
    [InlineData(OrderStatus.Submitted, OrderStatus.PendingSubmit, 0, OrderStatus.Submitted)]
    [InlineData(OrderStatus.Submitted, OrderStatus.Rejected, 0, OrderStatus.Rejected)]
    public void Next_ReportedStatus_FollowsLifecycle(OrderStatus current, OrderStatus reported, long filled, OrderStatus expected)
    {
        Assert.Equal(expected, OrderTransitions.Next(current, reported, filled, quantity: 100));
    }
}
