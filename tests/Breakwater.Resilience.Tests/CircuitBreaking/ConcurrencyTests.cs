using Breakwater.Domain.Brokers;
using Breakwater.Resilience.CircuitBreaking;
using static Breakwater.Resilience.Tests.CircuitBreaking.TestBreakers;

namespace Breakwater.Resilience.Tests.CircuitBreaking;

public sealed class ConcurrencyTests
{
    [Fact]
    public void Lease_ManyThreadsInClosedState_CountsExactly()
    {
        const int Threads = 8;
        const int CallsPerThread = 20_000;
        var time = NewClock();
        var breaker = Create(time, o =>
        {
            // Failures every tenth call never reach the 0.9 ratio, so the breaker stays closed throughout.
            o.FailureThreshold = 0;
            o.FailureRatio = 0.9;
        });
        var rejection = new BrokerRejectionException(BrokerRejectionCode.InvalidOrder, "Bad quantity.");
        using var ready = new Barrier(Threads);

        var threads = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            ready.SignalAndWait();
            for (int i = 0; i < CallsPerThread; i++)
            {
                var lease = breaker.TryAcquire();
                switch (i % 10)
                {
                    case 0: lease.RecordFailure(); break;
                    case 1: lease.RecordException(rejection); break;
                    default: lease.RecordSuccess(); break;
                }
            }
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        var snapshot = breaker.GetSnapshot();
        Assert.Equal(BreakerState.Closed, snapshot.State);
        Assert.Equal(Threads * CallsPerThread / 10, snapshot.TotalFailures);
        Assert.Equal(Threads * CallsPerThread / 10, snapshot.TotalIgnored);
        Assert.Equal(Threads * CallsPerThread * 8 / 10, snapshot.TotalSuccesses);
        Assert.Equal(Threads * CallsPerThread * 9 / 10, snapshot.WindowCalls);
        Assert.Equal(Threads * CallsPerThread / 10, snapshot.WindowFailures);
        Assert.Equal(0, snapshot.TotalRejections);
        Assert.Equal(0, snapshot.Generation);
    }

    [Fact]
    public async Task Transitioned_ConcurrentTripsAndResets_DeliversAlternatingSequence()
    {
        var time = NewClock();
        var breaker = Create(time, o => o.FailureThreshold = 1);
        var events = new List<BreakerTransition>();
        breaker.Transitioned += (_, transition) =>
        {
            lock (events)
            {
                events.Add(transition);
            }
        };

        var workers = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            for (int i = 0; i < 500; i++)
            {
                if (worker % 2 == 0)
                {
                    await FailAsync(breaker);
                }
                else
                {
                    breaker.Reset();
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);

        Assert.NotEmpty(events);
        for (int i = 0; i < events.Count; i++)
        {
            Assert.Equal(i + 1, events[i].Generation);
            if (i > 0)
            {
                Assert.Equal(events[i - 1].To, events[i].From);
            }
        }
    }
}
