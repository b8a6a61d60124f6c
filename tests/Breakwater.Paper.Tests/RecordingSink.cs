using System.Threading.Channels;
using Breakwater.Domain.Brokers;

namespace Breakwater.Paper.Tests;

/// <summary>An update sink that records what it accepted and can fail a set number of deliveries first.</summary>
internal sealed class RecordingSink : IBrokerUpdateSink
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);
    private readonly Channel<BrokerOrderUpdate> _accepted = Channel.CreateUnbounded<BrokerOrderUpdate>();
    private readonly List<BrokerOrderUpdate> _all = [];
    private int _failuresLeft;
    private int _attempts;
    private int _holdUntil;
    private int _inFlight;
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Attempts => Volatile.Read(ref _attempts);

    public IReadOnlyList<BrokerOrderUpdate> All
    {
        get
        {
            lock (_all)
            {
                return [.. _all];
            }
        }
    }

    public void FailNext(int count) => Volatile.Write(ref _failuresLeft, count);

    /// <summary>Rejects every update for which this returns true; null rejects none.</summary>
    public Func<BrokerOrderUpdate, bool>? Reject { get; set; }

    /// <summary>
    /// Holds each delivery until <paramref name="count"/> deliveries are in flight together, so a broker that
    /// delivers one update at a time never gets past the first.
    /// </summary>
    public void HoldUntilInFlight(int count)
    {
        _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _inFlight, 0);
        Volatile.Write(ref _holdUntil, count);
    }

    public ValueTask OnOrderUpdateAsync(BrokerOrderUpdate update, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        if (Interlocked.Decrement(ref _failuresLeft) >= 0 || Reject?.Invoke(update) == true)
        {
            throw new InvalidOperationException("The test sink rejects this delivery.");
        }

        if (Volatile.Read(ref _holdUntil) > 0)
        {
            return HoldThenAcceptAsync(update, cancellationToken);
        }

        Accept(update);
        return ValueTask.CompletedTask;
    }

    private async ValueTask HoldThenAcceptAsync(BrokerOrderUpdate update, CancellationToken cancellationToken)
    {
        var release = _release;
        if (Interlocked.Increment(ref _inFlight) >= Volatile.Read(ref _holdUntil))
        {
            release.TrySetResult();
        }

        await release.Task.WaitAsync(cancellationToken);
        Accept(update);
    }

    private void Accept(BrokerOrderUpdate update)
    {
        lock (_all)
        {
            _all.Add(update);
        }

        _accepted.Writer.TryWrite(update);
    }

    /// <summary>Waits for the next accepted update; the real-time limit only stops a broken test hanging.</summary>
    public async Task<BrokerOrderUpdate> NextAsync()
    {
        using var limit = new CancellationTokenSource(WaitLimit);
        return await _accepted.Reader.ReadAsync(limit.Token);
    }

    public bool TryTakeNext(out BrokerOrderUpdate? update) => _accepted.Reader.TryRead(out update);
}
