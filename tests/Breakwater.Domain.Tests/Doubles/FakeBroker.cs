using System.Collections.Concurrent;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.Orders;

namespace Breakwater.Tests.Doubles;

/// <summary>
/// A scriptable <see cref="IBroker"/>: by default it acknowledges every order, fills market orders at
/// <see cref="MarketPrice"/> (delivering the fill to the sink before the acknowledgement returns, as a fast broker
/// can), and rests limit orders until they are cancelled.
/// </summary>
public sealed class FakeBroker : IBroker
{
    private readonly ConcurrentDictionary<string, BrokerOrderState> _orders = new(StringComparer.Ordinal);
    private long _nextBrokerId;
    private long _nextExecutionId;

    public IBrokerUpdateSink? Sink { get; set; }

    public decimal MarketPrice { get; set; } = 100.25m;

    /// <summary>Replaces the default place behaviour; return null to fall back to it.</summary>
    public Func<BrokerOrder, Task<BrokerAck?>>? OnPlace { get; set; }

    /// <summary>Replaces the default cancel behaviour; return false to fall back to it.</summary>
    public Func<BrokerOrderReference, Task<bool>>? OnCancel { get; set; }

    /// <summary>Thrown by <see cref="FindOrderAsync"/> and <see cref="GetOpenOrdersAsync"/> when set.</summary>
    public Exception? LookupFailure { get; set; }

    public ConcurrentQueue<BrokerOrder> Placed { get; } = new();

    public ConcurrentQueue<BrokerOrderReference> Cancelled { get; } = new();

    private int _findCalls;

    public int FindCalls => Volatile.Read(ref _findCalls);

    public async Task<BrokerAck> PlaceOrderAsync(BrokerOrder order, CancellationToken cancellationToken)
    {
        Placed.Enqueue(order);
        if (OnPlace is not null && await OnPlace(order) is { } scripted)
        {
            return scripted;
        }

        var brokerId = "B" + Interlocked.Increment(ref _nextBrokerId);
        var state = new BrokerOrderState(
            brokerId, order.ClientOrderId, order.Symbol, order.Side, order.Quantity, order.Type, order.LimitPrice,
            OrderStatus.Submitted, 0, []);
        _orders[order.ClientOrderId] = state;
        if (order.Type == OrderType.Market)
        {
            await FillAsync(order.ClientOrderId, order.Quantity, MarketPrice);
        }

        return new BrokerAck(brokerId, OrderStatus.Submitted);
    }

    /// <summary>Records a fill of <paramref name="quantity"/> and delivers it to the sink.</summary>
    public async Task FillAsync(string clientOrderId, long quantity, decimal price)
    {
        var state = _orders[clientOrderId];
        var fill = new Fill("E" + Interlocked.Increment(ref _nextExecutionId), quantity, price, DateTimeOffset.UnixEpoch);
        var filled = state.FilledQuantity + quantity;
        var status = filled >= state.Quantity ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
        state = state with { Status = status, FilledQuantity = filled, Fills = [.. state.Fills, fill] };
        _orders[clientOrderId] = state;
        if (Sink is not null)
        {
            await Sink.OnOrderUpdateAsync(
                new BrokerOrderUpdate(state.BrokerOrderId, clientOrderId, status, filled, fill, null, fill.Time),
                CancellationToken.None);
        }
    }

    /// <summary>Makes the broker know an order it received although the submit looked failed.</summary>
    public void Remember(BrokerOrderState state) => _orders[state.ClientOrderId!] = state;

    public async Task CancelOrderAsync(BrokerOrderReference order, CancellationToken cancellationToken)
    {
        if (OnCancel is not null && await OnCancel(order))
        {
            Cancelled.Enqueue(order);
            return;
        }

        if (!_orders.TryGetValue(order.ClientOrderId, out var state))
        {
            throw new BrokerRejectionException(BrokerRejectionCode.OrderNotFound, $"Order {order.ClientOrderId} is unknown.");
        }

        if (state.Status.IsFinal())
        {
            throw new BrokerRejectionException(BrokerRejectionCode.OrderAlreadyFinal, $"Order {order.ClientOrderId} is final.");
        }

        Cancelled.Enqueue(order);
        _orders[order.ClientOrderId] = state with { Status = OrderStatus.Cancelled };
    }

    /// <summary>Delivers the cancel confirmation of an order cancelled earlier.</summary>
    public Task ConfirmCancelAsync(string clientOrderId)
    {
        var state = _orders[clientOrderId];
        return Sink!.OnOrderUpdateAsync(
            new BrokerOrderUpdate(state.BrokerOrderId, clientOrderId, OrderStatus.Cancelled, state.FilledQuantity, null,
                "cancelled by request", DateTimeOffset.UnixEpoch),
            CancellationToken.None).AsTask();
    }

    public Task<IReadOnlyList<BrokerOrderState>> GetOpenOrdersAsync(OpenOrderScope scope, CancellationToken cancellationToken)
    {
        if (LookupFailure is not null)
        {
            throw LookupFailure;
        }

        return Task.FromResult<IReadOnlyList<BrokerOrderState>>(_orders.Values.Where(s => !s.Status.IsFinal()).ToList());
    }

    public Task<BrokerOrderState?> FindOrderAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _findCalls);
        if (LookupFailure is not null)
        {
            throw LookupFailure;
        }

        return Task.FromResult(_orders.GetValueOrDefault(clientOrderId));
    }

    public Task PingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
