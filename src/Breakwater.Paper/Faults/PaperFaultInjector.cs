using Breakwater.Domain.Dependencies;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Breakwater.Paper.Faults;

/// <summary>What a fault does to the calls of its target.</summary>
public enum PaperFaultMode
{
    /// <summary>Calls behave normally.</summary>
    None,

    /// <summary>Calls fail at once with <see cref="DependencyUnavailableException"/> wrapping an IOException.</summary>
    Down,

    /// <summary>Calls wait until the caller cancels them or the fault is changed.</summary>
    Hang,

    /// <summary>A seeded fraction <see cref="PaperFault.Rate"/> of the calls fail like <see cref="Down"/>.</summary>
    Errors,

    /// <summary>Calls are delayed by <see cref="PaperFault.Latency"/> on the injected TimeProvider.</summary>
    Slow,
}

/// <summary>The dependency a fault applies to; the names match <see cref="DependencyNames"/>.</summary>
public enum PaperFaultTarget
{
    /// <summary>Every call of the paper broker: place, cancel, queries and ping.</summary>
    Broker,

    /// <summary>Every quote request of the simulated market data.</summary>
    MarketData,
}

/// <summary>The fault set for one target.</summary>
/// <param name="Rate">Fraction of failing calls in <see cref="PaperFaultMode.Errors"/> mode, 0 to 1.</param>
/// <param name="Latency">Added delay in <see cref="PaperFaultMode.Slow"/> mode.</param>
public sealed record PaperFault(PaperFaultMode Mode, double Rate = 0, TimeSpan Latency = default)
{
    /// <summary>No fault.</summary>
    public static PaperFault None { get; } = new(PaperFaultMode.None);
}

/// <summary>
/// Makes the paper broker and the simulated market data fail on demand, for demos and tests.
/// </summary>
/// <remarks>
/// One instance is shared by the broker and the feed. Faults start as <see cref="PaperFaultMode.None"/>. The
/// <see cref="PaperFaultMode.Errors"/> mode draws from a generator seeded with <see cref="PaperBrokerOptions.Seed"/>,
/// which is reset each time the fault is set, so a given sequence of calls fails the same way every run.
/// All members are thread-safe.
/// </remarks>
public sealed partial class PaperFaultInjector
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<PaperFaultInjector> _logger;
    private readonly int _seed;
    private readonly TargetState _broker;
    private readonly TargetState _marketData;

    public PaperFaultInjector(
        IOptions<PaperBrokerOptions> options,
        TimeProvider timeProvider,
        ILogger<PaperFaultInjector> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _timeProvider = timeProvider;
        _logger = logger;
        _seed = options.Value.Seed;
        _broker = new TargetState(_seed);
        _marketData = new TargetState(_seed);
    }

    /// <summary>Raised after a fault changed, outside any lock; the broker uses it to resume update delivery.</summary>
    public event EventHandler? FaultChanged;

    /// <summary>Returns the fault currently set for <paramref name="target"/>.</summary>
    public PaperFault GetFault(PaperFaultTarget target)
    {
        lock (_gate)
        {
            return State(target).Fault;
        }
    }

    /// <summary>
    /// Sets the fault of <paramref name="target"/>. Calls waiting in <see cref="PaperFaultMode.Hang"/> mode are
    /// released and apply the new fault.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is outside 0 to 1 or the latency is negative.</exception>
    public void SetFault(PaperFaultTarget target, PaperFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        if (!(fault.Rate >= 0 && fault.Rate <= 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(fault),
                fault.Rate,
                $"The fault rate must be between 0 and 1, but it is {fault.Rate}.");
        }

        if (fault.Latency < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(fault),
                fault.Latency,
                $"The fault latency must not be negative, but it is {fault.Latency}.");
        }

        TaskCompletionSource released;
        lock (_gate)
        {
            var state = State(target);
            state.Fault = fault;
            state.Random = new Random(_seed);
            released = state.HangReleased;
            state.HangReleased = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        released.TrySetResult();
        Log.FaultSet(_logger, TargetName(target), fault.Mode, fault.Rate, fault.Latency.TotalMilliseconds);
        FaultChanged?.Invoke(this, EventArgs.Empty);
    }

    /// <summary>Returns whether the target is unreachable, so that the broker holds its updates back.</summary>
    internal bool IsDisconnected(PaperFaultTarget target)
    {
        lock (_gate)
        {
            return State(target).Fault.Mode is PaperFaultMode.Down or PaperFaultMode.Hang;
        }
    }

    /// <summary>
    /// Applies the target's fault to one call: returns at once, after the latency, or never until
    /// <paramref name="cancellationToken"/> is cancelled; or throws <see cref="DependencyUnavailableException"/>.
    /// </summary>
    internal async ValueTask ApplyAsync(PaperFaultTarget target, string operation, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            PaperFault fault;
            Task hangReleased;
            bool fail;
            lock (_gate)
            {
                var state = State(target);
                fault = state.Fault;
                hangReleased = state.HangReleased.Task;
                fail = fault.Mode == PaperFaultMode.Down
                    || (fault.Mode == PaperFaultMode.Errors && state.Random.NextDouble() < fault.Rate);
            }

            switch (fault.Mode)
            {
                case PaperFaultMode.None:
                    return;
                case PaperFaultMode.Slow:
                    await Task.Delay(fault.Latency, _timeProvider, cancellationToken);
                    return;
                case PaperFaultMode.Hang:
                    // Waits for the caller's token or a fault change, then applies whatever fault is set by then.
                    await hangReleased.WaitAsync(cancellationToken);
                    continue;
                case PaperFaultMode.Down or PaperFaultMode.Errors when fail:
                    throw CreateFailure(target, operation, fault.Mode);
                default:
                    return;
            }
        }
    }

    private static DependencyUnavailableException CreateFailure(
        PaperFaultTarget target,
        string operation,
        PaperFaultMode mode)
    {
        var name = TargetName(target);
        var transport = new IOException($"The connection to the paper {name} was refused.");
        return new DependencyUnavailableException(
            name,
            $"The paper {name} call {operation} failed because fault injection set the {name} to '{ModeName(mode)}'.",
            innerException: transport);
    }

    /// <summary>Returns the wire name of a target, which is also its <see cref="DependencyNames"/> entry.</summary>
    public static string TargetName(PaperFaultTarget target) => target switch
    {
        PaperFaultTarget.Broker => DependencyNames.Broker,
        PaperFaultTarget.MarketData => DependencyNames.MarketData,
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, "The fault target is unknown."),
    };

    /// <summary>Returns the wire name of a mode: none, down, hang, errors or slow.</summary>
    public static string ModeName(PaperFaultMode mode) => mode switch
    {
        PaperFaultMode.None => "none",
        PaperFaultMode.Down => "down",
        PaperFaultMode.Hang => "hang",
        PaperFaultMode.Errors => "errors",
        PaperFaultMode.Slow => "slow",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "The fault mode is unknown."),
    };

    private TargetState State(PaperFaultTarget target) =>
        target == PaperFaultTarget.Broker ? _broker : _marketData;

    private sealed class TargetState(int seed)
    {
        public PaperFault Fault { get; set; } = PaperFault.None;

        public Random Random { get; set; } = new(seed);

        public TaskCompletionSource HangReleased { get; set; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 4100,
            EventName = "PaperFaultSet",
            Level = LogLevel.Warning,
            Message = "Paper fault for {Target} set to {Mode} (rate {Rate}, latency {LatencyMs} ms)")]
        public static partial void FaultSet(
            ILogger logger,
            string target,
            PaperFaultMode mode,
            double rate,
            double latencyMs);
    }
}
