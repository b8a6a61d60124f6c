using Breakwater.Domain.Brokers;
using Breakwater.Domain.Lifecycle;
using Breakwater.Domain.Orders;
using Breakwater.Tests.Doubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Breakwater.Domain.Tests.Orders;

/// <summary>Fills that cannot be true are refused before they reach the journal.</summary>
public sealed class OrderManagerInvalidFillTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 17, 0, 0, TimeSpan.Zero));
    private readonly InMemoryOrderJournal _journal = new();
    private readonly FakeBroker _broker = new();
    private readonly GatewayLifecycle _lifecycle = new();

    private static BrokerOrderUpdate FillUpdate(Order order, string executionId, long quantity, decimal price) =>
        new(order.BrokerOrderId!, order.ClientOrderId, OrderStatus.PartiallyFilled, order.FilledQuantity + quantity,
            new Fill(executionId, quantity, price, DateTimeOffset.UnixEpoch), null, DateTimeOffset.UnixEpoch);

    private async Task<(OrderManager Manager, Order Order)> SubmittedAsync(string clientOrderId)
    {
        var manager = new OrderManager(_journal, _broker, _lifecycle, _time, NullLogger<OrderManager>.Instance);
        _broker.Sink = manager;
        await manager.StartAsync(CancellationToken.None);
        _lifecycle.MarkRunning();
        var request = new OrderRequest(clientOrderId, "AAPL", OrderSide.Buy, 10, OrderType.Limit, 100m, TimeInForce.Gtc);
        var result = await manager.SubmitAsync(request, CancellationToken.None);
        return (manager, result.Order);
    }

    private async Task<Order> StoredAsync(long id) => (await _journal.GetOrderAsync(id, CancellationToken.None))!;

    [Theory]
    [InlineData(-5, 100)]
    [InlineData(0, 100)]
    [InlineData(1, -100)]
    [InlineData(1, 0)]
    [InlineData(11, 100)]
    public async Task OnOrderUpdateAsync_ImpossibleFill_FlagsOrderWithoutJournalingFill(long quantity, int price)
    {
        var (manager, order) = await SubmittedAsync($"bad-{quantity}-{price}");

        await manager.OnOrderUpdateAsync(FillUpdate(order, "E-bad", quantity, price), CancellationToken.None);

        var stored = await StoredAsync(order.Id);
        Assert.Equal(0, stored.FilledQuantity);
        Assert.Null(stored.AverageFillPrice);
        Assert.Equal(OrderStatus.Submitted, stored.Status);
        Assert.Equal(OrderAttention.InvalidFill, stored.Attention);
        var history = await _journal.GetHistoryAsync(order.Id, CancellationToken.None);
        Assert.DoesNotContain(history, e => e.Fill is not null);
    }

    [Fact]
    public async Task OnOrderUpdateAsync_FillAboveRemainingQuantity_KeepsEarlierFills()
    {
        var (manager, order) = await SubmittedAsync("over-1");
        await manager.OnOrderUpdateAsync(FillUpdate(order, "E-1", 6, 100m), CancellationToken.None);
        var partial = await StoredAsync(order.Id);

        await manager.OnOrderUpdateAsync(FillUpdate(partial, "E-2", 5, 100m), CancellationToken.None);

        var stored = await StoredAsync(order.Id);
        Assert.Equal(6, stored.FilledQuantity);
        Assert.Equal(OrderStatus.PartiallyFilled, stored.Status);
        Assert.Equal(OrderAttention.InvalidFill, stored.Attention);
    }

    [Fact]
    public async Task OnOrderUpdateAsync_ImpossibleFillRedelivered_WritesFlagOnce()
    {
        var (manager, order) = await SubmittedAsync("again-1");
        await manager.OnOrderUpdateAsync(FillUpdate(order, "E-bad", -5, 100m), CancellationToken.None);
        var flagged = await StoredAsync(order.Id);

        await manager.OnOrderUpdateAsync(FillUpdate(order, "E-bad", -5, 100m), CancellationToken.None);

        Assert.Equal(flagged.Version, (await StoredAsync(order.Id)).Version);
    }

    [Fact]
    public async Task OnOrderUpdateAsync_ValidFillAfterRejectedOne_IsJournaled()
    {
        var (manager, order) = await SubmittedAsync("valid-1");
        await manager.OnOrderUpdateAsync(FillUpdate(order, "E-bad", 1000, 100m), CancellationToken.None);

        await manager.OnOrderUpdateAsync(FillUpdate(order, "E-ok", 10, 99m), CancellationToken.None);

        var stored = await StoredAsync(order.Id);
        Assert.Equal(10, stored.FilledQuantity);
        Assert.Equal(99m, stored.AverageFillPrice);
        Assert.Equal(OrderStatus.Filled, stored.Status);
        Assert.Equal(OrderAttention.InvalidFill, stored.Attention);
    }
}
