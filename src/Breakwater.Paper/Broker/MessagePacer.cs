using Breakwater.Domain.Dependencies;

namespace Breakwater.Paper.Broker;

/// <summary>
/// Spaces broker messages at least 1/rate seconds apart, in arrival order, timed by the injected TimeProvider.
/// </summary>
/// <remarks>
/// TokenBucketRateLimiter from System.Threading.RateLimiting 10.0 (which Polly.RateLimiting wraps) measures the time
/// between replenishments with Stopwatch even when replenished by hand, so FakeTimeProvider cannot drive it. This
/// pacer reserves a time slot per call instead. A call cancelled while waiting leaves its slot unused, so later
/// calls do not move up. Thread-safe.
/// </remarks>
internal sealed class MessagePacer
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly long _intervalTimestamps;
    private readonly int _maxQueued;
    private readonly int _messagesPerSecond;
    private long _nextSlot;
    private int _queued;

    public MessagePacer(int messagesPerSecond, int maxQueued, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(messagesPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxQueued);
        _timeProvider = timeProvider;
        _messagesPerSecond = messagesPerSecond;
        _maxQueued = maxQueued;
        _intervalTimestamps = Math.Max(1, timeProvider.TimestampFrequency / messagesPerSecond);
        _nextSlot = timeProvider.GetTimestamp();
    }

    /// <summary>Waits until the caller's message may be sent.</summary>
    /// <exception cref="DependencyUnavailableException">
    /// More calls than the queue limit are already waiting.
    /// </exception>
    /// <exception cref="OperationCanceledException">The caller cancelled while waiting.</exception>
    public async ValueTask WaitTurnAsync(CancellationToken cancellationToken)
    {
        TimeSpan delay;
        lock (_gate)
        {
            var now = _timeProvider.GetTimestamp();
            var slot = Math.Max(now, _nextSlot);
            delay = _timeProvider.GetElapsedTime(now, slot);
            if (delay > TimeSpan.Zero && _queued >= _maxQueued)
            {
                throw new DependencyUnavailableException(
                    DependencyNames.Broker,
                    $"The paper broker's message queue is full: {_queued} calls are already waiting for the limit of " +
                    $"{_messagesPerSecond} messages per second ({PaperBrokerOptions.SectionName}:" +
                    $"{nameof(PaperBrokerOptions.MaxQueuedMessages)} is {_maxQueued}).");
            }

            _nextSlot = slot + _intervalTimestamps;
            if (delay <= TimeSpan.Zero)
            {
                return;
            }

            _queued++;
        }

        try
        {
            await Task.Delay(delay, _timeProvider, cancellationToken);
        }
        finally
        {
            lock (_gate)
            {
                _queued--;
            }
        }
    }
}
