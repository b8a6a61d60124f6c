using Breakwater.Domain.Brokers;
using Breakwater.Domain.Orders;

namespace Breakwater.Ibkr;

/// <summary>Maps TWS order statuses and error codes to Breakwater's order model.</summary>
public static class IbkrStatusMapping
{
    /// <summary>
    /// Maps a TWS status text. Working states become Submitted, or PartiallyFilled once something filled; Inactive (an
    /// order TWS will not work) becomes Rejected.
    /// </summary>
    public static OrderStatus ToOrderStatus(string status, decimal filled) => status switch
    {
        "Filled" => OrderStatus.Filled,
        "Cancelled" or "ApiCancelled" => OrderStatus.Cancelled,
        "Inactive" => OrderStatus.Rejected,
        "PendingCancel" => OrderStatus.PendingCancel,
        _ when filled > 0 => OrderStatus.PartiallyFilled,
        _ => OrderStatus.Submitted,
    };

    /// <summary>
    /// Returns whether an error code for an order or request id only warns (the request goes on), as 21xx notices,
    /// 399 (order message warning), 404 (shares being located) and 10167 (delayed data shown) do.
    /// </summary>
    public static bool IsWarning(int code) =>
        code is (>= 2100 and <= 2199) or 399 or 404 or 10167 or 10089 or 10090 or 202;

    /// <summary>Maps an order rejection code from TWS to a <see cref="BrokerRejectionCode"/>.</summary>
    public static BrokerRejectionCode ToRejectionCode(int code, string text) => code switch
    {
        200 => BrokerRejectionCode.InvalidSymbol,
        201 when text.Contains("margin", StringComparison.OrdinalIgnoreCase)
            || text.Contains("insufficient", StringComparison.OrdinalIgnoreCase)
            || text.Contains("buying power", StringComparison.OrdinalIgnoreCase) => BrokerRejectionCode.InsufficientFunds,
        201 or 103 or 104 or 105 or 110 or 135 or 387 => BrokerRejectionCode.InvalidOrder,
        10147 => BrokerRejectionCode.OrderNotFound,
        10148 or 161 => BrokerRejectionCode.OrderAlreadyFinal,
        _ => BrokerRejectionCode.Other,
    };
}
