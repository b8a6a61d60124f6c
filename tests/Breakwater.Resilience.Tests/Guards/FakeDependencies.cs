using Breakwater.Domain.Brokers;
using Breakwater.Domain.Journal;
using Breakwater.Domain.MarketData;
using Breakwater.Domain.Orders;

namespace Breakwater.Resilience.Tests.Guards;

/// <summary>A broker whose methods run the delegates a test sets, counting every call.</summary>
internal sealed class FakeBroker : IBroker
{
    public Func<CancellationToken, Task<BrokerAck>> Place { get; set; } =
        _ => Task.FromResult(new BrokerAck("B-1", OrderStatus.Submitted));

    public Func<int, Task> Cancel { get; set; } = _ => Task.CompletedTask;

    public Func<int, Task<IReadOnlyList<BrokerOrderState>>> OpenOrders { get; set; } =
        _ => Task.FromResult<IReadOnlyList<BrokerOrderState>>([]);

    public int PlaceCalls;
    public int CancelCalls;
    public int OpenOrdersCalls;
    public int FindCalls;
    public int PingCalls;

    public Task<BrokerAck> PlaceOrderAsync(BrokerOrder order, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref PlaceCalls);
        return Place(cancellationToken);
    }

    public Task CancelOrderAsync(BrokerOrderReference order, CancellationToken cancellationToken) =>
        Cancel(Interlocked.Increment(ref CancelCalls));

    public Task<IReadOnlyList<BrokerOrderState>> GetOpenOrdersAsync(
        OpenOrderScope scope, CancellationToken cancellationToken) =>
        OpenOrders(Interlocked.Increment(ref OpenOrdersCalls));

    public Task<BrokerOrderState?> FindOrderAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref FindCalls);
        return Task.FromResult<BrokerOrderState?>(null);
    }

    public Task PingAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref PingCalls);
        return Task.CompletedTask;
    }
}

/// <summary>A market data feed that fails a set number of times before it returns quotes.</summary>
internal sealed class FakeFeed : IMarketDataFeed
{
    public int Calls;

    public int FailuresBeforeSuccess { get; set; }

    public Exception Failure { get; set; } = new IOException("The feed connection dropped.");

    public DateTimeOffset? LastQuoteTime { get; set; }

    public Task<Quote> GetQuoteAsync(string symbol, CancellationToken cancellationToken)
    {
        int call = Interlocked.Increment(ref Calls);
        return call <= FailuresBeforeSuccess
            ? Task.FromException<Quote>(Failure)
            : Task.FromResult(new Quote(symbol, 100m, 100.02m, 100.01m, DateTimeOffset.UnixEpoch));
    }
}

/// <summary>
/// A journal that fails a set number of times on every call before it succeeds. Like the real journals it disposes
/// only asynchronously.
/// </summary>
internal sealed class FakeJournal : IOrderJournal, IAsyncDisposable
{
    public int Calls;
    public int MigrateCalls;
    public int DisposeCalls;

    public ValueTask DisposeAsync()
    {
        Interlocked.Increment(ref DisposeCalls);
        return ValueTask.CompletedTask;
    }

    public int FailuresBeforeSuccess { get; set; }

    public Task MigrateAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref MigrateCalls);
        return Task.CompletedTask;
    }

    public Task<JournalInsertResult> InsertOrderAsync(Order order, CancellationToken cancellationToken) =>
        Answer(new JournalInsertResult(order, true));

    public Task<AppendOutcome> AppendChangeAsync(OrderChange change, CancellationToken cancellationToken) =>
        Answer(AppendOutcome.Appended);

    public Task<Order?> GetOrderAsync(long id, CancellationToken cancellationToken) => Answer<Order?>(null);

    public Task<Order?> FindByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken) =>
        Answer<Order?>(null);

    public Task<OrderPage> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken) =>
        Answer(new OrderPage([], null));

    public Task<IReadOnlyList<Order>> GetOpenOrdersAsync(CancellationToken cancellationToken) =>
        Answer<IReadOnlyList<Order>>([]);

    public Task<IReadOnlyList<OrderEvent>> GetHistoryAsync(long orderId, CancellationToken cancellationToken) =>
        Answer<IReadOnlyList<OrderEvent>>([]);

    public Task<long> GetMaxOrderIdAsync(CancellationToken cancellationToken) => Answer(7L);

    public Task PingAsync(CancellationToken cancellationToken) => Answer(true);

    private Task<T> Answer<T>(T value)
    {
        int call = Interlocked.Increment(ref Calls);
        return call <= FailuresBeforeSuccess
            ? Task.FromException<T>(new System.Net.Sockets.SocketException(10054))
            : Task.FromResult(value);
    }
}
