using Breakwater.Domain.Brokers;
using Breakwater.Domain.Orders;

namespace Breakwater.Gateway.Shutdown;

/// <summary>What one sweep cancels and how long it may take.</summary>
/// <param name="Timeout">Time from the start of the sweep after which unconfirmed cancels are given up.</param>
/// <param name="Scope">
/// <see cref="ShutdownCancelScope.Account"/> also cancels broker orders that the order manager does not track.
/// </param>
/// <param name="Filter">Selects the tracked open orders to cancel; null selects all of them.</param>
/// <param name="WaitForInFlightSubmits">
/// True to keep scanning until no submit is in flight, so that orders acknowledged during the sweep are cancelled too.
/// </param>
public sealed record CancelSweepRequest(
    TimeSpan Timeout,
    ShutdownCancelScope Scope = ShutdownCancelScope.Gateway,
    Func<Order, bool>? Filter = null,
    bool WaitForInFlightSubmits = true);

/// <summary>The outcome of a sweep.</summary>
/// <param name="CancelsSent">Cancel requests the broker accepted, counting repeats.</param>
/// <param name="Unconfirmed">Tracked orders still open when the sweep ended.</param>
/// <param name="UnconfirmedAccountOrders">Untracked broker orders (account scope) still working when it ended.</param>
/// <param name="Elapsed">Duration of the sweep, measured with the injected TimeProvider.</param>
public sealed record CancelSweepResult(
    int CancelsSent,
    IReadOnlyList<Order> Unconfirmed,
    IReadOnlyList<BrokerOrderState> UnconfirmedAccountOrders,
    TimeSpan Elapsed)
{
    /// <summary>True when every selected order was confirmed final.</summary>
    public bool AllConfirmed => Unconfirmed.Count == 0 && UnconfirmedAccountOrders.Count == 0;
}

/// <summary>
/// Cancels open orders at the broker until each one is confirmed final (the broker's Cancelled or Filled update
/// journaled) or the timeout passes. Used by the shutdown sequence and by the start-up reconciliation.
/// </summary>
/// <remarks>
/// <para>
/// The sweep lists the open orders every <see cref="ShutdownOptions.ScanInterval"/>, and at once when an order
/// becomes final, so orders acknowledged while it runs are included. At most
/// <see cref="ShutdownOptions.MaxConcurrentCancels"/> cancels are in flight; the broker adapter paces them to its
/// message rate (the paper broker's <c>MaxMessagesPerSecond</c>, the IBKR client's pacer), so the sweep adds no
/// rate limiter of its own. A cancel that fails or gets no answer within
/// <see cref="ShutdownOptions.CancelAttemptTimeout"/> is sent again after an exponential backoff, because a repeated
/// cancel is harmless; one the broker accepted but did not confirm within that time is sent again too.
/// </para>
/// <para>
/// Cancels go to the broker before anything is journaled, so the sweep works while the journal is down; an order
/// counts as confirmed only once its final status is journaled. Not thread safe: run one sweep at a time.
/// </para>
/// </remarks>
public sealed partial class CancelSweep
{
    private readonly OrderManager _orders;
    private readonly IBroker _broker;
    private readonly ShutdownOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<CancelSweep> _logger;
    private int _cancelsSent;

    public CancelSweep(
        OrderManager orders,
        IBroker broker,
        ShutdownOptions options,
        TimeProvider timeProvider,
        ILogger<CancelSweep> logger)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _orders = orders;
        _broker = broker;
        _options = options;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>
    /// Runs the sweep. Returns when every selected order is final, when <see cref="CancelSweepRequest.Timeout"/>
    /// passed or when <paramref name="cancellationToken"/> is cancelled; never throws for a broker or journal failure.
    /// </summary>
    public async Task<CancelSweepResult> RunAsync(CancelSweepRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = _time.GetTimestamp();
        Interlocked.Exchange(ref _cancelsSent, 0);
        using var deadline = new CancellationTokenSource(request.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        var token = linked.Token;
        using var slots = new SemaphoreSlim(_options.MaxConcurrentCancels, _options.MaxConcurrentCancels);
        var cancels = new Dictionary<long, Task<long?>>();
        var accountOrders = new Dictionary<string, AccountOrderCancel>(StringComparer.Ordinal);
        var accountClear = request.Scope != ShutdownCancelScope.Account;
        var nextAccountScan = started;
        var accountScanTicks = (long)(_options.AccountScanInterval.TotalSeconds * _time.TimestampFrequency);
        var wake = NewSignal();
        void OnFinalized(Order order) => Volatile.Read(ref wake).TrySetResult();
        _orders.OrderFinalized += OnFinalized;
        try
        {
            var quietScans = 0;
            while (!token.IsCancellationRequested)
            {
                var signal = Volatile.Read(ref wake);
                var open = SelectOpen(request);
                foreach (var order in open)
                {
                    if (ShouldSend(order, cancels))
                    {
                        cancels[order.Id] = SendWithRetryAsync(
                            order.Id, order.ClientOrderId, order.BrokerOrderId, () => _orders.IsOpen(order.Id),
                            ct => _orders.CancelAsync(order.Id, ct), slots, token);
                    }
                }

                if (request.Scope == ShutdownCancelScope.Account && _time.GetTimestamp() >= nextAccountScan)
                {
                    accountClear = await ScanAccountAsync(open, accountOrders, slots, token);
                    nextAccountScan = _time.GetTimestamp() + accountScanTicks;
                }

                var inFlight = request.WaitForInFlightSubmits ? _orders.InFlightSubmitCount : 0;
                if (open.Count == 0 && inFlight == 0 && accountClear)
                {
                    // A second empty scan one interval later catches a submit that passed the lifecycle check just
                    // before the gateway began stopping and had not registered as in flight yet.
                    if (++quietScans >= 2)
                    {
                        break;
                    }
                }
                else
                {
                    quietScans = 0;
                }

                await WaitForChangeAsync(signal.Task, token);
                Interlocked.CompareExchange(ref wake, NewSignal(), signal);
            }
        }
        finally
        {
            _orders.OrderFinalized -= OnFinalized;
        }

        // Every send loop ends once the token is cancelled or its order is final; wait so no cancel outlives the sweep.
        await Task.WhenAll(cancels.Values.Concat(accountOrders.Values.Select(cancel => cancel.Send)));
        var unconfirmed = SelectOpen(request);
        var unconfirmedAccount = accountOrders.Values.Where(cancel => !cancel.Confirmed).Select(cancel => cancel.State)
            .ToList();
        var elapsed = _time.GetElapsedTime(started);
        Log.SweepFinished(_logger, Volatile.Read(ref _cancelsSent), unconfirmed.Count, unconfirmedAccount.Count, elapsed);
        return new CancelSweepResult(Volatile.Read(ref _cancelsSent), unconfirmed, unconfirmedAccount, elapsed);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private List<Order> SelectOpen(CancelSweepRequest request) =>
        request.Filter is null ? [.. _orders.GetOpenOrders()] : [.. _orders.GetOpenOrders().Where(request.Filter)];

    private bool ShouldSend(Order order, Dictionary<long, Task<long?>> cancels)
    {
        if (order.Status == OrderStatus.PendingSubmit && order.BrokerOrderId is null && _orders.InFlightSubmitCount > 0)
        {
            // The place may still be on its way to the broker, which would reject a cancel it cannot match yet.
            return false;
        }

        if (!cancels.TryGetValue(order.Id, out var previous))
        {
            return true;
        }

        // A cancel the broker accepted but has not confirmed within the attempt timeout is sent again.
        return previous.IsCompletedSuccessfully
            && previous.Result is { } acceptedAt
            && _time.GetElapsedTime(acceptedAt) >= _options.CancelAttemptTimeout;
    }

    private async Task WaitForChangeAsync(Task finalized, CancellationToken token)
    {
        try
        {
            await Task.WhenAny(finalized, Task.Delay(_options.ScanInterval, _time, token));
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The deadline passed; the loop condition ends the sweep.
        }
    }

    /// <summary>
    /// Lists every working order on the account and cancels those the order manager does not track. Returns true when
    /// the listing succeeded and showed no such order.
    /// </summary>
    private async Task<bool> ScanAccountAsync(
        List<Order> open,
        Dictionary<string, AccountOrderCancel> accountOrders,
        SemaphoreSlim slots,
        CancellationToken token)
    {
        IReadOnlyList<BrokerOrderState> working;
        try
        {
            using var attempt = new CancellationTokenSource(_options.CancelAttemptTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, attempt.Token);
            working = await _broker.GetOpenOrdersAsync(OpenOrderScope.Account, linked.Token).WaitAsync(linked.Token);
        }
#pragma warning disable CA1031 // A failed listing is retried on the next scan and must not end the sweep.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            if (!token.IsCancellationRequested)
            {
                Log.AccountListingFailed(_logger, exception);
            }

            return false;
        }

        var trackedBrokerIds = open.Select(order => order.BrokerOrderId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var trackedClientIds = open.Select(order => order.ClientOrderId).ToHashSet(StringComparer.Ordinal);
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var state in working)
        {
            if (trackedBrokerIds.Contains(state.BrokerOrderId)
                || (state.ClientOrderId is { } clientOrderId && trackedClientIds.Contains(clientOrderId)))
            {
                continue;
            }

            listed.Add(state.BrokerOrderId);
            if (!accountOrders.TryGetValue(state.BrokerOrderId, out var cancel))
            {
                Log.AccountOrderFound(_logger, state.BrokerOrderId, state.ClientOrderId, state.Symbol, state.Status);
                cancel = new AccountOrderCancel(state);
                accountOrders[state.BrokerOrderId] = cancel;
            }
            else if (!(cancel.Send.IsCompletedSuccessfully
                && cancel.Send.Result is { } acceptedAt
                && _time.GetElapsedTime(acceptedAt) >= _options.CancelAttemptTimeout))
            {
                continue;
            }

            var reference = new BrokerOrderReference(0, state.ClientOrderId ?? string.Empty, state.BrokerOrderId);
            cancel.Send = SendWithRetryAsync(
                0, state.ClientOrderId ?? string.Empty, state.BrokerOrderId, () => !cancel.Confirmed,
                ct => _broker.CancelOrderAsync(reference, ct), slots, token);
        }

        foreach (var cancel in accountOrders.Values)
        {
            cancel.Confirmed = !listed.Contains(cancel.State.BrokerOrderId);
        }

        return listed.Count == 0;
    }

    /// <summary>
    /// Sends one cancel, retrying with exponential backoff until the broker accepts it, the order turns out to be
    /// final, or <paramref name="token"/> is cancelled. Returns the timestamp at which the broker accepted it, or null.
    /// Never throws.
    /// </summary>
    private async Task<long?> SendWithRetryAsync(
        long orderId,
        string clientOrderId,
        string? brokerOrderId,
        Func<bool> isOpen,
        Func<CancellationToken, Task> send,
        SemaphoreSlim slots,
        CancellationToken token)
    {
        var delay = _options.CancelRetryInitialDelay;
        for (var attempt = 1; ; attempt++)
        {
            if (!isOpen() || token.IsCancellationRequested)
            {
                return null;
            }

            Exception failure;
            var unknownToBroker = false;
            try
            {
                await slots.WaitAsync(token);
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            try
            {
                using var attemptTimeout = new CancellationTokenSource(_options.CancelAttemptTimeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, attemptTimeout.Token);
                // WaitAsync abandons a broker call that ignores its token, so a stuck adapter cannot stall the sweep.
                await send(linked.Token).WaitAsync(linked.Token);
                Interlocked.Increment(ref _cancelsSent);
                Log.CancelSent(_logger, orderId, clientOrderId, brokerOrderId, attempt);
                return _time.GetTimestamp();
            }
            catch (Exception exception) when (IsAlreadyFinal(exception))
            {
                return null;
            }
            catch (OrderConflictException conflict) when (IsUnknownToBroker(conflict))
            {
                unknownToBroker = true;
                failure = conflict;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return null;
            }
#pragma warning disable CA1031 // Any other failure is retried: a failed cancel must never end the sweep.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                failure = exception;
            }
            finally
            {
                slots.Release();
            }

            if (unknownToBroker)
            {
                await ResolveUnknownToBrokerAsync(orderId, clientOrderId, brokerOrderId, failure, token);
                return null;
            }

            Log.CancelAttemptFailed(_logger, orderId, clientOrderId, brokerOrderId, attempt, delay, failure);
            try
            {
                await Task.Delay(delay, _time, token);
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.CancelRetryMaxDelay.Ticks));
        }
    }

    private static bool IsAlreadyFinal(Exception exception) => exception switch
    {
        OrderConflictException conflict => conflict.Kind == OrderConflictKind.AlreadyFinal,
        OrderNotFoundException => true,
        BrokerRejectionException rejection => rejection.Code is BrokerRejectionCode.OrderAlreadyFinal
            or BrokerRejectionCode.OrderNotFound,
        _ => false,
    };

    /// <summary>A cancel of a broker order that the order manager does not track (account scope).</summary>
    private sealed class AccountOrderCancel(BrokerOrderState state)
    {
        public BrokerOrderState State { get; } = state;

        public Task<long?> Send { get; set; } = Task.FromResult<long?>(null);

        /// <summary>True once a listing no longer shows the order as working.</summary>
        public bool Confirmed { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 5010,
            EventName = "ShutdownCancelSent",
            Level = LogLevel.Debug,
            Message = "Cancel of order {OrderId} ({ClientOrderId}, broker order {BrokerOrderId}) accepted by the broker " +
                "on attempt {Attempt}")]
        public static partial void CancelSent(
            ILogger logger, long orderId, string clientOrderId, string? brokerOrderId, int attempt);

        [LoggerMessage(
            EventId = 5011,
            EventName = "ShutdownCancelAttemptFailed",
            Level = LogLevel.Warning,
            Message = "Cancel of order {OrderId} ({ClientOrderId}, broker order {BrokerOrderId}) failed on attempt " +
                "{Attempt}; retrying in {Delay}")]
        public static partial void CancelAttemptFailed(
            ILogger logger, long orderId, string clientOrderId, string? brokerOrderId, int attempt, TimeSpan delay,
            Exception exception);

        [LoggerMessage(
            EventId = 5012,
            EventName = "ShutdownAccountOrderFound",
            Level = LogLevel.Warning,
            Message = "Broker order {BrokerOrderId} (client order id {ClientOrderId}, {Symbol}, {Status}) is not " +
                "tracked by this gateway; cancelling it because the cancel scope is account")]
        public static partial void AccountOrderFound(
            ILogger logger, string brokerOrderId, string? clientOrderId, string symbol, OrderStatus status);

        [LoggerMessage(
            EventId = 5013,
            EventName = "ShutdownAccountListingFailed",
            Level = LogLevel.Warning,
            Message = "Listing the account's open orders failed; trying again on the next scan")]
        public static partial void AccountListingFailed(ILogger logger, Exception exception);

        [LoggerMessage(
            EventId = 5014,
            EventName = "CancelSweepFinished",
            Level = LogLevel.Information,
            Message = "Cancel sweep finished after {Elapsed}: {CancelsSent} cancels accepted, {Unconfirmed} orders " +
                "and {UnconfirmedAccountOrders} untracked account orders not confirmed")]
        public static partial void SweepFinished(
            ILogger logger, int cancelsSent, int unconfirmed, int unconfirmedAccountOrders, TimeSpan elapsed);
    }
}
