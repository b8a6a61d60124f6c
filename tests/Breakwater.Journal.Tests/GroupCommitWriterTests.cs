using Breakwater.Domain.Journal;
using Breakwater.Journal.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Breakwater.Journal.Tests;

public sealed class GroupCommitWriterTests
{
    [Fact]
    public async Task Enqueue_WhileBatchCommits_GroupsWaitingWritesIntoNextBatch()
    {
        var executor = new ScriptedExecutor();
        await using var writer = new GroupCommitWriter(executor, 512, 1, NullLogger.Instance);
        var first = Insert(1);
        writer.Enqueue(first, CancellationToken.None);
        await executor.Started.WaitAsync(TimeSpan.FromSeconds(10));

        var waiting = Enumerable.Range(2, 10).Select(Insert).ToList();
        waiting.ForEach(write => writer.Enqueue(write, CancellationToken.None));
        executor.Release();
        await Task.WhenAll(waiting.Select(w => w.Task));

        Assert.Equal([1, 10], executor.BatchSizes);
        Assert.True((await first.Task).Inserted);
    }

    [Fact]
    public async Task Enqueue_MaxBatchSize_SplitsBatches()
    {
        var executor = new ScriptedExecutor();
        await using var writer = new GroupCommitWriter(executor, 4, 1, NullLogger.Instance);
        writer.Enqueue(Insert(1), CancellationToken.None);
        await executor.Started.WaitAsync(TimeSpan.FromSeconds(10));

        var waiting = Enumerable.Range(2, 10).Select(Insert).ToList();
        waiting.ForEach(write => writer.Enqueue(write, CancellationToken.None));
        executor.Release();
        await Task.WhenAll(waiting.Select(w => w.Task));

        Assert.Equal([1, 4, 4, 2], executor.BatchSizes);
    }

    [Fact]
    public async Task Commit_OneBadWriteInBatch_FailsOnlyThatWrite()
    {
        var constraint = new SqliteException("UNIQUE constraint failed: orders.id", 19, 1555);
        var executor = new ScriptedExecutor { FailOrderId = (3, constraint) };
        await using var writer = new GroupCommitWriter(executor, 512, 1, NullLogger.Instance);
        writer.Enqueue(Insert(1), CancellationToken.None);
        await executor.Started.WaitAsync(TimeSpan.FromSeconds(10));
        var batch = Enumerable.Range(2, 4).Select(Insert).ToList();
        batch.ForEach(write => writer.Enqueue(write, CancellationToken.None));

        executor.Release();

        var failure = await Assert.ThrowsAsync<SqliteException>(() => batch[1].Task);
        Assert.Same(constraint, failure);
        Assert.True((await batch[0].Task).Inserted);
        Assert.True((await batch[2].Task).Inserted);
        Assert.True((await batch[3].Task).Inserted);
        Assert.Equal([1, 4, 1, 1, 1, 1], executor.BatchSizes);
    }

    [Fact]
    public async Task Commit_StoreUnavailable_FailsWholeBatchWithoutRetry()
    {
        var busy = new SqliteException("database is locked", 5);
        var executor = new ScriptedExecutor { FailOrderId = (3, busy) };
        await using var writer = new GroupCommitWriter(executor, 512, 1, NullLogger.Instance);
        writer.Enqueue(Insert(1), CancellationToken.None);
        await executor.Started.WaitAsync(TimeSpan.FromSeconds(10));
        var batch = Enumerable.Range(2, 4).Select(Insert).ToList();
        batch.ForEach(write => writer.Enqueue(write, CancellationToken.None));

        executor.Release();

        foreach (var write in batch)
        {
            Assert.Same(busy, await Assert.ThrowsAsync<SqliteException>(() => write.Task));
        }

        Assert.Equal([1, 4], executor.BatchSizes);
    }

    [Fact]
    public async Task Enqueue_CancelledWhileQueued_IsSkipped()
    {
        var executor = new ScriptedExecutor();
        await using var writer = new GroupCommitWriter(executor, 512, 1, NullLogger.Instance);
        writer.Enqueue(Insert(1), CancellationToken.None);
        await executor.Started.WaitAsync(TimeSpan.FromSeconds(10));
        using var cancellation = new CancellationTokenSource();
        var cancelled = Insert(2);
        var kept = Insert(3);
        writer.Enqueue(cancelled, cancellation.Token);
        writer.Enqueue(kept, CancellationToken.None);

        await cancellation.CancelAsync();
        executor.Release();
        await kept.Task;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.Task);
        Assert.Equal([1, 1], executor.BatchSizes);
        Assert.DoesNotContain(2L, executor.CommittedOrderIds);
    }

    private static InsertOrderWrite Insert(int id) => new(Orders.New(id));

    /// <summary>
    /// Records batch sizes, blocks every batch until <see cref="Release"/> is called, and fails any batch that
    /// contains <see cref="FailOrderId"/>.
    /// </summary>
    private sealed class ScriptedExecutor : IJournalBatchExecutor
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<int> _batchSizes = [];
        private readonly List<long> _committed = [];

        public (long OrderId, Exception Error)? FailOrderId { get; init; }

        public Task Started => _started.Task;

        public IReadOnlyList<int> BatchSizes
        {
            get
            {
                lock (_batchSizes)
                {
                    return [.. _batchSizes];
                }
            }
        }

        public IReadOnlyList<long> CommittedOrderIds
        {
            get
            {
                lock (_batchSizes)
                {
                    return [.. _committed];
                }
            }
        }

        public void Release() => _released.TrySetResult();

        public async Task ExecuteBatchAsync(IReadOnlyList<JournalWrite> batch, CancellationToken cancellationToken)
        {
            lock (_batchSizes)
            {
                _batchSizes.Add(batch.Count);
            }

            _started.TrySetResult();
            await _released.Task;
            var inserts = batch.Cast<InsertOrderWrite>().ToList();
            if (FailOrderId is { } failure && inserts.Any(w => w.Order.Id == failure.OrderId))
            {
                throw failure.Error;
            }

            foreach (var insert in inserts)
            {
                insert.SetPending(new JournalInsertResult(insert.Order, Inserted: true));
            }

            lock (_batchSizes)
            {
                _committed.AddRange(inserts.Select(w => w.Order.Id));
            }
        }
    }
}
