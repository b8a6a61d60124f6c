using Breakwater.Domain.MarketData;
using Breakwater.Domain.Orders;

namespace Breakwater.Paper.Broker;

/// <summary>
/// The working limit orders of this gateway per symbol and side, best price first, so that a step finds the orders a
/// quote crosses without looking at the ones it does not. Not thread-safe: the broker uses it under its lock.
/// </summary>
internal sealed class RestingLimitOrders
{
    private static readonly IComparer<PaperOrder> BuyPriority = Comparer<PaperOrder>.Create((x, y) =>
    {
        var byPrice = y.LimitPrice!.Value.CompareTo(x.LimitPrice!.Value);
        return byPrice != 0 ? byPrice : x.Number.CompareTo(y.Number);
    });

    private static readonly IComparer<PaperOrder> SellPriority = Comparer<PaperOrder>.Create((x, y) =>
    {
        var byPrice = x.LimitPrice!.Value.CompareTo(y.LimitPrice!.Value);
        return byPrice != 0 ? byPrice : x.Number.CompareTo(y.Number);
    });

    private readonly Dictionary<string, SortedSet<PaperOrder>> _buys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedSet<PaperOrder>> _sells = new(StringComparer.Ordinal);

    /// <summary>Returns true for the orders kept here: limit orders placed through this gateway.</summary>
    public static bool Holds(PaperOrder order) =>
        order is { Type: OrderType.Limit, External: false, LimitPrice: not null };

    public void Add(PaperOrder order)
    {
        var (sides, priority) = Side(order.Side);
        if (!sides.TryGetValue(order.Symbol, out var orders))
        {
            orders = new SortedSet<PaperOrder>(priority);
            sides[order.Symbol] = orders;
        }

        orders.Add(order);
    }

    public void Remove(PaperOrder order)
    {
        var (sides, _) = Side(order.Side);
        if (sides.TryGetValue(order.Symbol, out var orders) && orders.Remove(order) && orders.Count == 0)
        {
            sides.Remove(order.Symbol);
        }
    }

    public void Clear()
    {
        _buys.Clear();
        _sells.Clear();
    }

    /// <summary>Returns every symbol with at least one resting order.</summary>
    public IEnumerable<string> Symbols() => _buys.Keys.Union(_sells.Keys, StringComparer.Ordinal);

    /// <summary>
    /// Adds to <paramref name="into"/> the orders of <paramref name="symbol"/> that <paramref name="quote"/> crosses:
    /// buys limited at or above the ask and sells limited at or below the bid.
    /// </summary>
    public void AddCrossed(string symbol, Quote quote, List<PaperOrder> into)
    {
        if (_buys.TryGetValue(symbol, out var buys))
        {
            foreach (var order in buys)
            {
                if (order.LimitPrice < quote.Ask)
                {
                    break;
                }

                into.Add(order);
            }
        }

        if (_sells.TryGetValue(symbol, out var sells))
        {
            foreach (var order in sells)
            {
                if (order.LimitPrice > quote.Bid)
                {
                    break;
                }

                into.Add(order);
            }
        }
    }

    /// <summary>Adds every order of <paramref name="symbol"/> to <paramref name="into"/>.</summary>
    public void AddAll(string symbol, List<PaperOrder> into)
    {
        if (_buys.TryGetValue(symbol, out var buys))
        {
            into.AddRange(buys);
        }

        if (_sells.TryGetValue(symbol, out var sells))
        {
            into.AddRange(sells);
        }
    }

    private (Dictionary<string, SortedSet<PaperOrder>> Sides, IComparer<PaperOrder> Priority) Side(OrderSide side) =>
        side == OrderSide.Buy ? (_buys, BuyPriority) : (_sells, SellPriority);
}
