using System.Text;
using Breakwater.Domain.Journal;
using Breakwater.Domain.Orders;
using Breakwater.Journal.Spill;
using Breakwater.Journal.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Breakwater.Journal.Tests.Spill;

public sealed class DurableSpillQueueTests : IAsyncLifetime
{
    private readonly string _directory =
        Path.Combine(Path.GetTempPath(), "breakwater-journal-tests", Guid.NewGuid().ToString("N"));

    private readonly ListLoggerProvider _logs = new();
    private readonly List<DurableSpillQueue> _queues = [];

    private string LogPath => Path.Combine(_directory, "spill", "journal-spill.log");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var queue in _queues)
        {
            await queue.DisposeAsync();
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Replay_AppendedChanges_AppliesInOrderAndEmptiesLog()
    {
        var queue = Open();
        var changes = Changes(5);
        foreach (var change in changes)
        {
            await queue.AppendAsync(change, CancellationToken.None);
        }

        var applied = new List<OrderChange>();
        var result = await queue.ReplayAsync(Recorder(applied), CancellationToken.None);

        Assert.Equal(changes, applied);
        Assert.Equal(new SpillReplayResult(5, 0), result);
        Assert.Equal(0, new FileInfo(LogPath).Length);
        Assert.False(await queue.HasPendingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Append_ThenReopen_RecordsSurviveAndRoundTripExactly()
    {
        var change = Orders.Fill(Orders.New(1, limitPrice: 0.0001m), "exec-1", 7, 12345.678901234567m);
        await Open().AppendAsync(change, CancellationToken.None);

        var applied = new List<OrderChange>();
        await Open().ReplayAsync(Recorder(applied), CancellationToken.None);

        var replayed = Assert.Single(applied);
        Assert.Equal(change, replayed);
        Assert.Equal(12345.678901234567m, replayed.Event.Fill!.Price);
    }

    [Fact]
    public async Task Open_TornLastRecord_DiscardsItAndLogs()
    {
        var queue = Open();
        var changes = Changes(3);
        foreach (var change in changes)
        {
            await queue.AppendAsync(change, CancellationToken.None);
        }

        await queue.DisposeAsync();
        var intact = new FileInfo(LogPath).Length;
        var torn = File.ReadAllBytes(LogPath).AsSpan(0, (int)(intact / 3) - 10).ToArray();
        await using (var file = new FileStream(LogPath, FileMode.Append))
        {
            await file.WriteAsync(torn);
        }

        var applied = new List<OrderChange>();
        await Open().ReplayAsync(Recorder(applied), CancellationToken.None);

        Assert.Equal(changes, applied);
        Assert.Single(_logs.Messages, m => m.Contains("SpillTornRecordDiscarded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Open_LastRecordFailsChecksum_DiscardsIt()
    {
        var queue = Open();
        var changes = Changes(3);
        foreach (var change in changes)
        {
            await queue.AppendAsync(change, CancellationToken.None);
        }

        await queue.DisposeAsync();
        var bytes = File.ReadAllBytes(LogPath);
        var symbol = Encoding.ASCII.GetBytes("AAPL");
        var lastSymbol = bytes.AsSpan().LastIndexOf(symbol);
        bytes[lastSymbol] = (byte)'B';
        File.WriteAllBytes(LogPath, bytes);

        var applied = new List<OrderChange>();
        await Open().ReplayAsync(Recorder(applied), CancellationToken.None);

        Assert.Equal(changes.Take(2), applied);
        Assert.Contains(_logs.Messages, m => m.Contains("SpillTornRecordDiscarded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Replay_ApplyThrowsMidway_NextReplayResumesAtFailedRecord()
    {
        var queue = Open();
        var changes = Changes(5);
        foreach (var change in changes)
        {
            await queue.AppendAsync(change, CancellationToken.None);
        }

        var firstRun = new List<OrderChange>();
        await Assert.ThrowsAsync<IOException>(() => queue.ReplayAsync(
            change =>
            {
                if (change == changes[2])
                {
                    throw new IOException("The journal database is unreachable.");
                }

                firstRun.Add(change);
                return Task.FromResult(true);
            },
            CancellationToken.None));
        await queue.DisposeAsync();

        var secondRun = new List<OrderChange>();
        await Open().ReplayAsync(Recorder(secondRun), CancellationToken.None);

        Assert.Equal(changes.Take(2), firstRun);
        Assert.Equal(changes.Skip(2), secondRun);
    }

    [Fact]
    public async Task Replay_IntoJournalTwiceAfterLostOffset_IsExactlyOnceInEffect()
    {
        await using var store = new SqliteTestStore();
        var journal = store.OpenJournal();
        await journal.MigrateAsync(CancellationToken.None);
        var order = Orders.New(1);
        await journal.InsertOrderAsync(order, CancellationToken.None);
        var submitted = Orders.Status(order, OrderStatus.Submitted);
        var fill = Orders.Fill(submitted.Order, "exec-1", 100, 10.5m);
        var queue = Open();
        await queue.AppendAsync(submitted, CancellationToken.None);
        await queue.AppendAsync(fill, CancellationToken.None);
        var logCopy = File.ReadAllBytes(LogPath);

        var first = await queue.ReplayAsync(
            async change => await journal.AppendChangeAsync(change, CancellationToken.None) == AppendOutcome.Appended,
            CancellationToken.None);
        await queue.DisposeAsync();
        // A crash before the emptied log reached the disk leaves the records and no offset behind.
        File.WriteAllBytes(LogPath, logCopy);
        File.Delete(LogPath + ".offset");
        var second = await Open().ReplayAsync(
            async change => await journal.AppendChangeAsync(change, CancellationToken.None) == AppendOutcome.Appended,
            CancellationToken.None);

        Assert.Equal(new SpillReplayResult(2, 0), first);
        Assert.Equal(new SpillReplayResult(0, 2), second);
        Assert.Equal(fill.Order, await journal.GetOrderAsync(1, CancellationToken.None));
        Assert.Equal(1, await store.CountRowsAsync("fills"));
        Assert.Equal(3, await store.CountRowsAsync("order_events"));
    }

    [Fact]
    public async Task Replay_AppendsDuringReplay_AreReplayedToo()
    {
        var queue = Open();
        var changes = Changes(4);
        await queue.AppendAsync(changes[0], CancellationToken.None);
        await queue.AppendAsync(changes[1], CancellationToken.None);

        var applied = new List<OrderChange>();
        var result = await queue.ReplayAsync(
            async change =>
            {
                applied.Add(change);
                if (change == changes[0])
                {
                    await queue.AppendAsync(changes[2], CancellationToken.None);
                    await queue.AppendAsync(changes[3], CancellationToken.None);
                }

                return true;
            },
            CancellationToken.None);

        Assert.Equal(changes, applied);
        Assert.Equal(4, result.Written);
        Assert.False(await queue.HasPendingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Open_OffsetBeyondLog_ReplaysFromStart()
    {
        var queue = Open();
        var change = Changes(1)[0];
        await queue.AppendAsync(change, CancellationToken.None);
        await queue.DisposeAsync();
        File.WriteAllText(LogPath + ".offset", "999999");

        var applied = new List<OrderChange>();
        await Open().ReplayAsync(Recorder(applied), CancellationToken.None);

        Assert.Equal([change], applied);
        Assert.Contains(_logs.Messages, m => m.Contains("SpillOffsetReset", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Append_Concurrent_KeepsEveryRecord()
    {
        var queue = Open();
        var changes = Changes(64);

        await Task.WhenAll(changes.Select(c => Task.Run(() => queue.AppendAsync(c, CancellationToken.None))));
        await queue.DisposeAsync();

        var applied = new List<OrderChange>();
        await Open().ReplayAsync(Recorder(applied), CancellationToken.None);
        Assert.Equal(
            changes.Select(c => c.Order.Id).Order(),
            applied.Select(c => c.Order.Id).Order());
    }

    private DurableSpillQueue Open()
    {
        var queue = new DurableSpillQueue(LogPath, _logs.CreateLogger<DurableSpillQueue>());
        _queues.Add(queue);
        return queue;
    }

    private static List<OrderChange> Changes(int count) =>
        Enumerable.Range(1, count).Select(id => Orders.Status(Orders.New(id), OrderStatus.Submitted, $"ib-{id}")).ToList();

    private static Func<OrderChange, Task<bool>> Recorder(List<OrderChange> applied) => change =>
    {
        applied.Add(change);
        return Task.FromResult(true);
    };
}
