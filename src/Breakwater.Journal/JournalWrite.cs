using Breakwater.Domain.Journal;
using Breakwater.Domain.Orders;

namespace Breakwater.Journal;

/// <summary>
/// One write waiting for the group-commit writer. The provider executes it inside a batch transaction and stores
/// its result with <c>SetPending…</c>; the writer completes the caller's task only after the commit.
/// </summary>
internal abstract class JournalWrite
{
    private const int Queued = 0;
    private const int Claimed = 1;
    private const int Abandoned = 2;

    private int _state;
    private CancellationTokenRegistration _cancellation;

    /// <summary>
    /// Marks the write as taken by the writer. Returns false when the caller cancelled it first; then the writer
    /// skips it and nothing is written.
    /// </summary>
    public bool TryClaim()
    {
        if (Interlocked.CompareExchange(ref _state, Claimed, Queued) != Queued)
        {
            return false;
        }

        _cancellation.Dispose();
        return true;
    }

    /// <summary>
    /// Cancels the caller's task while the write is still queued. Once the writer claimed the write, the
    /// cancellation is ignored because the write may already be committed; the caller then waits for the outcome.
    /// </summary>
    public void CancelWhileQueued(CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            return;
        }

        _cancellation = cancellationToken.Register(
            static state =>
            {
                var (write, token) = ((JournalWrite, CancellationToken))state!;
                if (Interlocked.CompareExchange(ref write._state, Abandoned, Queued) == Queued)
                {
                    write.SetCanceled(token);
                }
            },
            (this, cancellationToken));
    }

    /// <summary>Forgets a result stored by an attempt whose transaction rolled back.</summary>
    public abstract void ResetPending();

    /// <summary>
    /// Completes the caller's task with the stored result, after the commit. Never throws, because the writer loop
    /// completes a whole batch in one pass.
    /// </summary>
    public abstract void Complete();

    public abstract void Fail(Exception exception);

    protected abstract void SetCanceled(CancellationToken cancellationToken);

    protected static InvalidOperationException MissingResult(long orderId) => new(
        $"The journal committed a batch without storing the result of the write for order {orderId}; " +
        "the provider's batch executor must store a result for every write.");
}

internal sealed class InsertOrderWrite(Order order) : JournalWrite
{
    private readonly TaskCompletionSource<JournalInsertResult> _completion =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    private JournalInsertResult? _pending;

    public Order Order { get; } = order;

    public Task<JournalInsertResult> Task => _completion.Task;

    public bool HasPending => _pending.HasValue;

    public void SetPending(JournalInsertResult result) => _pending = result;

    public override void ResetPending() => _pending = null;

    public override void Complete()
    {
        if (_pending is { } result)
        {
            _completion.TrySetResult(result);
        }
        else
        {
            _completion.TrySetException(MissingResult(Order.Id));
        }
    }

    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    protected override void SetCanceled(CancellationToken cancellationToken) =>
        _completion.TrySetCanceled(cancellationToken);
}

internal sealed class AppendChangeWrite(OrderChange change) : JournalWrite
{
    private readonly TaskCompletionSource<AppendOutcome> _completion =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppendOutcome? _pending;

    public OrderChange Change { get; } = change;

    public Task<AppendOutcome> Task => _completion.Task;

    public bool HasPending => _pending.HasValue;

    public void SetPending(AppendOutcome outcome) => _pending = outcome;

    public override void ResetPending() => _pending = null;

    public override void Complete()
    {
        if (_pending is { } outcome)
        {
            _completion.TrySetResult(outcome);
        }
        else
        {
            _completion.TrySetException(MissingResult(Change.Order.Id));
        }
    }

    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    protected override void SetCanceled(CancellationToken cancellationToken) =>
        _completion.TrySetCanceled(cancellationToken);
}
