using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Resilience.CircuitBreaking;
using Breakwater.Resilience.Guards;
using Microsoft.Extensions.Time.Testing;
using static Breakwater.Resilience.Tests.CircuitBreaking.TestBreakers;

namespace Breakwater.Resilience.Tests.Guards;

public sealed class CancelPastBreakerTests
{
    private static readonly BrokerOrderReference Reference = new(17, "strategy-a-0017", "B-1");

    private static readonly GuardOptions NoRetries = new() { RetryAttempts = 0 };

    [Fact]
    public async Task CancelOrder_BreakerOpen_ReachesBrokerWithoutClosingIt()
    {
        var (time, breaker) = NewBreaker();
        var inner = new FakeBroker();
        var broker = new GuardedBroker(inner, breaker, NoRetries, time);
        OpenBreaker(breaker);

        await broker.CancelOrderAsync(Reference, CancellationToken.None);

        Assert.Equal(1, inner.CancelCalls);
        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(0, breaker.GetSnapshot().TotalSuccesses);
    }

    [Fact]
    public async Task CancelOrder_BreakerIsolated_ReachesBroker()
    {
        var (time, breaker) = NewBreaker();
        var inner = new FakeBroker();
        var broker = new GuardedBroker(inner, breaker, NoRetries, time);
        breaker.Isolate("maintenance");

        await broker.CancelOrderAsync(Reference, CancellationToken.None);

        Assert.Equal(1, inner.CancelCalls);
        Assert.Equal(BreakerState.Isolated, breaker.State);
    }

    [Fact]
    public async Task CancelOrder_BreakerOpenAndBrokerHangs_TimesOutAsUnavailable()
    {
        var (time, breaker) = NewBreaker(o => o.CallTimeout = TimeSpan.FromSeconds(2));
        var inner = new FakeBroker { Cancel = _ => Task.Delay(Timeout.InfiniteTimeSpan, time) };
        var broker = new GuardedBroker(inner, breaker, NoRetries, time);
        OpenBreaker(breaker);

        var call = broker.CancelOrderAsync(Reference, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(2));
        var thrown = await Assert.ThrowsAsync<DependencyUnavailableException>(() => call);

        Assert.Equal(DependencyNames.Broker, thrown.Dependency);
        Assert.IsType<BreakerTimeoutException>(thrown.InnerException);
    }

    [Fact]
    public async Task PlaceOrder_BreakerOpen_RaisesRejectedOnce()
    {
        var (time, breaker) = NewBreaker();
        var broker = new GuardedBroker(new FakeBroker(), breaker, NoRetries, time);
        var rejections = new List<BreakerState>();
        breaker.Rejected += (_, state) => rejections.Add(state);
        OpenBreaker(breaker);

        await Assert.ThrowsAsync<DependencyUnavailableException>(() => broker.PingAsync(CancellationToken.None));

        Assert.Equal([BreakerState.Open], rejections);
    }

    private static (FakeTimeProvider Time, CircuitBreaker Breaker) NewBreaker(Action<BreakerOptions>? configure = null)
    {
        var time = NewClock();
        return (time, Create(time, configure, DependencyNames.Broker));
    }

    private static void OpenBreaker(CircuitBreaker breaker)
    {
        for (int i = 0; i < 3; i++)
        {
            breaker.TryAcquire().RecordFailure();
        }

        Assert.Equal(BreakerState.Open, breaker.State);
    }
}
