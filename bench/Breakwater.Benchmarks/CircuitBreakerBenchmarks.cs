using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Breakwater.Resilience.CircuitBreaking;
using Polly;
using Polly.CircuitBreaker;

namespace Breakwater.Benchmarks;

/// <summary>
/// Cost of one call through Breakwater's breaker, through Polly's circuit breaker, and with no breaker, in the closed
/// state (the call runs) and the open state (the call is rejected). The guarded call completes synchronously, so
/// the numbers are the breakers' own overhead.
/// </summary>
[MemoryDiagnoser]
public class CircuitBreakerBenchmarks
{
    private static readonly Func<int, CancellationToken, ValueTask<int>> Work = static (value, _) =>
        ValueTask.FromResult(Compute(value));

    private CircuitBreaker _closed = null!;
    private CircuitBreaker _closedWithWindow = null!;
    private CircuitBreaker _open = null!;
    private ResiliencePipeline _pollyClosed = null!;
    private ResiliencePipeline _pollyOpen = null!;

    [GlobalSetup]
    public void Setup()
    {
        _closed = new CircuitBreaker("closed", new BreakerOptions());
        _closedWithWindow = new CircuitBreaker(
            "closed-window",
            new BreakerOptions { FailureRatio = 0.5, SlowCallDuration = TimeSpan.FromSeconds(1) });
        _open = new CircuitBreaker(
            "open",
            new BreakerOptions { BreakDuration = TimeSpan.FromDays(1), MaxBreakDuration = TimeSpan.FromDays(1) });
        for (int i = 0; i < 3; i++)
        {
            _open.TryAcquire().RecordFailure();
        }

        _pollyClosed = new ResiliencePipelineBuilder().AddCircuitBreaker(new CircuitBreakerStrategyOptions()).Build();

        var control = new CircuitBreakerManualControl();
        _pollyOpen = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions { ManualControl = control })
            .Build();
        control.IsolateAsync().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public int NoBreaker() => Work(1, CancellationToken.None).Result;

    [Benchmark]
    public int Breakwater_Lease_Closed_WithWindow()
    {
        var lease = _closedWithWindow.TryAcquire();
        int result = Work(1, CancellationToken.None).Result;
        lease.RecordSuccess();
        return result;
    }

    [Benchmark]
    public int Breakwater_Lease_Closed()
    {
        var lease = _closed.TryAcquire();
        int result = Work(1, CancellationToken.None).Result;
        lease.RecordSuccess();
        return result;
    }

    [Benchmark]
    public int Breakwater_ExecuteOutcome_Closed() =>
        _closed.ExecuteOutcomeAsync(Work, 1, CancellationToken.None).Result.Result;

    [Benchmark]
    public int Polly_Closed() => _pollyClosed.ExecuteAsync(Work, 1, CancellationToken.None).Result;

    [Benchmark]
    public bool Breakwater_Lease_Open() => _open.TryAcquire().IsAcquired;

    [Benchmark]
    public bool Breakwater_ExecuteOutcome_Open() =>
        _open.ExecuteOutcomeAsync(Work, 1, CancellationToken.None).Result.IsRejected;

    [Benchmark]
    public bool Polly_ExecuteOutcome_Open()
    {
        var context = ResilienceContextPool.Shared.Get(CancellationToken.None);
        var outcome = _pollyOpen.ExecuteOutcomeAsync(
            static (_, value) => Outcome.FromResultAsValueTask(value + 1), context, 1).Result;
        ResilienceContextPool.Shared.Return(context);
        return outcome.Exception is not null;
    }

    // Kept out of line so that the JIT cannot fold the guarded call away and every variant pays the same call.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Compute(int value) => value + 1;
}
