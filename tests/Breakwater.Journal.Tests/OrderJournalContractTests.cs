using Breakwater.Domain.Journal;
using Breakwater.Domain.Orders;
using Breakwater.Journal.Tests.Infrastructure;

namespace Breakwater.Journal.Tests;

/// <summary>
/// The behavior that every <see cref="IOrderJournal"/> must have; each provider's test class runs all of it against a
/// real store that is created empty for each test.
/// </summary>
public abstract class OrderJournalContractTests : IAsyncLifetime
{
    private IJournalTestStore? _store;

    protected IJournalTestStore Store => _store ?? throw new InvalidOperationException("The store is not created.");

    protected IOrderJournal Journal { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        Journal = Store.OpenJournal();
        await Journal.MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    protected abstract Task<IJournalTestStore> CreateStoreAsync();

    [JournalFact]
    public async Task InsertOrder_EveryField_RoundTripsExactly()
    {
        var order = Orders.New(7, "round-trip") with
        {
            LimitPrice = 79228162514264.337593543950m,
            Status = OrderStatus.PartiallyFilled,
            FilledQuantity = 40,
            AverageFillPrice = 0.00000001m,
            BrokerOrderId = "ib-991",
            Reason = "partially filled at the open",
            Attention = OrderAttention.SubmitUncertain,
            Side = OrderSide.Sell,
            TimeInForce = TimeInForce.Gtc,
            UpdatedAt = Orders.Start.AddTicks(12_345_678),
            Version = 3,
        };

        var result = await Journal.InsertOrderAsync(order, CancellationToken.None);
        var read = await Journal.GetOrderAsync(7, CancellationToken.None);

        Assert.True(result.Inserted);
        Assert.Equal(order, result.Order);
        Assert.Equal(order, read);
        Assert.Equal("79228162514264.337593543950", read!.LimitPrice!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(order.UpdatedAt.UtcTicks, read.UpdatedAt.UtcTicks);
    }

    [JournalFact]
    public async Task InsertOrder_MarketOrderWithoutOptionalFields_RoundTrips()
    {
        var order = Orders.New(1, limitPrice: null);

        await Journal.InsertOrderAsync(order, CancellationToken.None);

        var read = await Journal.FindByClientOrderIdAsync(order.ClientOrderId, CancellationToken.None);
        Assert.Equal(order, read);
        Assert.Null(read!.LimitPrice);
        Assert.Null(read.AverageFillPrice);
        Assert.Null(read.BrokerOrderId);
    }

    [JournalFact]
    public async Task InsertOrder_NewOrder_JournalsCreatedEvent()
    {
        var order = Orders.New(3);

        await Journal.InsertOrderAsync(order, CancellationToken.None);

        var history = await Journal.GetHistoryAsync(3, CancellationToken.None);
        var created = Assert.Single(history);
        Assert.Equal(
            new OrderEvent(3, 1, OrderEventKind.Created, OrderStatus.PendingSubmit, order.CreatedAt, null, null),
            created);
    }

    [JournalFact]
    public async Task InsertOrder_KnownClientOrderId_ReturnsExistingWithoutWriting()
    {
        var first = Orders.New(1, "same");
        await Journal.InsertOrderAsync(first, CancellationToken.None);

        var second = await Journal.InsertOrderAsync(Orders.New(2, "same", limitPrice: 5m), CancellationToken.None);

        Assert.False(second.Inserted);
        Assert.Equal(first, second.Order);
        Assert.Null(await Journal.GetOrderAsync(2, CancellationToken.None));
        Assert.Equal(1, await Store.CountRowsAsync("order_events"));
    }

    [JournalFact]
    public async Task InsertOrder_RacingSameClientOrderId_InsertsExactlyOnce()
    {
        var results = await Task.WhenAll(Enumerable.Range(1, 32).Select(id => Task.Run(
            () => Journal.InsertOrderAsync(Orders.New(id, "racing"), CancellationToken.None))));

        var inserted = Assert.Single(results, r => r.Inserted);
        Assert.All(results, r => Assert.Equal(inserted.Order, r.Order));
        Assert.Equal(1, await Store.CountRowsAsync("orders"));
        Assert.Equal(1, await Store.CountRowsAsync("order_events"));
    }

    [JournalFact]
    public async Task InsertOrder_RacingAcrossTwoJournals_InsertsExactlyOnce()
    {
        var other = Store.OpenJournal();

        var results = await Task.WhenAll(Enumerable.Range(1, 32).Select(id => Task.Run(
            () => (id % 2 == 0 ? Journal : other).InsertOrderAsync(
                Orders.New(id, "two-gateways"), CancellationToken.None))));

        Assert.Single(results, r => r.Inserted);
        Assert.Equal(1, await Store.CountRowsAsync("orders"));
    }

    [JournalFact]
    public async Task InsertOrder_32ConcurrentWriters_JournalsEveryOrderOnce()
    {
        const int Writers = 32;
        const int PerWriter = 200;

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                var id = (writer * PerWriter) + i + 1;
                var result = await Journal.InsertOrderAsync(Orders.New(id), CancellationToken.None);
                Assert.True(result.Inserted);
            }
        })));

        Assert.Equal(Writers * PerWriter, await Store.CountRowsAsync("orders"));
        Assert.Equal(Writers * PerWriter, await Store.CountRowsAsync("order_events"));
        Assert.Equal(Writers * PerWriter, await Journal.GetMaxOrderIdAsync(CancellationToken.None));
    }

    [JournalFact]
    public async Task InsertOrder_DuplicateIdAmongConcurrentInserts_FailsOnlyThatInsert()
    {
        await Journal.InsertOrderAsync(Orders.New(1), CancellationToken.None);

        var duplicate = Journal.InsertOrderAsync(Orders.New(1, "other-client-id"), CancellationToken.None);
        var others = Enumerable.Range(2, 20)
            .Select(id => Journal.InsertOrderAsync(Orders.New(id), CancellationToken.None))
            .ToList();

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => duplicate);
        Assert.False(JournalFailures.IsTransient(failure));
        Assert.All(await Task.WhenAll(others), r => Assert.True(r.Inserted));
        Assert.Equal(21, await Store.CountRowsAsync("orders"));
    }

    [JournalFact]
    public async Task AppendChange_NextVersion_UpdatesOrderAndHistory()
    {
        var order = Orders.New(1);
        await Journal.InsertOrderAsync(order, CancellationToken.None);
        var submitted = Orders.Status(order, OrderStatus.Submitted, brokerOrderId: "ib-1", detail: "acknowledged");

        var appended = await Journal.AppendChangeAsync(submitted, CancellationToken.None);

        Assert.Equal(AppendOutcome.Appended, appended);
        Assert.Equal(submitted.Order, await Journal.GetOrderAsync(1, CancellationToken.None));
        var history = await Journal.GetHistoryAsync(1, CancellationToken.None);
        Assert.Equal(2, history.Count);
        Assert.Equal(submitted.Event, history[1]);
    }

    [JournalFact]
    public async Task AppendChange_ReplayedVersion_ReturnsVersionConflictAndWritesNothing()
    {
        var order = Orders.New(1);
        await Journal.InsertOrderAsync(order, CancellationToken.None);
        var submitted = Orders.Status(order, OrderStatus.Submitted);
        await Journal.AppendChangeAsync(submitted, CancellationToken.None);
        var conflicting = Orders.Status(order, OrderStatus.Rejected);

        var replayed = await Journal.AppendChangeAsync(submitted, CancellationToken.None);
        var sameVersion = await Journal.AppendChangeAsync(conflicting, CancellationToken.None);

        Assert.Equal(AppendOutcome.VersionConflict, replayed);
        Assert.Equal(AppendOutcome.VersionConflict, sameVersion);
        Assert.Equal(submitted.Order, await Journal.GetOrderAsync(1, CancellationToken.None));
        Assert.Equal(2, (await Journal.GetHistoryAsync(1, CancellationToken.None)).Count);
    }

    [JournalFact]
    public async Task AppendChange_OlderVersion_ReturnsVersionConflict()
    {
        var order = Orders.New(1);
        await Journal.InsertOrderAsync(order, CancellationToken.None);
        var submitted = Orders.Status(order, OrderStatus.Submitted);
        var cancelling = Orders.Status(submitted.Order, OrderStatus.PendingCancel);
        await Journal.AppendChangeAsync(submitted, CancellationToken.None);
        await Journal.AppendChangeAsync(cancelling, CancellationToken.None);

        var stale = await Journal.AppendChangeAsync(submitted, CancellationToken.None);

        Assert.Equal(AppendOutcome.VersionConflict, stale);
        Assert.Equal(OrderStatus.PendingCancel, (await Journal.GetOrderAsync(1, CancellationToken.None))!.Status);
    }

    [JournalFact]
    public async Task AppendChange_Fill_JournalsFillWithEvent()
    {
        var order = Orders.New(1);
        await Journal.InsertOrderAsync(order, CancellationToken.None);
        var submitted = Orders.Status(order, OrderStatus.Submitted);
        await Journal.AppendChangeAsync(submitted, CancellationToken.None);
        var partial = Orders.Fill(submitted.Order, "exec-1", 40, 101.125m);
        var rest = Orders.Fill(partial.Order, "exec-2", 60, 101.0000001m);

        Assert.Equal(AppendOutcome.Appended, await Journal.AppendChangeAsync(partial, CancellationToken.None));
        Assert.Equal(AppendOutcome.Appended, await Journal.AppendChangeAsync(rest, CancellationToken.None));

        var history = await Journal.GetHistoryAsync(1, CancellationToken.None);
        Assert.Equal(
            [OrderEventKind.Created, OrderEventKind.StatusChanged, OrderEventKind.Filled, OrderEventKind.Filled],
            history.Select(e => e.Kind));
        Assert.Equal(partial.Event, history[2]);
        Assert.Equal(rest.Event, history[3]);
        Assert.Equal(rest.Order, await Journal.GetOrderAsync(1, CancellationToken.None));
        Assert.Equal(2, await Store.CountRowsAsync("fills"));
    }

    [JournalFact]
    public async Task AppendChange_KnownExecutionIdAtNewerVersion_ReturnsDuplicateFillAndWritesNothing()
    {
        var order = Orders.New(1);
        await Journal.InsertOrderAsync(order, CancellationToken.None);
        var fill = Orders.Fill(order, "exec-1", 40, 100m);
        await Journal.AppendChangeAsync(fill, CancellationToken.None);
        var duplicate = Orders.Fill(fill.Order, "exec-1", 40, 100m);

        var appended = await Journal.AppendChangeAsync(duplicate, CancellationToken.None);

        Assert.Equal(AppendOutcome.DuplicateFill, appended);
        Assert.Equal(fill.Order, await Journal.GetOrderAsync(1, CancellationToken.None));
        Assert.Equal(1, await Store.CountRowsAsync("fills"));
        Assert.Equal(2, await Store.CountRowsAsync("order_events"));
    }

    [JournalFact]
    public async Task AppendChange_ConcurrentReplaysOfOneFill_AppendOnce()
    {
        var order = Orders.New(1);
        await Journal.InsertOrderAsync(order, CancellationToken.None);
        var fill = Orders.Fill(order, "exec-1", 100, 99.5m);

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(
            _ => Task.Run(() => Journal.AppendChangeAsync(fill, CancellationToken.None))));

        Assert.Single(results, outcome => outcome == AppendOutcome.Appended);
        Assert.Equal(15, results.Count(outcome => outcome == AppendOutcome.DuplicateFill));
        Assert.Equal(1, await Store.CountRowsAsync("fills"));
    }

    [JournalFact]
    public async Task AppendChange_UnknownOrder_Throws()
    {
        var change = Orders.Status(Orders.New(404), OrderStatus.Submitted);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Journal.AppendChangeAsync(change, CancellationToken.None));

        Assert.Contains("404", error.Message, StringComparison.Ordinal);
    }

    [JournalFact]
    public async Task AppendChange_UnknownOrderAmongOtherWrites_FailsOnlyThatChange()
    {
        var orphan = Journal.AppendChangeAsync(
            Orders.Status(Orders.New(404), OrderStatus.Submitted), CancellationToken.None);
        var inserts = Enumerable.Range(1, 20)
            .Select(id => Journal.InsertOrderAsync(Orders.New(id), CancellationToken.None))
            .ToList();

        await Assert.ThrowsAsync<InvalidOperationException>(() => orphan);
        var results = await Task.WhenAll(inserts);

        Assert.All(results, result => Assert.True(result.Inserted));
        Assert.Equal(20, await Store.CountRowsAsync("orders"));
        Assert.Equal(20, await Store.CountRowsAsync("order_events"));
    }

    [JournalFact]
    public async Task AppendChange_EventOfAnotherVersion_ThrowsArgumentException()
    {
        var order = Orders.New(1);
        var change = Orders.Status(order, OrderStatus.Submitted);
        var mismatched = change with { Event = change.Event with { Version = 5 } };

        await Assert.ThrowsAsync<ArgumentException>(() => Journal.AppendChangeAsync(mismatched, CancellationToken.None));
    }

    [JournalFact]
    public async Task ListOrders_StatusFilters_ReturnMatchingOrdersNewestFirst()
    {
        await SeedStatusesAsync();

        var open = await ListAsync(OrderStatusFilter.Open);
        var filled = await ListAsync(OrderStatusFilter.Filled);
        var cancelled = await ListAsync(OrderStatusFilter.Cancelled);
        var rejected = await ListAsync(OrderStatusFilter.Rejected);
        var all = await ListAsync(OrderStatusFilter.All);

        Assert.Equal([6L, 4, 2, 1], open);
        Assert.Equal([3L], filled);
        Assert.Equal([7L], cancelled);
        Assert.Equal([5L], rejected);
        Assert.Equal([7L, 6, 5, 4, 3, 2, 1], all);
    }

    [JournalFact]
    public async Task ListOrders_Cursor_PagesThroughEveryOrder()
    {
        for (var id = 1; id <= 12; id++)
        {
            await Journal.InsertOrderAsync(Orders.New(id), CancellationToken.None);
        }

        var first = await Journal.ListOrdersAsync(new OrderQuery(OrderStatusFilter.All, 5, null), CancellationToken.None);
        var second = await Journal.ListOrdersAsync(
            new OrderQuery(OrderStatusFilter.All, 5, first.NextBeforeId), CancellationToken.None);
        var third = await Journal.ListOrdersAsync(
            new OrderQuery(OrderStatusFilter.All, 5, second.NextBeforeId), CancellationToken.None);

        Assert.Equal([12L, 11, 10, 9, 8], first.Orders.Select(o => o.Id));
        Assert.Equal(8, first.NextBeforeId);
        Assert.Equal([7L, 6, 5, 4, 3], second.Orders.Select(o => o.Id));
        Assert.Equal(3, second.NextBeforeId);
        Assert.Equal([2L, 1], third.Orders.Select(o => o.Id));
        Assert.Null(third.NextBeforeId);
    }

    [JournalFact]
    public async Task ListOrders_LastPageExactlyFull_HasNoNextCursor()
    {
        for (var id = 1; id <= 4; id++)
        {
            await Journal.InsertOrderAsync(Orders.New(id), CancellationToken.None);
        }

        var page = await Journal.ListOrdersAsync(new OrderQuery(OrderStatusFilter.Open, 4, null), CancellationToken.None);

        Assert.Equal(4, page.Orders.Count);
        Assert.Null(page.NextBeforeId);
    }

    [JournalFact]
    public async Task ListOrders_CursorWithStatusFilter_SkipsOtherStatuses()
    {
        await SeedStatusesAsync();

        var page = await Journal.ListOrdersAsync(new OrderQuery(OrderStatusFilter.Open, 2, 5), CancellationToken.None);

        Assert.Equal([4L, 2], page.Orders.Select(o => o.Id));
        Assert.Equal(2, page.NextBeforeId);
    }

    [JournalFact]
    public async Task ListOrders_LimitOutOfRange_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Journal.ListOrdersAsync(
            new OrderQuery(OrderStatusFilter.All, 0, null), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Journal.ListOrdersAsync(
            new OrderQuery(OrderStatusFilter.All, 501, null), CancellationToken.None));
    }

    [JournalFact]
    public async Task GetOpenOrders_MixedStatuses_ReturnsNonFinalOldestFirst()
    {
        await SeedStatusesAsync();

        var open = await Journal.GetOpenOrdersAsync(CancellationToken.None);

        Assert.Equal([1L, 2, 4, 6], open.Select(o => o.Id));
    }

    [JournalFact]
    public async Task GetHistory_UnknownOrder_ReturnsEmpty()
    {
        var history = await Journal.GetHistoryAsync(99, CancellationToken.None);

        Assert.Empty(history);
    }

    [JournalFact]
    public async Task GetOrder_UnknownIds_ReturnNull()
    {
        Assert.Null(await Journal.GetOrderAsync(99, CancellationToken.None));
        Assert.Null(await Journal.FindByClientOrderIdAsync("missing", CancellationToken.None));
    }

    [JournalFact]
    public async Task GetMaxOrderId_EmptyThenInserted_ReturnsHighestId()
    {
        var empty = await Journal.GetMaxOrderIdAsync(CancellationToken.None);
        await Journal.InsertOrderAsync(Orders.New(41), CancellationToken.None);
        await Journal.InsertOrderAsync(Orders.New(9), CancellationToken.None);

        var max = await Journal.GetMaxOrderIdAsync(CancellationToken.None);

        Assert.Equal(0, empty);
        Assert.Equal(41, max);
    }

    [JournalFact]
    public async Task Ping_MigratedStore_Succeeds()
    {
        var error = await Record.ExceptionAsync(() => Journal.PingAsync(CancellationToken.None));

        Assert.Null(error);
    }

    [JournalFact]
    public async Task Migrate_SecondTime_AppliesNothing()
    {
        await Journal.InsertOrderAsync(Orders.New(1), CancellationToken.None);

        await Journal.MigrateAsync(CancellationToken.None);
        await Store.OpenJournal().MigrateAsync(CancellationToken.None);

        Assert.Equal(4, await Store.CountRowsAsync("schema_migrations"));
        Assert.Equal(1, await Store.CountRowsAsync("orders"));
    }

    [JournalFact]
    public async Task Migrate_TwoJournalsOnFreshStoreAtOnce_BothSucceed()
    {
        await using var fresh = await CreateStoreAsync();
        var journals = Enumerable.Range(0, 4).Select(_ => fresh.OpenJournal()).ToList();

        await Task.WhenAll(journals.Select(j => Task.Run(() => j.MigrateAsync(CancellationToken.None))));

        Assert.Equal(4, await fresh.CountRowsAsync("schema_migrations"));
        var inserted = await journals[1].InsertOrderAsync(Orders.New(1), CancellationToken.None);
        Assert.True(inserted.Inserted);
    }

    /// <summary>Journals orders 1 to 7 with open, filled, rejected and cancelled statuses.</summary>
    private async Task SeedStatusesAsync()
    {
        var statuses = new[]
        {
            OrderStatus.PendingSubmit, OrderStatus.Submitted, OrderStatus.Filled, OrderStatus.PartiallyFilled,
            OrderStatus.Rejected, OrderStatus.PendingCancel, OrderStatus.Cancelled,
        };
        for (var i = 0; i < statuses.Length; i++)
        {
            var order = Orders.New(i + 1);
            await Journal.InsertOrderAsync(order, CancellationToken.None);
            if (statuses[i] != OrderStatus.PendingSubmit)
            {
                await Journal.AppendChangeAsync(Orders.Status(order, statuses[i]), CancellationToken.None);
            }
        }
    }

    private async Task<long[]> ListAsync(OrderStatusFilter filter)
    {
        var page = await Journal.ListOrdersAsync(new OrderQuery(filter, 100, null), CancellationToken.None);
        return page.Orders.Select(o => o.Id).ToArray();
    }
}
