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

    public ValueTask OnOrderUpdateAsync(BrokerOrderUpdate update, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            throw new InvalidOperationException("The test sink rejects this delivery.");
        }

        lock (_all)
        {
            _all.Add(update);
        }

        _accepted.Writer.TryWrite(update);
        return ValueTask.CompletedTask;
    }

    /// <summary>Waits for the next accepted update; the real-time limit only stops a broken test hanging.</summary>
    public async Task<BrokerOrderUpdate> NextAsync()
    {
        using var limit = new CancellationTokenSource(WaitLimit);
        return await _accepted.Reader.ReadAsync(limit.Token);
    }

    public bool TryTakeNext(out BrokerOrderUpdate? update) => _accepted.Reader.TryRead(out update);
}
