using System.Globalization;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Orders;
using Microsoft.Data.Sqlite;

namespace Breakwater.Paper.Broker;

// The in-memory book, its SQLite file and the buying power reserved by working buys.
public sealed partial class PaperBroker
{
    private void EnsureLoadedLocked()
    {
        ObjectDisposedException.ThrowIf(_disposed && _store is null, this);
        if (_store is not null)
        {
            return;
        }

        var path = _options.DatabasePath
            ?? throw new InvalidOperationException(
                $"{PaperBrokerOptions.SectionName}:{nameof(PaperBrokerOptions.DatabasePath)} is not set.");
        PaperBookStore store;
        try
        {
            store = PaperBookStore.Open(path);
        }
        catch (SqliteException ex)
        {
            throw BookUnavailable(ex);
        }

        try
        {
            _cash = store.LoadOrInitializeCash(_options.StartingCash);
            var orders = store.LoadOrders();
            foreach (var order in orders)
            {
                AddLocked(order);
            }

            var byNumber = orders.ToDictionary(order => order.Number);
            foreach (var entry in store.LoadOutbox(byNumber))
            {
                _outbox.AddLast(entry);
            }
        }
        catch
        {
            store.Dispose();
            _ordersById.Clear();
            _ordersByClientId.Clear();
            _workingOrders.Clear();
            _actionableOrders.Clear();
            _restingOrders.Clear();
            _marketBuyQuantityBySymbol.Clear();
            _reservedByLimitBuys = 0m;
            _outbox.Clear();
            throw;
        }

        _store = store;
        Log.BookLoaded(_logger, store.Path, _ordersById.Count, _workingOrders.Count, _outbox.Count, _cash);
    }

    private void AddLocked(PaperOrder order)
    {
        _ordersById[order.BrokerOrderId] = order;
        if (order.ClientOrderId is not null)
        {
            _ordersByClientId[order.ClientOrderId] = order;
        }

        if (order.IsWorking)
        {
            AddWorkingLocked(order);
        }
    }

    private void AddWorkingLocked(PaperOrder order)
    {
        _workingOrders[order.Number] = order;
        if (!order.External && (order.Type == OrderType.Market || order.CancelRequested))
        {
            _actionableOrders[order.Number] = order;
        }

        if (RestingLimitOrders.Holds(order))
        {
            _restingOrders.Add(order);
        }

        ReserveLocked(order);
    }

    private void RemoveWorkingLocked(PaperOrder order)
    {
        if (UnindexWorkingLocked(order))
        {
            ReleaseLocked(order);
        }
    }

    /// <summary>Removes the order from the working set and its indexes; true when it was working.</summary>
    private bool UnindexWorkingLocked(PaperOrder order)
    {
        _actionableOrders.Remove(order.Number);
        if (RestingLimitOrders.Holds(order))
        {
            _restingOrders.Remove(order);
        }

        return _workingOrders.Remove(order.Number);
    }

    /// <summary>Adds what a working order reserves at its current remaining quantity to the running totals.</summary>
    private void ReserveLocked(PaperOrder order)
    {
        _reservedByLimitBuys += LimitReservation(order);
        if (IsMarketBuy(order))
        {
            _marketBuyQuantityBySymbol[order.Symbol] =
                _marketBuyQuantityBySymbol.GetValueOrDefault(order.Symbol) + order.RemainingQuantity;
        }
    }

    /// <summary>Takes what <see cref="ReserveLocked"/> added back out, before the order's quantities change.</summary>
    private void ReleaseLocked(PaperOrder order)
    {
        _reservedByLimitBuys -= LimitReservation(order);
        if (IsMarketBuy(order))
        {
            var left = _marketBuyQuantityBySymbol.GetValueOrDefault(order.Symbol) - order.RemainingQuantity;
            if (left > 0)
            {
                _marketBuyQuantityBySymbol[order.Symbol] = left;
            }
            else
            {
                _marketBuyQuantityBySymbol.Remove(order.Symbol);
            }
        }
    }

    /// <summary>
    /// Rebuilds the working set and the reservations from the orders in memory, after a failed step put orders
    /// back to their state before the step.
    /// </summary>
    private void RebuildWorkingLocked()
    {
        _workingOrders.Clear();
        _actionableOrders.Clear();
        _restingOrders.Clear();
        _marketBuyQuantityBySymbol.Clear();
        _reservedByLimitBuys = 0m;
        _scanAllOnNextTick = true;
        foreach (var order in _ordersById.Values)
        {
            if (order.IsWorking)
            {
                AddWorkingLocked(order);
            }
        }
    }

    private static bool IsMarketBuy(PaperOrder order) =>
        order is { Side: OrderSide.Buy, Type: OrderType.Market, External: false };

    /// <summary>Returns the remaining notional a limit buy of this gateway reserves, or 0 for other orders.</summary>
    private static decimal LimitReservation(PaperOrder order) =>
        order is { Side: OrderSide.Buy, External: false, LimitPrice: { } limit }
            ? order.RemainingQuantity * limit
            : 0m;

    /// <summary>
    /// Rejects a buy whose notional at the limit price, or at the ask for a market order, exceeds the cash left after
    /// the remaining notional of the working buy orders.
    /// </summary>
    private void CheckBuyingPowerLocked(BrokerOrder order, string symbol)
    {
        if (order.Side != OrderSide.Buy)
        {
            return;
        }

        // Working market buys are summed per symbol, so the check costs one quote lookup per symbol, not per order.
        var reserved = _reservedByLimitBuys;
        foreach (var (workingSymbol, quantity) in _marketBuyQuantityBySymbol)
        {
            // A market buy of a symbol no longer configured reserves nothing; the next step cancels it.
            var ask = _marketData.TryGetQuote(workingSymbol, out var quote) ? quote.Ask : 0m;
            reserved += quantity * ask;
        }

        var orderPrice = order.LimitPrice ?? _marketData.GetQuote(symbol).Ask;
        var notional = order.Quantity * orderPrice;
        var buyingPower = _cash - reserved;
        if (notional > buyingPower)
        {
            throw new BrokerRejectionException(
                BrokerRejectionCode.InsufficientFunds,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The buy of {order.Quantity} {symbol} needs {notional}, but the buying power is {buyingPower} " +
                    $"(cash {_cash} less {reserved} reserved by working buy orders)."));
        }
    }

    /// <summary>
    /// Runs a write of a caller's request against the book. A failed write is reported as the broker being
    /// unavailable, and the request is known not to have taken effect because every write is one transaction.
    /// </summary>
    private static T WriteBook<T>(Func<T> write)
    {
        try
        {
            return write();
        }
        catch (SqliteException ex)
        {
            throw BookUnavailable(ex);
        }
    }

    private static void WriteBook(Action write) => WriteBook(() =>
    {
        write();
        return true;
    });

    private static DependencyUnavailableException BookUnavailable(SqliteException exception) => new(
        DependencyNames.Broker,
        $"The paper broker could not use its book file: {exception.Message}",
        innerException: exception);
}
