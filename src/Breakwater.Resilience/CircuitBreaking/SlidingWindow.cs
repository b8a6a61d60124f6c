namespace Breakwater.Resilience.CircuitBreaking;

/// <summary>
/// A time-based sliding window of call outcomes split into ten buckets. Recording is lock-free: an outcome increments
/// the counters of the bucket for the current time, and the first recorder to find a bucket left over from an older
/// period resets it.
/// </summary>
/// <remarks>
/// The window covers between nine and ten bucket widths, because the oldest bucket counts in full until it is
/// reused. A recorder that stalls for the whole window between reading a bucket and incrementing it can add one
/// outcome to a newer period; that error is one call and is accepted to keep the hot path free of locks.
/// </remarks>
internal sealed class SlidingWindow
{
    internal const int BucketCount = 10;

    // Marks a bucket that has never held outcomes (or was cleared); every real period number is larger.
    private const long EmptyPeriod = -2;

    // Marks a bucket that one recorder is resetting; the others wait for it with a short spin.
    private const long ResettingPeriod = -1;

    private readonly Bucket[] _buckets = new Bucket[BucketCount];
    private readonly long _bucketWidth;

    /// <param name="samplingDuration">The length of the window.</param>
    /// <param name="timestampFrequency">Ticks per second of the timestamps passed in.</param>
    public SlidingWindow(TimeSpan samplingDuration, long timestampFrequency)
    {
        _bucketWidth = Math.Max(1, (long)(samplingDuration.TotalSeconds * timestampFrequency / BucketCount));
        Clear();
    }

    public void Record(long timestamp, bool failure, bool slow)
    {
        long period = timestamp / _bucketWidth;
        ref Bucket bucket = ref _buckets[(int)(period % BucketCount)];
        var spin = default(SpinWait);

        while (true)
        {
            long current = Volatile.Read(ref bucket.Period);
            if (current == period)
            {
                Interlocked.Increment(ref bucket.Calls);
                if (failure)
                {
                    Interlocked.Increment(ref bucket.Failures);
                }

                if (slow)
                {
                    Interlocked.Increment(ref bucket.SlowCalls);
                }

                return;
            }

            if (current == ResettingPeriod)
            {
                spin.SpinOnce();
                continue;
            }

            if (current > period)
            {
                // Another recorder already moved the bucket to a newer period: this outcome is older than the window.
                return;
            }

            if (Interlocked.CompareExchange(ref bucket.Period, ResettingPeriod, current) == current)
            {
                bucket.Calls = 0;
                bucket.Failures = 0;
                bucket.SlowCalls = 0;
                Volatile.Write(ref bucket.Period, period);
            }
        }
    }

    public WindowTotals Sum(long timestamp)
    {
        long period = timestamp / _bucketWidth;
        int calls = 0;
        int failures = 0;
        int slowCalls = 0;

        for (int i = 0; i < BucketCount; i++)
        {
            ref Bucket bucket = ref _buckets[i];
            long bucketPeriod = Volatile.Read(ref bucket.Period);
            if (bucketPeriod > period - BucketCount && bucketPeriod <= period)
            {
                calls += Volatile.Read(ref bucket.Calls);
                failures += Volatile.Read(ref bucket.Failures);
                slowCalls += Volatile.Read(ref bucket.SlowCalls);
            }
        }

        return new WindowTotals(calls, failures, slowCalls);
    }

    public void Clear()
    {
        for (int i = 0; i < BucketCount; i++)
        {
            Volatile.Write(ref _buckets[i].Period, EmptyPeriod);
        }
    }

    private struct Bucket
    {
        public long Period;
        public int Calls;
        public int Failures;
        public int SlowCalls;
    }
}

internal readonly record struct WindowTotals(int Calls, int Failures, int SlowCalls);
