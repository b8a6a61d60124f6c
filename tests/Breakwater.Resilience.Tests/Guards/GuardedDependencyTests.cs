using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Orders;
using Breakwater.Resilience.CircuitBreaking;
using Breakwater.Resilience.Guards;
using Microsoft.Extensions.Time.Testing;
using static Breakwater.Resilience.Tests.CircuitBreaking.TestBreakers;

namespace Breakwater.Resilience.Tests.Guards;

public sealed class GuardedDependencyTests
{
    private static readonly BrokerOrder Order = new(
        17, "strategy-a-0017", "AAPL", OrderSide.Buy, 100, OrderType.Limit, 187.25m, TimeInForce.Day);

    private static readonly GuardOptions NoDelayRetries = new() { RetryAttempts = 2, RetryBaseDelay = TimeSpan.Zero };

    [Fact]
    public async Task PlaceOrder_TransportFailure_NotRetriedAndFlaggedMayHaveReached()
    {
        var (time, breaker) = NewBreaker();
        var inner = new FakeBroker { Place = _ => Task.FromException<BrokerAck>(new IOException("Reset by peer.")) };
        var broker = new GuardedBroker(inner, breaker, NoDelayRetries, time);

        var thrown = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => broker.PlaceOrderAsync(Order, CancellationToken.None));

        Assert.Equal(1, inner.PlaceCalls);
        Assert.True(thrown.RequestMayHaveReachedDependency);
        Assert.Equal(DependencyNames.Broker, thrown.Dependency);
        Assert.IsType<IOException>(thrown.InnerException);
        Assert.Equal(1, breaker.GetSnapshot().TotalFailures);
    }

    [Fact]
    public async Task PlaceOrder_CallTimeout_FlaggedMayHaveReached()
    {
        var (time, breaker) = NewBreaker(o => o.CallTimeout = TimeSpan.FromSeconds(5));
        var inner = new FakeBroker { Place = token => HangUntilCancelled<BrokerAck>(token) };
        var broker = new GuardedBroker(inner, breaker, NoDelayRetries, time);

        var call = broker.PlaceOrderAsync(Order, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(5));
        var thrown = await Assert.ThrowsAsync<DependencyUnavailableException>(() => call);

        Assert.Equal(1, inner.PlaceCalls);
        Assert.True(thrown.RequestMayHaveReachedDependency);
        Assert.IsType<BreakerTimeoutException>(thrown.InnerException);
    }

    [Fact]
    public async Task PlaceOrder_AdapterSaysNotSent_KeepsItsFlag()
    {
        var (time, breaker) = NewBreaker();
        var notSent = new DependencyUnavailableException(DependencyNames.Broker, "Not connected to TWS.");
        var inner = new FakeBroker { Place = _ => Task.FromException<BrokerAck>(notSent) };
        var broker = new GuardedBroker(inner, breaker, NoDelayRetries, time);

        var thrown = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => broker.PlaceOrderAsync(Order, CancellationToken.None));

        Assert.Same(notSent, thrown);
        Assert.False(thrown.RequestMayHaveReachedDependency);
    }

    [Fact]
    public async Task PlaceOrder_BrokerRejection_PassesThroughUncounted()
    {
        var (time, breaker) = NewBreaker();
        var rejection = new BrokerRejectionException(BrokerRejectionCode.InsufficientFunds, "Not enough buying power.");
        var inner = new FakeBroker { Place = _ => Task.FromException<BrokerAck>(rejection) };
        var broker = new GuardedBroker(inner, breaker, NoDelayRetries, time);

        for (int i = 0; i < 5; i++)
        {
            var thrown = await Assert.ThrowsAsync<BrokerRejectionException>(
                () => broker.PlaceOrderAsync(Order, CancellationToken.None));
            Assert.Same(rejection, thrown);
        }

        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal(0, breaker.GetSnapshot().TotalFailures);
    }

    [Fact]
    public async Task CancelOrder_TransientFailure_Retried()
    {
        var (time, breaker) = NewBreaker();
        var inner = new FakeBroker
        {
            Cancel = call => call == 1 ? Task.FromException(new IOException("Reset by peer.")) : Task.CompletedTask,
        };
        var broker = new GuardedBroker(inner, breaker, NoDelayRetries, time);

        await broker.CancelOrderAsync(new BrokerOrderReference(17, "strategy-a-0017", "B-1"), CancellationToken.None);

        Assert.Equal(2, inner.CancelCalls);
        Assert.Equal(1, breaker.GetSnapshot().TotalFailures);
        Assert.Equal(1, breaker.GetSnapshot().TotalSuccesses);
    }

    [Fact]
    public async Task CancelOrder_BackoffDelay_WaitsOnTimeProvider()
    {
        var (time, breaker) = NewBreaker();
        var inner = new FakeBroker
        {
            Cancel = call => call == 1 ? Task.FromException(new IOException("Reset by peer.")) : Task.CompletedTask,
        };
        var options = new GuardOptions { RetryAttempts = 2, RetryBaseDelay = TimeSpan.FromSeconds(1) };
        var broker = new GuardedBroker(inner, breaker, options, time);

        var call = broker.CancelOrderAsync(new BrokerOrderReference(17, "c", null), CancellationToken.None);
        var callsBeforeDelay = inner.CancelCalls;
        time.Advance(TimeSpan.FromSeconds(2));
        await call;

        Assert.Equal(1, callsBeforeDelay);
        Assert.Equal(2, inner.CancelCalls);
    }

    [Fact]
    public async Task GetOpenOrders_BreakerOpen_ThrowsWithRetryAfterWithoutCallingInner()
    {
        var (time, breaker) = NewBreaker();
        var inner = new FakeBroker();
        var broker = new GuardedBroker(inner, breaker, NoDelayRetries, time);
        await TripAsync(breaker);
        time.Advance(TimeSpan.FromSeconds(12));

        var thrown = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => broker.GetOpenOrdersAsync(OpenOrderScope.Gateway, CancellationToken.None));

        Assert.Equal(0, inner.OpenOrdersCalls);
        Assert.Equal(TimeSpan.FromSeconds(18), thrown.RetryAfter);
        Assert.False(thrown.RequestMayHaveReachedDependency);
        Assert.Equal(DependencyNames.Broker, thrown.Dependency);
    }

    [Fact]
    public async Task PlaceOrder_BreakerOpen_ThrowsNotReachedWithoutCallingInner()
    {
        var (time, breaker) = NewBreaker();
        var inner = new FakeBroker();
        var broker = new GuardedBroker(inner, breaker, NoDelayRetries, time);
        breaker.Isolate("Broker maintenance.");

        var thrown = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => broker.PlaceOrderAsync(Order, CancellationToken.None));

        Assert.Equal(0, inner.PlaceCalls);
        Assert.False(thrown.RequestMayHaveReachedDependency);
        Assert.IsType<BreakerOpenException>(thrown.InnerException);
    }

    [Fact]
    public async Task GetOpenOrders_FailuresOpenBreakerMidRetry_StopsRetrying()
    {
        var (time, breaker) = NewBreaker(o => o.FailureThreshold = 2);
        var inner = new FakeBroker
        {
            OpenOrders = _ => Task.FromException<IReadOnlyList<BrokerOrderState>>(new IOException("Down.")),
        };
        var retries = new GuardOptions { RetryAttempts = 5, RetryBaseDelay = TimeSpan.Zero };
        var broker = new GuardedBroker(inner, breaker, retries, time);

        var thrown = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => broker.GetOpenOrdersAsync(OpenOrderScope.Account, CancellationToken.None));

        Assert.Equal(2, inner.OpenOrdersCalls);
        Assert.Equal(TimeSpan.FromSeconds(30), thrown.RetryAfter);
    }

    [Fact]
    public async Task GetQuote_TransientFailure_RetriedAndRejectionPassesThrough()
    {
        var (time, breaker) = NewBreaker(name: DependencyNames.MarketData);
        var inner = new FakeFeed { FailuresBeforeSuccess = 1 };
        var feed = new GuardedMarketDataFeed(inner, breaker, NoDelayRetries, time);

        var quote = await feed.GetQuoteAsync("MSFT", CancellationToken.None);
        inner.FailuresBeforeSuccess = 10;
        inner.Failure = new BrokerRejectionException(BrokerRejectionCode.InvalidSymbol, "Unknown symbol ZZZZ.");
        await Assert.ThrowsAsync<BrokerRejectionException>(() => feed.GetQuoteAsync("ZZZZ", CancellationToken.None));

        Assert.Equal("MSFT", quote.Symbol);
        Assert.Equal(3, inner.Calls);
        Assert.Equal(1, breaker.GetSnapshot().TotalFailures);
    }

    [Fact]
    public async Task Journal_ReadsAndWrites_RetriedThroughBreaker()
    {
        var (time, breaker) = NewBreaker(name: DependencyNames.Database);
        var inner = new FakeJournal { FailuresBeforeSuccess = 2 };
        var journal = new GuardedOrderJournal(inner, breaker, NoDelayRetries, time);

        var maxId = await journal.GetMaxOrderIdAsync(CancellationToken.None);
        inner.Calls = 0;
        var request = new OrderRequest("c-1", "AAPL", OrderSide.Buy, 10, OrderType.Market, null, TimeInForce.Day);
        var order = Domain.Orders.Order.Create(1, request, time.GetUtcNow());
        var inserted = await journal.InsertOrderAsync(order, CancellationToken.None);

        Assert.Equal(7, maxId);
        Assert.True(inserted.Inserted);
        Assert.Equal(3, inner.Calls);
        Assert.Equal(4, breaker.GetSnapshot().TotalFailures);
    }

    [Fact]
    public async Task Journal_Migrate_BypassesOpenBreaker()
    {
        var (time, breaker) = NewBreaker(name: DependencyNames.Database);
        var inner = new FakeJournal();
        var journal = new GuardedOrderJournal(inner, breaker, NoDelayRetries, time);
        breaker.Isolate("Database failover.");

        await journal.MigrateAsync(CancellationToken.None);
        var thrown = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => journal.PingAsync(CancellationToken.None));

        Assert.Equal(1, inner.MigrateCalls);
        Assert.Equal(0, inner.Calls);
        Assert.Equal(DependencyNames.Database, thrown.Dependency);
    }

    private static (FakeTimeProvider Time, CircuitBreaker Breaker) NewBreaker(
        Action<BreakerOptions>? configure = null, string name = DependencyNames.Broker)
    {
        var time = NewClock();
        return (time, Create(time, configure, name));
    }

    private static Task<T> HangUntilCancelled<T>(CancellationToken token)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => completion.TrySetCanceled(token));
        return completion.Task;
    }
}
