using Breakwater.Domain.Orders;
using Breakwater.Tests.Doubles;
using Breakwater.Gateway.Hosting.Ibkr;

namespace Breakwater.Gateway.Tests.Ibkr;

public sealed class JournalOrderIdFloorSourceTests
{
    private static readonly DateTimeOffset Time = new(2026, 12, 4, 15, 0, 0, TimeSpan.Zero);

    private static Order NewOrder(long id, string? brokerOrderId) => new(
        id, $"floor-{id}", "AAPL", OrderSide.Buy, 10, OrderType.Market, null, TimeInForce.Day,
        brokerOrderId is null ? OrderStatus.Rejected : OrderStatus.Filled, 0, null, brokerOrderId, null,
        OrderAttention.None, Time, Time, 1);

    [Fact]
    public async Task GetOrderIdFloor_EmptyJournal_ReturnsZero()
    {
        var source = new JournalOrderIdFloorSource(new InMemoryOrderJournal());

        Assert.Equal(0, await source.GetOrderIdFloorAsync(CancellationToken.None));
    }

    [Fact]
    public async Task GetOrderIdFloor_NumericAndOtherIds_ReturnsHighestNumericPlusOne()
    {
        var journal = new InMemoryOrderJournal();
        journal.Seed(NewOrder(1, "17"));
        journal.Seed(NewOrder(2, "PAPER-99999"));
        journal.Seed(NewOrder(3, "41"));
        journal.Seed(NewOrder(4, null));

        var floor = await new JournalOrderIdFloorSource(journal).GetOrderIdFloorAsync(CancellationToken.None);

        Assert.Equal(42, floor);
    }

    [Fact]
    public async Task GetOrderIdFloor_NewestPageWithoutBrokerIds_WalksToOlderPages()
    {
        var journal = new InMemoryOrderJournal();
        journal.Seed(NewOrder(1, "7"));
        journal.Seed(NewOrder(2, "1234"));
        for (var id = 3; id <= 1200; id++)
        {
            journal.Seed(NewOrder(id, null));
        }

        var floor = await new JournalOrderIdFloorSource(journal).GetOrderIdFloorAsync(CancellationToken.None);

        Assert.Equal(1235, floor);
    }
}
