using Breakwater.Resilience.CircuitBreaking;
using Breakwater.Resilience.Polly;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using static Breakwater.Resilience.Tests.CircuitBreaking.TestBreakers;

namespace Breakwater.Resilience.Tests.Polly;

public sealed class PipelineCompositionTests
{
    [Fact]
    public async Task Pipeline_RetryAroundBreaker_EveryAttemptCountsAndBreakerOpens()
    {
        var time = NewClock();
        var breaker = Create(time);
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 4,
                Delay = TimeSpan.Zero,
                ShouldHandle = new PredicateBuilder().Handle<IOException>(),
            })
            .AddBreakwaterCircuitBreaker(breaker)
            .Build();
        int calls = 0;

        var thrown = await Assert.ThrowsAsync<BreakerOpenException>(async () =>
            await pipeline.ExecuteAsync<int>(_ =>
            {
                calls++;
                throw new IOException("The connection was reset.");
            }));

        Assert.Equal(3, calls);
        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(TimeSpan.FromSeconds(30), thrown.RetryAfter);
    }

    [Fact]
    public async Task Pipeline_Success_ReturnsResultAndCountsSuccess()
    {
        var time = NewClock();
        var breaker = Create(time);
        var pipeline = new ResiliencePipelineBuilder().AddBreakwaterCircuitBreaker(breaker).Build();

        var result = await pipeline.ExecuteAsync(static _ => ValueTask.FromResult("filled"));

        Assert.Equal("filled", result);
        Assert.Equal(1, breaker.GetSnapshot().TotalSuccesses);
    }

    [Fact]
    public async Task Pipeline_PollyTimeoutInsideBreaker_CountsTimeoutAsFailure()
    {
        var time = NewClock();
        var breaker = Create(time, o => o.FailureThreshold = 1);
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddBreakwaterCircuitBreaker(breaker)
            .AddTimeout(TimeSpan.FromSeconds(1))
            .Build();

        var call = pipeline.ExecuteAsync(token => new ValueTask<int>(WaitForCancellation(token))).AsTask();
        time.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => call);
        Assert.Equal(BreakerState.Open, breaker.State);
    }

    [Fact]
    public async Task Pipeline_BreakerCallTimeout_ReturnsBreakerTimeout()
    {
        var time = NewClock();
        var breaker = Create(time, o => o.CallTimeout = TimeSpan.FromSeconds(2));
        var pipeline = new ResiliencePipelineBuilder().AddBreakwaterCircuitBreaker(breaker).Build();
        var never = new TaskCompletionSource<int>();

        var call = pipeline.ExecuteAsync(_ => new ValueTask<int>(never.Task)).AsTask();
        time.Advance(TimeSpan.FromSeconds(2));

        await Assert.ThrowsAsync<BreakerTimeoutException>(() => call);
        Assert.Equal(1, breaker.GetSnapshot().TotalFailures);
    }
}
