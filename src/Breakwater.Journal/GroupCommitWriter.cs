using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Breakwater.Journal;

/// <summary>
/// Executes the writes of one batch inside one transaction and commits it. Implemented once per provider.
/// </summary>
internal interface IJournalBatchExecutor
{
    /// <summary>
    /// Executes every write of <paramref name="batch"/> in one transaction, stores each result with the write's
    /// <c>SetPending</c>, and commits. Throws when anything fails; the transaction is then rolled back.
    /// </summary>
    Task ExecuteBatchAsync(IReadOnlyList<JournalWrite> batch, CancellationToken cancellationToken);
}

/// <summary>
/// Group commit: callers enqueue writes on a channel and one writer loop drains everything pending (up to the
/// maximum batch size) into a single transaction, commits it (one fsync for the whole batch), then completes every
/// caller's task. Under load the batches grow by themselves, so the cost of a durable commit is shared by all writes
/// that arrived during the previous one. At low load a batch contains one write and the latency is one commit. With
/// more than one batch slot, the loop starts the next batch while earlier ones are still committing.
/// </summary>
/// <remarks>
/// When a batch fails for a reason other than an unavailable store, its writes are retried one transaction each, so
/// that one bad write (a duplicate order id) fails alone and the others still commit. A write that fails alone fails
/// its caller's task with the provider's exception, except that a deadlock or serialization conflict is retried up to
/// three times. When the store is unavailable, every write of the batch fails at once. Thread safe.
/// </remarks>
internal sealed partial class GroupCommitWriter : IAsyncDisposable
{
    private readonly Channel<JournalWrite> _channel = Channel.CreateUnbounded<JournalWrite>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    private readonly IJournalBatchExecutor _executor;
    private readonly int _maxBatchSize;
    private readonly int _maxConcurrentBatches;
    private readonly ILogger _logger;
    private readonly Task _loop;

    /// <summary>
    /// Attempts for a write whose transaction lost a deadlock or serialization conflict against a concurrent batch.
    /// The conflict clears once the other transaction ends, so a retry normally succeeds.
    /// </summary>
    private const int MaxConflictAttempts = 3;

    /// <param name="maxConcurrentBatches">
    /// The maximum number of batches committing at once. SQLite uses 1 because it has one writer anyway. A server
    /// that flushes several transactions together benefits from more. A caller's writes keep their order as long as
    /// it waits for each one.
    /// </param>
    public GroupCommitWriter(
        IJournalBatchExecutor executor,
        int maxBatchSize,
        int maxConcurrentBatches,
        ILogger logger)
    {
        _executor = executor;
        _maxBatchSize = maxBatchSize;
        _maxConcurrentBatches = maxConcurrentBatches;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues <paramref name="write"/>; its task completes after its batch committed.</summary>
    public void Enqueue(JournalWrite write, CancellationToken cancellationToken)
    {
        write.CancelWhileQueued(cancellationToken);
        if (!_channel.Writer.TryWrite(write))
        {
            write.Fail(new ObjectDisposedException(nameof(GroupCommitWriter), "The order journal is shut down."));
        }
    }

    /// <summary>Stops accepting writes, commits the queued ones and waits for the writer loop to end.</summary>
    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        using var slots = new SemaphoreSlim(_maxConcurrentBatches, _maxConcurrentBatches);
        while (await _channel.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Waiting for a free slot before draining lets the next batch grow while the previous ones commit.
            await slots.WaitAsync().ConfigureAwait(false);
            var batch = new List<JournalWrite>();
            while (batch.Count < _maxBatchSize && _channel.Reader.TryRead(out var write))
            {
                if (write.TryClaim())
                {
                    batch.Add(write);
                }
            }

            if (batch.Count == 0)
            {
                slots.Release();
                continue;
            }

            _ = CommitAndReleaseAsync(batch, slots);
        }

        // Every slot free means every batch has finished.
        for (var i = 0; i < _maxConcurrentBatches; i++)
        {
            await slots.WaitAsync().ConfigureAwait(false);
        }
    }

    private async Task CommitAndReleaseAsync(List<JournalWrite> batch, SemaphoreSlim slots)
    {
        try
        {
            await CommitAsync(batch).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task CommitAsync(List<JournalWrite> batch)
    {
        try
        {
            await _executor.ExecuteBatchAsync(batch, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The writer loop must survive any failure; each caller gets the exception.
        catch (Exception exception) when (
            batch.Count > 1 && (!JournalFailures.IsTransient(exception) || JournalFailures.IsConflict(exception)))
        {
            Log.BatchFailed(_logger, batch.Count, exception);
            await CommitOneByOneAsync(batch).ConfigureAwait(false);
            return;
        }
        catch (Exception exception)
        {
            // The store is unavailable, or the batch contained one write. Retrying each write would only multiply the
            // wait, so every caller gets the failure and the breaker counts it.
            Log.WriteFailed(_logger, batch.Count, exception);
            foreach (var write in batch)
            {
                write.Fail(exception);
            }

            return;
        }
#pragma warning restore CA1031

        foreach (var write in batch)
        {
            write.Complete();
        }
    }

    private async Task CommitOneByOneAsync(List<JournalWrite> batch)
    {
        var single = new JournalWrite[1];
        foreach (var write in batch)
        {
            write.ResetPending();
            single[0] = write;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await _executor.ExecuteBatchAsync(single, CancellationToken.None).ConfigureAwait(false);
                    write.Complete();
                    break;
                }
#pragma warning disable CA1031 // Each failure belongs to one caller, who receives it.
                catch (Exception exception) when (attempt < MaxConflictAttempts && JournalFailures.IsConflict(exception))
                {
                    write.ResetPending();
                }
                catch (Exception exception)
                {
                    Log.WriteFailed(_logger, 1, exception);
                    write.Fail(exception);
                    break;
                }
#pragma warning restore CA1031
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 3010,
            EventName = "JournalBatchFailed",
            Level = LogLevel.Warning,
            Message = "A journal batch of {Count} writes failed; retrying each write in its own transaction")]
        public static partial void BatchFailed(ILogger logger, int count, Exception exception);

        [LoggerMessage(
            EventId = 3011,
            EventName = "JournalWriteFailed",
            Level = LogLevel.Warning,
            Message = "A journal transaction of {Count} writes failed; each caller receives the exception")]
        public static partial void WriteFailed(ILogger logger, int count, Exception exception);
    }
}
