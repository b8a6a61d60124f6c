using System.Globalization;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.Orders;
using Microsoft.Data.Sqlite;

namespace Breakwater.Paper.Tests.Broker;

/// <summary>Match steps between ticks, steps in batches of one transaction, and delivery in waves.</summary>
public sealed class PaperBrokerStepTests
{
    private static readonly TimeSpan MatchInterval = TimeSpan.FromMilliseconds(10);

    [Fact]
    public async Task MatchStep_MarketOrder_FillsBeforeTick()
    {
        await using var harness = PaperHarness.Create(o => o.MatchInterval = MatchInterval);
        var askAtPlace = harness.Quote("AAPL").Ask;
        await harness.PlaceAsync("match-market", OrderSide.Buy, 5);

        // Half a tick (50 ms) after the acknowledgement the order may fill; the tick itself is at 100 ms.
        harness.Time.Advance(TimeSpan.FromMilliseconds(60));
        var update = await harness.Sink.NextAsync();

        Assert.Equal(OrderStatus.Filled, update.Status);
        Assert.Equal(askAtPlace, update.Fill!.Price);
        Assert.True(update.Time < PaperHarness.Start + harness.Options.TickInterval, $"Filled at {update.Time:O}.");
        Assert.Equal(askAtPlace, harness.Quote("AAPL").Ask);
    }

    [Fact]
    public async Task MatchStep_CrossingLimitOrder_WaitsForTick()
    {
        await using var harness = PaperHarness.Create(o => o.MatchInterval = MatchInterval);
        var limit = harness.Quote("AAPL").Ask + 50m;
        await harness.PlaceAsync("match-limit", OrderSide.Buy, 5, limitPrice: limit);

        harness.Time.Advance(TimeSpan.FromMilliseconds(90));
        var beforeTick = await harness.Broker.FindOrderAsync("match-limit", CancellationToken.None);
        harness.Time.Advance(TimeSpan.FromMilliseconds(10));
        var update = await harness.Sink.NextAsync();

        Assert.Equal(OrderStatus.Submitted, beforeTick!.Status);
        Assert.Equal(OrderStatus.Filled, update.Status);
    }

    [Fact]
    public async Task MatchStep_RequestedCancel_ConfirmedBeforeNextTick()
    {
        await using var harness = PaperHarness.Create(o => o.MatchInterval = MatchInterval);
        var ack = await harness.PlaceAsync("match-cancel", OrderSide.Buy, 5, limitPrice: 1m);
        await harness.Broker.CancelOrderAsync(
            new BrokerOrderReference(1, "match-cancel", ack.BrokerOrderId), CancellationToken.None);

        harness.Time.Advance(MatchInterval);
        var update = await harness.Sink.NextAsync();

        Assert.Equal(OrderStatus.Cancelled, update.Status);
        Assert.Equal(PaperHarness.Start + MatchInterval, update.Time);
    }

    [Fact]
    public async Task Step_BatchWriteFails_RestoresOrdersAndCash()
    {
        await using var harness = PaperHarness.Create();
        var startingCash = harness.Broker.Cash;
        await harness.PlaceAsync("batch-1", OrderSide.Buy, 10);
        await harness.PlaceAsync("batch-2", OrderSide.Buy, 20);
        var third = await harness.PlaceAsync("batch-3", OrderSide.Buy, 30);

        // The first two fills of the batch are written before the third one fails, so all three must roll back.
        var thirdNumber = long.Parse(third.BrokerOrderId[2..], CultureInfo.InvariantCulture);
        await using var book = OpenBook(harness);
        Execute(book, $"""
            CREATE TRIGGER refuse_fill BEFORE INSERT ON fills WHEN NEW.order_number = {thirdNumber}
            BEGIN SELECT RAISE(ABORT, 'the test refuses this fill'); END;
            """);
        harness.Tick();
        var afterFailure = await Task.WhenAll(
            new[] { "batch-1", "batch-2", "batch-3" }.Select(id =>
                harness.Broker.FindOrderAsync(id, CancellationToken.None)));
        var cashAfterFailure = harness.Broker.Cash;
        var pendingAfterFailure = harness.Broker.PendingUpdateCount;

        Execute(book, "DROP TRIGGER refuse_fill;");
        harness.Tick();
        var delivered = await NextAsync(harness, 3);

        Assert.All(afterFailure, order => Assert.Equal(OrderStatus.Submitted, order!.Status));
        Assert.All(afterFailure, order => Assert.Empty(order!.Fills));
        Assert.Equal(startingCash, cashAfterFailure);
        Assert.Equal(0, pendingAfterFailure);
        Assert.All(delivered, update => Assert.Equal(OrderStatus.Filled, update.Status));
        Assert.Equal(startingCash - delivered.Sum(u => u.Fill!.Quantity * u.Fill.Price), harness.Broker.Cash);
        Assert.Equal(3L, Scalar(book, "SELECT COUNT(*) FROM fills;"));
    }

    [Fact]
    public async Task Step_SeveralBatches_FillsEachOrderOnce()
    {
        await using var harness = PaperHarness.Create();
        var count = Breakwater.Paper.Broker.PaperBroker.StepBatchSize * 2 + 5;
        for (var i = 0; i < count; i++)
        {
            await harness.PlaceAsync($"many-{i}", i % 2 == 0 ? OrderSide.Buy : OrderSide.Sell, 1);
        }

        harness.Tick();
        var updates = new List<BrokerOrderUpdate>();
        for (var i = 0; i < count; i++)
        {
            updates.Add(await harness.Sink.NextAsync());
        }

        await using var book = OpenBook(harness);
        Assert.Equal(count, updates.Select(u => u.ClientOrderId).Distinct().Count());
        Assert.All(updates, update => Assert.Equal(OrderStatus.Filled, update.Status));
        Assert.Equal((long)count, Scalar(book, "SELECT COUNT(*) FROM fills;"));
    }

    [Fact]
    public async Task Tick_QuoteWalksIntoRestingLimit_FillsIt()
    {
        await using var harness = PaperHarness.Create(o => o.Volatility = 0.005);
        var limit = harness.Quote("AAPL").Bid - 1m;
        await harness.PlaceAsync("walk-in", OrderSide.Buy, 1, limitPrice: limit);

        // The walk is seeded, so the tick that first brings the ask down to the limit is the same on every run.
        var ticks = 0;
        while (harness.Quote("AAPL").Ask > limit && ticks < 500)
        {
            harness.Tick();
            ticks++;
        }

        var crossedAt = harness.Quote("AAPL").Ask;
        harness.Tick();
        var update = await harness.Sink.NextAsync();

        Assert.True(crossedAt <= limit, $"The ask did not reach {limit} within {ticks} ticks.");
        Assert.Equal(OrderStatus.Filled, update.Status);
        Assert.True(update.Fill!.Price <= limit, $"Filled at {update.Fill.Price}, above the limit {limit}.");
    }

    [Fact]
    public async Task Delivery_DistinctOrders_InFlightTogether()
    {
        await using var harness = PaperHarness.Create();
        harness.Sink.HoldUntilInFlight(3);
        await harness.PlaceAsync("together-1", OrderSide.Buy, 1);
        await harness.PlaceAsync("together-2", OrderSide.Buy, 1);
        await harness.PlaceAsync("together-3", OrderSide.Sell, 1);

        // One update at a time would hold the first delivery until the wait limit and fail here.
        harness.Tick();
        var updates = await NextAsync(harness, 3);

        Assert.Equal(
            ["together-1", "together-2", "together-3"],
            updates.Select(u => u.ClientOrderId!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Delivery_OrderRejectedForAWhile_KeepsItsOrder()
    {
        await using var harness = PaperHarness.Create(o => o.MaxFillQuantityPerTick = 1);
        var rejecting = true;
        harness.Sink.Reject = update => Volatile.Read(ref rejecting) && update.ClientOrderId == "held";
        await harness.PlaceAsync("held", OrderSide.Buy, 2);
        await harness.PlaceAsync("free", OrderSide.Buy, 1);

        harness.Tick();
        var free = await harness.Sink.NextAsync();
        harness.Tick();
        await WaitUntilAsync(() => harness.Broker.PendingUpdateCount == 2);
        Volatile.Write(ref rejecting, false);
        harness.Tick();
        var heldFirst = await harness.Sink.NextAsync();
        var heldSecond = await harness.Sink.NextAsync();

        Assert.Equal(("free", OrderStatus.Filled), (free.ClientOrderId, free.Status));
        Assert.Equal((OrderStatus.PartiallyFilled, 1L), (heldFirst.Status, heldFirst.FilledQuantity));
        Assert.Equal((OrderStatus.Filled, 2L), (heldSecond.Status, heldSecond.FilledQuantity));
        Assert.Equal(0, harness.Broker.PendingUpdateCount);
    }

    [Fact]
    public async Task Delivery_OrderAlwaysRejected_OthersDelivered()
    {
        await using var harness = PaperHarness.Create(o => o.MaxFillQuantityPerTick = 1);
        harness.Sink.Reject = update => update.ClientOrderId == "poison";
        await harness.PlaceAsync("poison", OrderSide.Buy, 3);
        harness.Tick(2);
        await harness.PlaceAsync("other", OrderSide.Buy, 1);

        harness.Tick();
        var other = await harness.Sink.NextAsync();

        // The delivered update leaves the outbox just after the sink accepted it; the three rejected ones stay.
        await WaitUntilAsync(() => harness.Broker.PendingUpdateCount == 3);
        Assert.Equal(("other", OrderStatus.Filled), (other.ClientOrderId, other.Status));
        Assert.DoesNotContain(harness.Sink.All, update => update.ClientOrderId == "poison");
    }

    [Fact]
    public async Task StopAsync_OutboxDeleteFails_StopsAndKeepsUpdate()
    {
        await using var harness = PaperHarness.Create();
        await using var book = OpenBook(harness);
        Execute(book, "CREATE TRIGGER keep_outbox BEFORE DELETE ON outbox BEGIN SELECT RAISE(ABORT, 'kept'); END;");
        await harness.PlaceAsync("kept-1", OrderSide.Buy, 1);

        harness.Tick();
        var delivered = await harness.Sink.NextAsync();
        var attempts = harness.Sink.Attempts;
        var stop = await Record.ExceptionAsync(() => harness.Broker.StopAsync());

        Assert.Equal(OrderStatus.Filled, delivered.Status);
        Assert.Null(stop);
        Assert.True(harness.Sink.Attempts > attempts, "StopAsync made no last delivery attempt.");
        Assert.Equal(1, harness.Broker.PendingUpdateCount);
        Assert.Equal(1L, Scalar(book, "SELECT COUNT(*) FROM outbox;"));
    }

    private static async Task<BrokerOrderUpdate[]> NextAsync(PaperHarness harness, int count)
    {
        var updates = new BrokerOrderUpdate[count];
        for (var i = 0; i < count; i++)
        {
            updates[i] = await harness.Sink.NextAsync();
        }

        return updates;
    }

    private static SqliteConnection OpenBook(PaperHarness harness)
    {
        var connection = new SqliteConnection($"Data Source={harness.Options.DatabasePath};Pooling=False");
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Waits for a background delivery; the real-time limit only keeps a broken test from hanging.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var limit = TimeSpan.FromSeconds(10);
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            Assert.True(
                TimeProvider.System.GetElapsedTime(started) < limit,
                "The condition did not become true within 10 seconds.");
            await Task.Delay(5, CancellationToken.None);
        }
    }
}
