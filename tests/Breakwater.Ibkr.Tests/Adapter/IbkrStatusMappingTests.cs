using Breakwater.Domain.Brokers;
using Breakwater.Domain.Orders;

namespace Breakwater.Ibkr.Tests.Adapter;

public sealed class IbkrStatusMappingTests
{
    [Theory]
    [InlineData("PreSubmitted", 0, OrderStatus.Submitted)]
    [InlineData("Submitted", 0, OrderStatus.Submitted)]
    [InlineData("Submitted", 3, OrderStatus.PartiallyFilled)]
    [InlineData("PendingCancel", 0, OrderStatus.PendingCancel)]
    [InlineData("Cancelled", 0, OrderStatus.Cancelled)]
    [InlineData("ApiCancelled", 0, OrderStatus.Cancelled)]
    [InlineData("Filled", 10, OrderStatus.Filled)]
    [InlineData("Inactive", 0, OrderStatus.Rejected)]
    public void ToOrderStatus_TwsStatus_MapsToDomain(string status, int filled, OrderStatus expected)
    {
        Assert.Equal(expected, IbkrStatusMapping.ToOrderStatus(status, filled));
    }

    [Theory]
    [InlineData(200, "No security definition has been found for the request", BrokerRejectionCode.InvalidSymbol)]
    [InlineData(201, "Order rejected - reason:Exchange is closed.", BrokerRejectionCode.InvalidOrder)]
    [InlineData(201, "Order rejected - reason:Insufficient buying power", BrokerRejectionCode.InsufficientFunds)]
    [InlineData(103, "Duplicate order id", BrokerRejectionCode.InvalidOrder)]
    [InlineData(10147, "OrderId 466 that needs to be cancelled is not found.", BrokerRejectionCode.OrderNotFound)]
    [InlineData(10148, "cannot be cancelled, state: Filled.", BrokerRejectionCode.OrderAlreadyFinal)]
    [InlineData(161, "Cancel attempted when order is not in a cancellable state.", BrokerRejectionCode.OrderAlreadyFinal)]
    [InlineData(321, "Error validating request", BrokerRejectionCode.Other)]
    public void ToRejectionCode_TwsCode_MapsToDomain(int code, string text, BrokerRejectionCode expected)
    {
        Assert.Equal(expected, IbkrStatusMapping.ToRejectionCode(code, text));
    }

    [Theory]
    [InlineData(2104, true)]
    [InlineData(399, true)]
    [InlineData(10167, true)]
    [InlineData(201, false)]
    [InlineData(10148, false)]
    public void IsWarning_Code_ClassifiesWarnings(int code, bool expected)
    {
        Assert.Equal(expected, IbkrStatusMapping.IsWarning(code));
    }

    [Theory]
    [InlineData("20231116-12:15:35", "2023-11-16T12:15:35Z")]
    [InlineData("20231116 12:15:35 US/Eastern", "2023-11-16T17:15:35Z")]
    [InlineData("20231116 12:15:35", "2023-11-16T12:15:35Z")]
    [InlineData("garbage", "1970-01-01T00:00:00Z")]
    public void ParseExecutionTime_TwsFormats_ParsesUtc(string text, string expected)
    {
        var parsed = IbkrBroker.ParseExecutionTime(text);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), parsed);
    }
}
