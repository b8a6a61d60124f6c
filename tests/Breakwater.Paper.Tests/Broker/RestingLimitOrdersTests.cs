using Breakwater.Domain.MarketData;
using Breakwater.Domain.Orders;
using Breakwater.Paper.Broker;

namespace Breakwater.Paper.Tests.Broker;

public sealed class RestingLimitOrdersTests
{
    private static readonly Quote Quote = new("AAPL", 99.99m, 100.01m, 100.00m, PaperHarness.Start);

    [Fact]
    public void AddCrossed_Buys_ReturnsCrossedBestFirst()
    {
        var book = new RestingLimitOrders();
        book.Add(Limit(1, OrderSide.Buy, 100.01m));
        book.Add(Limit(2, OrderSide.Buy, 100.50m));
        book.Add(Limit(3, OrderSide.Buy, 100.00m));
        book.Add(Limit(4, OrderSide.Buy, 100.50m));
        var crossed = new List<PaperOrder>();

        book.AddCrossed("AAPL", Quote, crossed);

        Assert.Equal([2L, 4L, 1L], crossed.Select(o => o.Number));
    }

    [Fact]
    public void AddCrossed_Sells_ReturnsCrossedBestFirst()
    {
        var book = new RestingLimitOrders();
        book.Add(Limit(1, OrderSide.Sell, 99.99m));
        book.Add(Limit(2, OrderSide.Sell, 100.00m));
        book.Add(Limit(3, OrderSide.Sell, 99.50m));
        var crossed = new List<PaperOrder>();

        book.AddCrossed("AAPL", Quote, crossed);

        Assert.Equal([3L, 1L], crossed.Select(o => o.Number));
    }

    [Fact]
    public void AddCrossed_OtherSymbol_ReturnsNothing()
    {
        var book = new RestingLimitOrders();
        book.Add(Limit(1, OrderSide.Buy, 500m, "MSFT"));
        var crossed = new List<PaperOrder>();

        book.AddCrossed("AAPL", Quote, crossed);

        Assert.Empty(crossed);
    }

    [Fact]
    public void Remove_LastOrderOfSymbol_DropsSymbol()
    {
        var book = new RestingLimitOrders();
        var buy = Limit(1, OrderSide.Buy, 1m);
        var sell = Limit(2, OrderSide.Sell, 1_000m, "MSFT");
        book.Add(buy);
        book.Add(sell);

        book.Remove(buy);
        var all = new List<PaperOrder>();
        book.AddAll("MSFT", all);

        Assert.Equal(["MSFT"], book.Symbols());
        Assert.Equal([sell], all);
    }

    [Fact]
    public void Holds_MarketOrExternalOrder_ReturnsFalse()
    {
        var market = new PaperOrder { Number = 1, Symbol = "AAPL", Type = OrderType.Market, Quantity = 1 };
        var external = new PaperOrder
        {
            Number = 2, Symbol = "AAPL", Type = OrderType.Limit, LimitPrice = 1m, Quantity = 1, External = true,
        };

        Assert.False(RestingLimitOrders.Holds(market));
        Assert.False(RestingLimitOrders.Holds(external));
        Assert.True(RestingLimitOrders.Holds(Limit(3, OrderSide.Buy, 1m)));
    }

    private static PaperOrder Limit(long number, OrderSide side, decimal limit, string symbol = "AAPL") => new()
    {
        Number = number,
        Symbol = symbol,
        Side = side,
        Quantity = 1,
        Type = OrderType.Limit,
        LimitPrice = limit,
        Status = OrderStatus.Submitted,
    };
}
