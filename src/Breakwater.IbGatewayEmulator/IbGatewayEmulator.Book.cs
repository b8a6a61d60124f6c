using System.Globalization;

namespace Breakwater.IbGatewayEmulator;

public sealed partial class IbGatewayEmulator
{
    private const string NoSecurityDefinition = "No security definition has been found for the request";

    internal void HandlePlaceOrder(EmulatorSession session, string[] f)
    {
        // placeOrder at server version 176: orderId #2, symbol #4, secType #5, action #17, totalQuantity #18,
        // orderType #19, lmtPrice #20, tif #22, account #24, orderRef #27 (1-based).
        var orderId = int.Parse(f[1], CultureInfo.InvariantCulture);
        var clientId = session.ClientId!.Value;
        var symbol = f[3];
        var quantity = decimal.Parse(f[17], NumberStyles.Float, CultureInfo.InvariantCulture);
        var orderType = f[18];
        decimal? limit = f[19].Length == 0 ? null : decimal.Parse(f[19], NumberStyles.Float, CultureInfo.InvariantCulture);

        EmulatorOrder order;
        lock (_book)
        {
            if (_orders.TryGetValue(orderId, out var existing) && existing.ClientId == clientId && existing.IsOpen)
            {
                // A placeOrder for a working order of the same client modifies it.
                existing.Quantity = quantity;
                existing.LimitPrice = limit;
                order = existing;
            }
            else
            {
                var highest = _highestIdByClient.GetValueOrDefault(clientId, 0);
                if (_orders.ContainsKey(orderId) || orderId <= highest)
                {
                    session.Send(EmulatorMessages.Error(orderId, 103, "Duplicate order id"));
                    return;
                }

                _highestIdByClient[clientId] = orderId;
                _nextValidId = Math.Max(_nextValidId, orderId + 1L);
                if (_options.UnknownSymbols.Contains(symbol) || f[4] != "STK")
                {
                    session.Send(EmulatorMessages.Error(orderId, 200, NoSecurityDefinition));
                    return;
                }

                if (_rejectReason is { } reason)
                {
                    session.Send(EmulatorMessages.Error(orderId, 201, "Order rejected - reason:" + reason));
                    return;
                }

                order = new EmulatorOrder
                {
                    OrderId = orderId,
                    ClientId = clientId,
                    PermId = _nextPermId++,
                    Symbol = symbol,
                    Action = f[16],
                    Quantity = quantity,
                    OrderType = orderType,
                    LimitPrice = limit,
                    TimeInForce = f[21].Length == 0 ? "DAY" : f[21],
                    Account = f[23].Length == 0 ? _options.Account : f[23],
                    OrderRef = f[26],
                };
                _orders[orderId] = order;
                PriceLocked(symbol);
            }
        }

        session.Send(EmulatorMessages.OpenOrder(order));
        session.Send(EmulatorMessages.OrderStatus(order));
        if (orderType == "MKT")
        {
            Fill(order, GetPrice(symbol));
        }
        else
        {
            CrossRestingOrders(symbol);
        }
    }

    internal void HandleCancelOrder(EmulatorSession session, string[] f)
    {
        var orderId = int.Parse(f[2], CultureInfo.InvariantCulture);
        EmulatorOrder? order;
        lock (_book)
        {
            _orders.TryGetValue(orderId, out order);
            if (order is null || order.ClientId != session.ClientId)
            {
                session.Send(EmulatorMessages.Error(
                    orderId, 10147, $"OrderId {orderId} that needs to be cancelled is not found."));
                return;
            }

            if (order.Status == "Inactive")
            {
                session.Send(EmulatorMessages.Error(
                    orderId,
                    161,
                    $"Cancel attempted when order is not in a cancellable state. Order permId ={order.PermId}"));
                return;
            }

            if (!order.IsOpen)
            {
                session.Send(EmulatorMessages.Error(
                    orderId,
                    10148,
                    $"OrderId {orderId} that needs to be cancelled cannot be cancelled, state: {order.Status}."));
                return;
            }

            order.Status = "Cancelled";
        }

        session.Send(EmulatorMessages.OrderStatus(order));
        session.Send(EmulatorMessages.Error(orderId, 202, "Order Canceled - reason:"));
    }

    internal void HandleGlobalCancel()
    {
        List<EmulatorOrder> cancelled;
        lock (_book)
        {
            cancelled = [.. _orders.Values.Where(o => o.IsOpen)];
            foreach (var order in cancelled)
            {
                order.Status = "Cancelled";
            }
        }

        foreach (var order in cancelled)
        {
            var session = FindSession(order.ClientId);
            session?.Send(EmulatorMessages.OrderStatus(order));
            session?.Send(EmulatorMessages.Error(order.OrderId, 202, "Order Canceled - reason:"));
        }
    }

    internal void HandleOpenOrders(EmulatorSession session, bool allClients)
    {
        List<string[]> messages = [];
        lock (_book)
        {
            foreach (var order in _orders.Values.Where(o => o.IsOpen && (allClients || o.ClientId == session.ClientId)))
            {
                messages.Add(EmulatorMessages.OpenOrder(order));
                messages.Add(EmulatorMessages.OrderStatus(order));
            }
        }

        messages.Add(EmulatorMessages.OpenOrderEnd());
        session.Send(messages);
    }

    internal void HandleExecutions(EmulatorSession session, string[] f)
    {
        var requestId = int.Parse(f[2], CultureInfo.InvariantCulture);
        List<string[]> messages = [];
        lock (_book)
        {
            foreach (var execution in _executions)
            {
                messages.Add(EmulatorMessages.ExecDetails(requestId, execution));
                messages.Add(EmulatorMessages.CommissionReport(execution.ExecId));
            }
        }

        messages.Add(EmulatorMessages.ExecDetailsEnd(requestId));
        session.Send(messages);
    }

    internal void HandlePositions(EmulatorSession session)
    {
        List<string[]> messages = [];
        lock (_book)
        {
            foreach (var (symbol, position) in _positions)
            {
                var average = position.Quantity == 0 ? 0 : position.Cost / position.Quantity;
                messages.Add(EmulatorMessages.Position(_options.Account, symbol, position.Quantity, average));
            }
        }

        messages.Add(EmulatorMessages.PositionEnd());
        session.Send(messages);
    }

    internal void HandleMarketData(EmulatorSession session, string[] f)
    {
        // reqMktData at server version 176: reqId #3, symbol #5, secType #6, snapshot #18 (1-based).
        var requestId = int.Parse(f[2], CultureInfo.InvariantCulture);
        var symbol = f[4];
        var snapshot = f[17] == "1";
        if (_options.UnknownSymbols.Contains(symbol) || f[5] != "STK")
        {
            session.Send(EmulatorMessages.Error(requestId, 200, NoSecurityDefinition));
            return;
        }

        List<string[]> messages = [EmulatorMessages.MarketDataType(requestId)];
        messages.AddRange(QuoteTicks(requestId, GetPrice(symbol)));
        if (snapshot)
        {
            messages.Add(EmulatorMessages.TickSnapshotEnd(requestId));
        }
        else
        {
            session.Subscribe(requestId, symbol);
        }

        session.Send(messages);
    }

    private static IEnumerable<string[]> QuoteTicks(int requestId, decimal price)
    {
        yield return EmulatorMessages.TickPrice(requestId, 1, price - 0.01m, 100);
        yield return EmulatorMessages.TickPrice(requestId, 2, price + 0.01m, 100);
        yield return EmulatorMessages.TickPrice(requestId, 4, price, 10);
        yield return EmulatorMessages.TickSize(requestId, 8, 1000);
    }

    private void StepWalk()
    {
        string[] symbols;
        lock (_book)
        {
            symbols = [.. _prices.Keys];
            foreach (var symbol in symbols)
            {
                var step = (decimal)(_random.NextDouble() - 0.5) * 0.2m;
                _prices[symbol] = Math.Max(0.01m, Math.Round(_prices[symbol] + step, 2));
            }
        }

        foreach (var symbol in symbols)
        {
            CrossRestingOrders(symbol);
        }

        if (_silent)
        {
            return;
        }

        foreach (var session in Snapshot())
        {
            foreach (var (requestId, symbol) in session.Subscriptions)
            {
                session.Send([.. QuoteTicks(requestId, GetPrice(symbol))]);
            }
        }
    }

    private void CrossRestingOrders(string symbol)
    {
        List<EmulatorOrder> crossed;
        decimal price;
        lock (_book)
        {
            price = PriceLocked(symbol);
            crossed =
            [
                .. _orders.Values.Where(o =>
                    o.IsOpen && o.Symbol == symbol && o.LimitPrice is { } limit
                    && (o.Action == "BUY" ? price <= limit : price >= limit)),
            ];
        }

        foreach (var order in crossed)
        {
            Fill(order, order.LimitPrice!.Value);
        }
    }

    private void Fill(EmulatorOrder order, decimal price)
    {
        EmulatorExecution execution;
        lock (_book)
        {
            if (!order.IsOpen || order.Remaining <= 0)
            {
                return;
            }

            var shares = order.Remaining;
            order.AverageFillPrice = ((order.AverageFillPrice * order.Filled) + (price * shares)) / (order.Filled + shares);
            order.Filled += shares;
            order.LastFillPrice = price;
            order.Status = "Filled";
            var signed = order.Action == "BUY" ? shares : -shares;
            var position = _positions.GetValueOrDefault(order.Symbol);
            _positions[order.Symbol] = (position.Quantity + signed, position.Cost + (signed * price));
            execution = new EmulatorExecution(
                $"0000e9b5.{order.PermId:x8}.{++_execCounter:d2}.01",
                order.OrderId,
                order.ClientId,
                order.PermId,
                order.Symbol,
                order.Action == "BUY" ? "BOT" : "SLD",
                shares,
                price,
                order.Filled,
                order.AverageFillPrice,
                order.OrderRef,
                order.Account,
                _time.GetUtcNow());
            _executions.Add(execution);
        }

        var session = FindSession(order.ClientId);
        session?.Send(
        [
            EmulatorMessages.ExecDetails(-1, execution),
            EmulatorMessages.OpenOrder(order),
            EmulatorMessages.OrderStatus(order),
            EmulatorMessages.CommissionReport(execution.ExecId),
        ]);
    }

    private decimal PriceLocked(string symbol)
    {
        if (!_prices.TryGetValue(symbol, out var price))
        {
            price = _options.StartPrice;
            _prices[symbol] = price;
        }

        return price;
    }
}
