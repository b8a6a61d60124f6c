using Breakwater.Domain.Brokers;
using Breakwater.Domain.Orders;

namespace Breakwater.Ibkr.Tests.Adapter;

/// <summary>The adapter raises its order id floor from <see cref="IIbkrOrderIdFloorSource"/> before the first order.</summary>
public sealed class IbkrOrderIdFloorTests
{
    private static BrokerOrder Market(string clientOrderId) =>
        new(1, clientOrderId, "AAPL", OrderSide.Buy, 10, OrderType.Market, null, TimeInForce.Day);

    [Fact]
    public async Task PlaceOrderAsync_FloorAboveNextValidId_UsesFloor()
    {
        var source = new ScriptedFloorSource(500);
        await using var h = await AdapterHarness.StartAsync(floorSource: source);

        var first = await h.Broker.PlaceOrderAsync(Market("floor-1"), CancellationToken.None);
        var second = await h.Broker.PlaceOrderAsync(Market("floor-2"), CancellationToken.None);

        Assert.Equal("500", first.BrokerOrderId);
        Assert.Equal("501", second.BrokerOrderId);
        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public async Task PlaceOrderAsync_FloorSourceFails_PlacesWithServerIdAndRetries()
    {
        var source = new ScriptedFloorSource(new InvalidOperationException("journal down"), 300);
        await using var h = await AdapterHarness.StartAsync(floorSource: source);

        var first = await h.Broker.PlaceOrderAsync(Market("floor-3"), CancellationToken.None);
        var second = await h.Broker.PlaceOrderAsync(Market("floor-4"), CancellationToken.None);
        var third = await h.Broker.PlaceOrderAsync(Market("floor-5"), CancellationToken.None);

        Assert.Equal("1", first.BrokerOrderId);
        Assert.Equal("300", second.BrokerOrderId);
        Assert.Equal("301", third.BrokerOrderId);
        Assert.Equal(2, source.Calls);
    }

    /// <summary>Returns or throws the scripted results in order; the last one repeats.</summary>
    private sealed class ScriptedFloorSource(params object[] results) : IIbkrOrderIdFloorSource
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<long> GetOrderIdFloorAsync(CancellationToken cancellationToken)
        {
            var index = Interlocked.Increment(ref _calls) - 1;
            var result = results[Math.Min(index, results.Length - 1)];
            return result is Exception exception
                ? Task.FromException<long>(exception)
                : Task.FromResult(Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
