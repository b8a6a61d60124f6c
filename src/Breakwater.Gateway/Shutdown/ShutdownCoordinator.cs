using System.Runtime.InteropServices;
using Breakwater.Domain.Lifecycle;
using Breakwater.Domain.Orders;
using Microsoft.Extensions.Options;

namespace Breakwater.Gateway.Shutdown;

/// <summary>
/// Runs the gateway's shutdown sequence once, when the host begins to stop (SIGTERM, SIGINT, SIGQUIT or
/// <c>StopApplication</c>): the lifecycle moves to stopping, the optional drain delay passes, every order that is not
/// final is cancelled and its confirmation awaited, unconfirmed orders are marked in the journal, and the exit code is
/// chosen.
/// </summary>
/// <remarks>
/// <para>
/// The sequence runs in <see cref="StoppingAsync"/>, which the host calls before any hosted service's StopAsync,
/// so the HTTP server still answers readiness and status, in-flight requests finish, and the paper broker's loop
/// still delivers confirmations while the sweep runs.
/// </para>
/// <para>
/// A repeated signal is logged and does not cut the sequence short: the handlers registered here cancel the signal's
/// default action, and the host's own handler only requests the stop that is already under way.
/// </para>
/// </remarks>
public sealed partial class ShutdownCoordinator : IHostedLifecycleService, IDisposable
{
    private readonly GatewayLifecycle _lifecycle;
    private readonly OrderManager _orders;
    private readonly CancelSweep _sweep;
    private readonly ShutdownOptions _options;
    private readonly HostOptions _hostOptions;
    private readonly TimeProvider _time;
    private readonly ILogger<ShutdownCoordinator> _logger;
    private readonly ShutdownExitCodeSink _exitCodeSink;
    private readonly List<PosixSignalRegistration> _signals = [];
    private int _signalCount;
    private int _started;

    public ShutdownCoordinator(
        GatewayLifecycle lifecycle,
        OrderManager orders,
        CancelSweep sweep,
        IOptions<ShutdownOptions> options,
        IOptions<HostOptions> hostOptions,
        TimeProvider timeProvider,
        ILogger<ShutdownCoordinator> logger,
        ShutdownExitCodeSink exitCodeSink)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hostOptions);
        _lifecycle = lifecycle;
        _orders = orders;
        _sweep = sweep;
        _options = options.Value;
        _hostOptions = hostOptions.Value;
        _time = timeProvider;
        _logger = logger;
        _exitCodeSink = exitCodeSink;
    }

    /// <summary>The exit code chosen by the sequence, or null before it finished.</summary>
    public int? ExitCode { get; private set; }

    /// <summary>The result of the sweep, or null before it finished.</summary>
    public CancelSweepResult? SweepResult { get; private set; }

    /// <summary>Number of termination signals received so far.</summary>
    public int SignalCount => Volatile.Read(ref _signalCount);

    /// <summary>
    /// Checks that the host's shutdown timeout leaves room for the sequence, and registers the signal handlers.
    /// </summary>
    /// <exception cref="InvalidOperationException">The host's shutdown timeout is too short.</exception>
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var needed = _options.DrainDelay + _options.CancelTimeout + ShutdownOptions.MinStopMargin;
        if (_hostOptions.ShutdownTimeout < needed)
        {
            throw new InvalidOperationException(
                $"HostOptions.ShutdownTimeout must be at least {ShutdownOptions.SectionName}:" +
                $"{nameof(ShutdownOptions.DrainDelay)} + {nameof(ShutdownOptions.CancelTimeout)} + " +
                $"{ShutdownOptions.MinStopMargin.TotalSeconds:0} s ({needed}), but it is {_hostOptions.ShutdownTimeout}; " +
                $"set {ShutdownOptions.SectionName}:{nameof(ShutdownOptions.HostTimeout)} instead of changing it elsewhere.");
        }

        if (!OperatingSystem.IsWindows())
        {
            foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
            {
                _signals.Add(PosixSignalRegistration.Create(signal, HandleSignal));
            }
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs the shutdown sequence; never throws.</summary>
    public Task StoppingAsync(CancellationToken cancellationToken) => RunAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var registration in _signals)
        {
            registration.Dispose();
        }

        _signals.Clear();
    }

    /// <summary>
    /// Handles SIGTERM, SIGINT and SIGQUIT: logs the signal and cancels its default action, so that a repeated signal
    /// cannot end the process before the sweep finished. The host's own handler requests the stop.
    /// </summary>
    public void HandleSignal(PosixSignalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Cancel = true;
        var count = Interlocked.Increment(ref _signalCount);
        if (count == 1)
        {
            Log.SignalReceived(_logger, context.Signal);
        }
        else
        {
            Log.RepeatedSignal(_logger, context.Signal, count);
        }
    }

    /// <summary>
    /// Runs the sequence once; a second call returns at once. <paramref name="cancellationToken"/> is the host's stop
    /// token, cancelled when <c>HostOptions.ShutdownTimeout</c> passes.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            return;
        }

        var started = _time.GetTimestamp();
        int exitCode;
        try
        {
            _lifecycle.MarkStopping();
            Log.ShutdownStarted(
                _logger, _orders.OpenOrderCount, _options.DrainDelay, _options.CancelTimeout, _options.CancelScope);
            if (_options.DrainDelay > TimeSpan.Zero)
            {
                Log.Draining(_logger, _options.DrainDelay);
                await Task.Delay(_options.DrainDelay, _time, cancellationToken);
            }

            var result = await _sweep.RunAsync(
                new CancelSweepRequest(_options.CancelTimeout, _options.CancelScope), cancellationToken);
            SweepResult = result;
            await MarkUnconfirmedAsync(result);
            exitCode = result.AllConfirmed ? ShutdownExitCodes.Clean : ShutdownExitCodes.CancelsUnconfirmed;
            Log.ShutdownFinished(
                _logger, result.CancelsSent, result.Unconfirmed.Count + result.UnconfirmedAccountOrders.Count,
                _time.GetElapsedTime(started), exitCode);
        }
#pragma warning disable CA1031 // The host must go on stopping; the failure is logged and sets its own exit code.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            exitCode = ShutdownExitCodes.SequenceFailed;
            Log.ShutdownFailed(_logger, _time.GetElapsedTime(started), exitCode, exception);
        }

        ExitCode = exitCode;
        _exitCodeSink.SetExitCode(exitCode);
    }

    private async Task MarkUnconfirmedAsync(CancelSweepResult result)
    {
        foreach (var order in result.Unconfirmed)
        {
            Log.CancelUnconfirmed(_logger, order.Id, order.ClientOrderId, order.BrokerOrderId, order.Status);
        }

        foreach (var state in result.UnconfirmedAccountOrders)
        {
            Log.AccountOrderCancelUnconfirmed(_logger, state.BrokerOrderId, state.ClientOrderId, state.Status);
        }

        if (result.Unconfirmed.Count == 0)
        {
            return;
        }

        // The journal may be down; marking is best effort and must not hold the process past the host's timeout.
        var marking = Task.WhenAll(result.Unconfirmed.Select(order => _orders.MarkCancelUnconfirmedAsync(order.Id)));
        try
        {
            await marking.WaitAsync(_options.JournalTimeout, _time);
        }
        catch (TimeoutException)
        {
            Log.MarkingTimedOut(_logger, result.Unconfirmed.Count, _options.JournalTimeout);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 5000,
            EventName = "ShutdownSignalReceived",
            Level = LogLevel.Information,
            Message = "Received {Signal}; the gateway stops after cancelling its open orders")]
        public static partial void SignalReceived(ILogger logger, PosixSignal signal);

        [LoggerMessage(
            EventId = 5001,
            EventName = "ShutdownSignalRepeated",
            Level = LogLevel.Warning,
            Message = "Received {Signal} again (signal {Count}) during shutdown; the cancel sweep goes on and the " +
                "process exits when it is done")]
        public static partial void RepeatedSignal(ILogger logger, PosixSignal signal, int count);

        [LoggerMessage(
            EventId = 5002,
            EventName = "ShutdownStarted",
            Level = LogLevel.Information,
            Message = "Shutdown started with {OpenOrders} open orders: readiness is 503 and new orders are rejected; " +
                "drain delay {DrainDelay}, cancel timeout {CancelTimeout}, cancel scope {CancelScope}")]
        public static partial void ShutdownStarted(
            ILogger logger, int openOrders, TimeSpan drainDelay, TimeSpan cancelTimeout, ShutdownCancelScope cancelScope);

        [LoggerMessage(
            EventId = 5003,
            EventName = "ShutdownDraining",
            Level = LogLevel.Information,
            Message = "Waiting {DrainDelay} for load balancers to stop routing before cancelling orders")]
        public static partial void Draining(ILogger logger, TimeSpan drainDelay);

        [LoggerMessage(
            EventId = 5004,
            EventName = "ShutdownCancelUnconfirmed",
            Level = LogLevel.Error,
            Message = "Cancel of order {OrderId} ({ClientOrderId}, broker order {BrokerOrderId}, {Status}) was not " +
                "confirmed before the shutdown deadline; the order may still work at the broker")]
        public static partial void CancelUnconfirmed(
            ILogger logger, long orderId, string clientOrderId, string? brokerOrderId, OrderStatus status);

        [LoggerMessage(
            EventId = 5005,
            EventName = "ShutdownAccountOrderCancelUnconfirmed",
            Level = LogLevel.Error,
            Message = "Cancel of untracked broker order {BrokerOrderId} (client order id {ClientOrderId}, {Status}) " +
                "was not confirmed before the shutdown deadline; the order may still work at the broker")]
        public static partial void AccountOrderCancelUnconfirmed(
            ILogger logger, string brokerOrderId, string? clientOrderId, OrderStatus status);

        [LoggerMessage(
            EventId = 5006,
            EventName = "ShutdownMarkingTimedOut",
            Level = LogLevel.Error,
            Message = "Journaling the CancelUnconfirmed mark of {Orders} orders did not finish within {Timeout}; " +
                "the log lines above are the record")]
        public static partial void MarkingTimedOut(ILogger logger, int orders, TimeSpan timeout);

        [LoggerMessage(
            EventId = 5007,
            EventName = "ShutdownFinished",
            Level = LogLevel.Information,
            Message = "Shutdown sequence finished after {Elapsed}: {CancelsSent} cancels accepted, {Unconfirmed} " +
                "orders not confirmed; exit code {ExitCode}")]
        public static partial void ShutdownFinished(
            ILogger logger, int cancelsSent, int unconfirmed, TimeSpan elapsed, int exitCode);

        [LoggerMessage(
            EventId = 5008,
            EventName = "ShutdownFailed",
            Level = LogLevel.Critical,
            Message = "Shutdown sequence failed after {Elapsed}; open orders may still work at the broker; exit code " +
                "{ExitCode}")]
        public static partial void ShutdownFailed(ILogger logger, TimeSpan elapsed, int exitCode, Exception exception);
    }
}

/// <summary>
/// Receives the exit code chosen by the shutdown sequence. The default, <see cref="Process"/>, sets
/// <see cref="Environment.ExitCode"/>, which the process returns once <c>Main</c> ends; in-process test hosts register
/// one that only records it.
/// </summary>
public sealed class ShutdownExitCodeSink(Action<int> setExitCode)
{
    /// <summary>Sets <see cref="Environment.ExitCode"/>.</summary>
    public static ShutdownExitCodeSink Process { get; } = new(exitCode => Environment.ExitCode = exitCode);

    public void SetExitCode(int exitCode) => setExitCode(exitCode);
}
