using static Breakwater.Resilience.Tests.CircuitBreaking.TestBreakers;

namespace Breakwater.Resilience.Tests.CircuitBreaking;

/// <summary>
/// Checks the allocation-free promises with the runtime's per-thread allocation counter; timing is left to the
/// benchmark.
/// </summary>
public sealed class AllocationTests
{
    private static readonly Func<int, CancellationToken, ValueTask<int>> Work =
        static (value, _) => ValueTask.FromResult(value + 1);

    [Fact]
    public void Lease_ClosedSuccess_AllocatesNothing()
    {
        var breaker = Create(NewClock());

        long allocated = MeasureAllocations(() =>
        {
            var lease = breaker.TryAcquire();
            lease.RecordSuccess();
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ExecuteOutcome_ClosedSynchronousCall_AllocatesNothing()
    {
        var breaker = Create(NewClock(), o => o.FailureRatio = 0.5);

        long allocated = MeasureAllocations(() => _ = breaker.ExecuteOutcomeAsync(Work, 1, default).Result);

        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task ExecuteOutcome_OpenRejection_AllocatesNothing()
    {
        var breaker = Create(NewClock());
        await TripAsync(breaker);

        long allocated = MeasureAllocations(() =>
        {
            var outcome = breaker.ExecuteOutcomeAsync(Work, 1, default).Result;
            Assert.True(outcome.IsRejected);
        });

        Assert.Equal(0, allocated);
    }

    private static long MeasureAllocations(Action call)
    {
        // The warm-up runs static constructors and lets the JIT settle before the counter is read.
        for (int i = 0; i < 1000; i++)
        {
            call();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            call();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
