using System.Collections.Concurrent;

namespace Breakwater.Resilience.CircuitBreaking;

/// <summary>
/// Delivers transitions in the order they were enqueued, one at a time, on the thread that calls
/// <see cref="Drain"/>. The breaker enqueues inside its lock and drains after leaving it, so handlers never run under
/// the lock, and a handler that changes the breaker's state only enqueues.
/// </summary>
internal sealed class TransitionDispatcher(Action<BreakerTransition> deliver)
{
    private readonly ConcurrentQueue<BreakerTransition> _queue = new();
    private int _draining;

    public void Enqueue(BreakerTransition transition) => _queue.Enqueue(transition);

    public void Drain()
    {
        while (!_queue.IsEmpty)
        {
            if (Interlocked.CompareExchange(ref _draining, 1, 0) != 0)
            {
                // The draining thread delivers what this thread enqueued; it checks the queue again after it stops.
                return;
            }

            try
            {
                while (_queue.TryDequeue(out var transition))
                {
                    deliver(transition);
                }
            }
            finally
            {
                Volatile.Write(ref _draining, 0);
            }
        }
    }
}
