namespace Breakwater.Ibkr.Client;

/// <summary>
/// Spaces outgoing messages so that no more than <see cref="IbPacerOptions.MessagesPerSecond"/> leave per second,
/// IBKR's limit for API clients (50 with the default 100 market-data lines). Error 100 (pacing exceeded) calls
/// <see cref="SlowDown"/>, which lowers the rate for <see cref="IbPacerOptions.SlowdownDuration"/>.
/// </summary>
/// <remarks>
/// Uses strict spacing (one message every 1/rate seconds) measured with the injected <see cref="TimeProvider"/>'s
/// monotonic timestamps, so at most rate messages fall in any one-second window. Thread-safe.
/// </remarks>
public sealed class IbPacer
{
    private readonly TimeProvider _time;
    private readonly IbPacerOptions _options;
    private readonly long _origin;
    private readonly Lock _gate = new();
    private TimeSpan _nextSlot;
    private TimeSpan _slowUntil;
    private double _slowRate;

    public IbPacer(TimeProvider time, IbPacerOptions options)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MessagesPerSecond is <= 0 or > 1000)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                $"{nameof(IbPacerOptions.MessagesPerSecond)} must be between 1 and 1000; it is {options.MessagesPerSecond}.");
        }

        _time = time;
        _options = options;
        _origin = time.GetTimestamp();
    }

    /// <summary>The rate in force now, in messages per second.</summary>
    public double CurrentRate
    {
        get
        {
            lock (_gate)
            {
                return RateLocked(Now());
            }
        }
    }

    /// <summary>Waits until the next message may be sent and reserves that slot.</summary>
    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        TimeSpan delay;
        lock (_gate)
        {
            var now = Now();
            var slot = _nextSlot > now ? _nextSlot : now;
            _nextSlot = slot + TimeSpan.FromSeconds(1 / RateLocked(now));
            delay = slot - now;
        }

        return delay <= TimeSpan.Zero ? ValueTask.CompletedTask : new ValueTask(Task.Delay(delay, _time, cancellationToken));
    }

    /// <summary>
    /// Lowers the rate by <see cref="IbPacerOptions.SlowdownFactor"/> (repeatedly, down to one message per second) for
    /// <see cref="IbPacerOptions.SlowdownDuration"/> from now.
    /// </summary>
    public void SlowDown()
    {
        lock (_gate)
        {
            var now = Now();
            _slowRate = Math.Max(1, RateLocked(now) * _options.SlowdownFactor);
            _slowUntil = now + _options.SlowdownDuration;
        }
    }

    private double RateLocked(TimeSpan now) => now < _slowUntil ? _slowRate : _options.MessagesPerSecond;

    private TimeSpan Now() => _time.GetElapsedTime(_origin);
}

/// <summary>Settings of <see cref="IbPacer"/>.</summary>
public sealed class IbPacerOptions
{
    /// <summary>Messages per second while no slowdown is in force. Default 45, under IBKR's 50; valid 1 to 1000.</summary>
    public double MessagesPerSecond { get; set; } = 45;

    /// <summary>The factor applied to the rate on error 100. Default 0.5; valid above 0 and below 1.</summary>
    public double SlowdownFactor { get; set; } = 0.5;

    /// <summary>How long a slowdown lasts after the last error 100. Default one minute.</summary>
    public TimeSpan SlowdownDuration { get; set; } = TimeSpan.FromMinutes(1);
}
