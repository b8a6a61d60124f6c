using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Orders;
using Breakwater.Paper.Broker;
using Breakwater.Paper.Faults;
using Microsoft.Data.Sqlite;

namespace Breakwater.Paper.Tests.Broker;

public sealed class PaperBrokerDurabilityTests
{
    [Fact]
    public async Task Reopen_AfterCrash_RestingOrdersStillRest()
    {
        await using var crashed = PaperHarness.Create();
        var buy = await crashed.PlaceAsync("rest-buy", OrderSide.Buy, 10, limitPrice: 1m);
        var sell = await crashed.PlaceAsync("rest-sell", OrderSide.Sell, 20, limitPrice: 100_000m, symbol: "BRK.B");
        crashed.Tick(3);

        // The first broker is neither stopped nor disposed before the second opens the file, as after SIGKILL.
        await using var restarted = crashed.Reopen();
        var open = await restarted.Broker.GetOpenOrdersAsync(OpenOrderScope.Gateway, CancellationToken.None);
        var found = await restarted.Broker.FindOrderAsync("rest-sell", CancellationToken.None);

        Assert.Equal([buy.BrokerOrderId, sell.BrokerOrderId], open.Select(o => o.BrokerOrderId));
        Assert.All(open, o => Assert.Equal(OrderStatus.Submitted, o.Status));
        Assert.Equal(("BRK.B", 20L, 100_000m), (found!.Symbol, found.Quantity, found.LimitPrice));
    }

    [Fact]
    public async Task Reopen_AfterPartialFills_ContinuesWithoutRepeatingFills()
    {
        await using var crashed = PaperHarness.Create(o => o.MaxFillQuantityPerTick = 100);
        await crashed.PlaceAsync("partial-1", OrderSide.Buy, 350);
        crashed.Tick(2);
        var first = await crashed.Sink.NextAsync();
        var second = await crashed.Sink.NextAsync();
        // Until the first broker removes a delivered update from its outbox, a crash would deliver it again.
        await WaitUntilAsync(() => crashed.Broker.PendingUpdateCount == 0);
        var cashBeforeCrash = crashed.Broker.Cash;

        await using var restarted = crashed.Reopen(o => o.MaxFillQuantityPerTick = 100);
        var reloaded = await restarted.Broker.FindOrderAsync("partial-1", CancellationToken.None);
        var cashAfterReload = restarted.Broker.Cash;
        restarted.Tick(5);
        var third = await restarted.Sink.NextAsync();
        var fourth = await restarted.Sink.NextAsync();
        var final = await restarted.Broker.FindOrderAsync("partial-1", CancellationToken.None);
        var executionIds = new[] { first, second, third, fourth }.Select(u => u.Fill!.ExecutionId).ToList();

        Assert.Equal(200, reloaded!.FilledQuantity);
        Assert.Equal([first.Fill!, second.Fill!], reloaded.Fills);
        Assert.Equal(cashBeforeCrash, cashAfterReload);
        Assert.Equal((300L, 350L), (third.FilledQuantity, fourth.FilledQuantity));
        Assert.Equal(OrderStatus.Filled, fourth.Status);
        Assert.Equal(4, executionIds.Distinct().Count());
        Assert.Equal(350, final!.Fills.Sum(f => f.Quantity));
        Assert.Equal(2, restarted.Sink.All.Count);
    }

    [Fact]
    public async Task Reopen_NewOrders_GetIdsNotUsedBefore()
    {
        await using var crashed = PaperHarness.Create();
        var before = await crashed.PlaceAsync("id-1", OrderSide.Buy, 1, limitPrice: 1m);

        await using var restarted = crashed.Reopen();
        var after = await restarted.PlaceAsync("id-2", OrderSide.Buy, 1, limitPrice: 1m);

        Assert.NotEqual(before.BrokerOrderId, after.BrokerOrderId);
    }

    [Fact]
    public async Task Reopen_PendingCancel_IsConfirmedByNewInstance()
    {
        await using var crashed = PaperHarness.Create();
        var ack = await crashed.PlaceAsync("cancel-crash", OrderSide.Buy, 1, limitPrice: 1m);
        await crashed.Broker.CancelOrderAsync(
            new BrokerOrderReference(1, "cancel-crash", ack.BrokerOrderId),
            CancellationToken.None);

        await using var restarted = crashed.Reopen();
        restarted.Tick();
        var update = await restarted.Sink.NextAsync();

        Assert.Equal((ack.BrokerOrderId, OrderStatus.Cancelled), (update.BrokerOrderId, update.Status));
    }

    [Fact]
    public async Task Reopen_AfterSessionEndPassed_ExpiresDayOrder()
    {
        var sessionEnd = TimeOnly.FromDateTime(PaperHarness.Start.UtcDateTime.AddSeconds(1));
        await using var crashed = PaperHarness.Create(o => o.SessionEndUtc = sessionEnd);
        var ack = await crashed.PlaceAsync("day-crash", OrderSide.Buy, 1, limitPrice: 1m, timeInForce: TimeInForce.Day);

        await using var restarted = crashed.Reopen(o => o.SessionEndUtc = sessionEnd);
        restarted.Time.Advance(TimeSpan.FromSeconds(2));
        var update = await restarted.Sink.NextAsync();
        var placedAfterEnd = await restarted.PlaceAsync(
            "day-after",
            OrderSide.Buy,
            1,
            limitPrice: 1m,
            timeInForce: TimeInForce.Day);
        restarted.Tick(3);
        var open = await restarted.Broker.GetOpenOrdersAsync(OpenOrderScope.Gateway, CancellationToken.None);

        Assert.Equal(ack.BrokerOrderId, update.BrokerOrderId);
        Assert.Equal(OrderStatus.Cancelled, update.Status);
        Assert.Equal(placedAfterEnd.BrokerOrderId, Assert.Single(open).BrokerOrderId);
    }

    [Fact]
    public async Task Reopen_SymbolNoLongerConfigured_CancelsOrder()
    {
        await using var crashed = PaperHarness.Create(o => o.Symbols["XYZ"] = 10m);
        var ack = await crashed.PlaceAsync("gone-1", OrderSide.Buy, 1, limitPrice: 1m, symbol: "XYZ");

        await using var restarted = crashed.Reopen();
        restarted.Tick();
        var update = await restarted.Sink.NextAsync();

        Assert.Equal(ack.BrokerOrderId, update.BrokerOrderId);
        Assert.Equal(OrderStatus.Cancelled, update.Status);
        Assert.Contains("'XYZ'", update.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reopen_UndeliveredUpdates_AreDeliveredByNewInstance()
    {
        await using var crashed = PaperHarness.Create();
        crashed.Sink.FailNext(int.MaxValue);
        await crashed.PlaceAsync("outbox-1", OrderSide.Buy, 2);
        await crashed.PlaceAsync("outbox-2", OrderSide.Sell, 3);
        crashed.Tick();
        await WaitUntilAsync(() => crashed.Sink.Attempts > 0);
        var pendingBeforeCrash = crashed.Broker.PendingUpdateCount;

        await using var restarted = crashed.Reopen();
        var first = await restarted.Sink.NextAsync();
        var second = await restarted.Sink.NextAsync();
        await WaitUntilAsync(() => restarted.Broker.PendingUpdateCount == 0);

        Assert.Equal(2, pendingBeforeCrash);
        Assert.Equal(("outbox-1", OrderStatus.Filled), (first.ClientOrderId, first.Status));
        Assert.Equal(("outbox-2", OrderStatus.Filled), (second.ClientOrderId, second.Status));
        Assert.NotNull(first.Fill);
        Assert.Empty(crashed.Sink.All);
    }

    [Fact]
    public async Task PlaceOrderAsync_BookFileUnusable_ThrowsDependencyUnavailable()
    {
        var directory = Path.Combine(Path.GetTempPath(), "breakwater-paper-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            // A directory in place of the database file makes every open fail.
            await using var harness = PaperHarness.Create(o => o.DatabasePath = directory, start: false);

            var error = await Assert.ThrowsAsync<DependencyUnavailableException>(
                () => harness.PlaceAsync("no-book", OrderSide.Buy, 1, limitPrice: 1m));

            Assert.Equal(DependencyNames.Broker, error.Dependency);
            Assert.IsType<SqliteException>(error.InnerException);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Delivery_SinkThrows_RetriesOnLaterStepInOrder()
    {
        await using var harness = PaperHarness.Create(o => o.MaxFillQuantityPerTick = 1);
        harness.Sink.FailNext(3);
        await harness.PlaceAsync("retry-1", OrderSide.Buy, 2);

        for (var i = 0; i < 50 && harness.Sink.All.Count < 2; i++)
        {
            var attempts = harness.Sink.Attempts;
            harness.Tick();
            await WaitUntilAsync(() => harness.Sink.Attempts > attempts || harness.Sink.All.Count == 2);
        }

        var delivered = harness.Sink.All;
        Assert.Equal(2, delivered.Count);
        Assert.Equal([1L, 2L], delivered.Select(u => u.FilledQuantity));
        Assert.Equal([OrderStatus.PartiallyFilled, OrderStatus.Filled], delivered.Select(u => u.Status));
        Assert.Equal(5, harness.Sink.Attempts);
        Assert.Equal(0, harness.Broker.PendingUpdateCount);
    }

    [Fact]
    public async Task Delivery_SinkRefusesRepeatedly_LogsWarningsSparingly()
    {
        var logger = new EventCountingLogger<PaperBroker>();
        await using var harness = PaperHarness.Create(brokerLogger: logger);
        harness.Sink.FailNext(8);
        await harness.PlaceAsync("quiet-1", OrderSide.Buy, 2);

        for (var i = 0; i < 50 && harness.Sink.All.Count < 1; i++)
        {
            var attempts = harness.Sink.Attempts;
            harness.Tick();
            await WaitUntilAsync(() => harness.Sink.Attempts > attempts || harness.Sink.All.Count == 1);
        }

        Assert.Single(harness.Sink.All);
        Assert.Equal(9, harness.Sink.Attempts);
        Assert.Equal(1, logger.Count(6031));
        Assert.Equal(3, logger.Count(6033));
        Assert.Equal(1, logger.Count(6034));
    }

    [Fact]
    public async Task Delivery_WhileBrokerDown_MatchesButHoldsUpdatesUntilRestored()
    {
        await using var harness = PaperHarness.Create();
        await harness.PlaceAsync("down-1", OrderSide.Buy, 5);

        harness.Faults.SetFault(PaperFaultTarget.Broker, new PaperFault(PaperFaultMode.Down));
        harness.Tick(3);
        var pendingWhileDown = harness.Broker.PendingUpdateCount;
        var attemptsWhileDown = harness.Sink.Attempts;
        harness.Faults.SetFault(PaperFaultTarget.Broker, PaperFault.None);
        var update = await harness.Sink.NextAsync();

        Assert.Equal(1, pendingWhileDown);
        Assert.Equal(0, attemptsWhileDown);
        Assert.Equal(OrderStatus.Filled, update.Status);
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
            await Task.Yield();
            await Task.Delay(5, CancellationToken.None);
        }
    }
}
