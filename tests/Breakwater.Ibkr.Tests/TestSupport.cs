using System.Collections.Concurrent;
using Breakwater.Domain.Brokers;
using Breakwater.IbGatewayEmulator;
using Breakwater.Ibkr.Client;
using Breakwater.Ibkr.Supervision;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Emulator = Breakwater.IbGatewayEmulator.IbGatewayEmulator;

namespace Breakwater.Ibkr.Tests;

/// <summary>
/// Records every update the adapter reports. <see cref="FailFills"/> makes it refuse that many deliveries of updates
/// that carry a fill, the way the order manager does while the journal is down.
/// </summary>
internal sealed class RecordingSink : IBrokerUpdateSink
{
    private readonly ConcurrentQueue<BrokerOrderUpdate> _updates = new();
    private int _fillFailuresLeft;
    private int _refused;

    /// <summary>The updates the sink accepted, in delivery order.</summary>
    public IReadOnlyList<BrokerOrderUpdate> Updates => [.. _updates];

    /// <summary>How many deliveries the sink refused.</summary>
    public int Refused => Volatile.Read(ref _refused);

    public void FailFills(int count) => Volatile.Write(ref _fillFailuresLeft, count);

    public ValueTask OnOrderUpdateAsync(BrokerOrderUpdate update, CancellationToken cancellationToken)
    {
        if (update.Fill is not null && Interlocked.Decrement(ref _fillFailuresLeft) >= 0)
        {
            Interlocked.Increment(ref _refused);
            throw new InvalidOperationException($"The test sink refuses fill {update.Fill.ExecutionId} on purpose.");
        }

        _updates.Enqueue(update);
        return ValueTask.CompletedTask;
    }
}

/// <summary>An emulator, a supervisor and an adapter wired together over loopback.</summary>
internal sealed class AdapterHarness : IAsyncDisposable
{
    private AdapterHarness(Emulator emulator, IbkrConnectionSupervisor supervisor, IbkrBroker broker, RecordingSink sink,
        IbPacer pacer)
    {
        Emulator = emulator;
        Supervisor = supervisor;
        Broker = broker;
        Sink = sink;
        Pacer = pacer;
    }

    public Emulator Emulator { get; }
    public IbkrConnectionSupervisor Supervisor { get; }
    public IbkrBroker Broker { get; }
    public RecordingSink Sink { get; }
    public IbPacer Pacer { get; }

    public static async Task<AdapterHarness> StartAsync(
        TimeProvider? time = null,
        Action<IbkrOptions>? configure = null,
        Action<IbGatewayEmulatorOptions>? configureEmulator = null,
        bool connect = true,
        IIbkrOrderIdFloorSource? floorSource = null)
    {
        var emulatorOptions = new IbGatewayEmulatorOptions { QuoteInterval = TimeSpan.Zero };
        configureEmulator?.Invoke(emulatorOptions);
        var emulator = new Emulator(emulatorOptions);
        await emulator.StartAsync(CancellationToken.None);
        var clock = time ?? TimeProvider.System;
        var options = new IbkrOptions
        {
            Port = emulator.Port,
            ClientId = 7,
            InitialReconnectDelay = TimeSpan.FromMilliseconds(50),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
            RequestTimeout = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(options);
        // The pacer runs on real time: its 20 ms spacing would otherwise stall every test that does not advance the clock.
        var pacer = new IbPacer(TimeProvider.System, new IbPacerOptions { MessagesPerSecond = 50 });
        var supervisor = new IbkrConnectionSupervisor(
            Options.Create(options), pacer, clock, NullLogger<IbkrConnectionSupervisor>.Instance, new Random(1));
        var sink = new RecordingSink();
        var broker = new IbkrBroker(
            supervisor, sink, new IbOrderIdAllocator(), Options.Create(options), clock, NullLogger<IbkrBroker>.Instance,
            floorSource);
        var harness = new AdapterHarness(emulator, supervisor, broker, sink, pacer);
        if (connect)
        {
            await supervisor.StartAsync(CancellationToken.None);
            await harness.WaitUntilAsync(() => supervisor.State.Status == IbkrConnectionStatus.Connected, "connected");
        }

        return harness;
    }

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds, because socket I/O runs on real time even with a fake clock.
    /// </summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, Action? between = null)
    {
        for (var i = 0; i < 1000; i++)
        {
            if (condition())
            {
                return;
            }

            between?.Invoke();
            await Task.Delay(10);
        }

        Assert.Fail($"Timed out waiting until {what}; supervisor state: {Supervisor.State}.");
    }

    public async ValueTask DisposeAsync()
    {
        await Supervisor.DisposeAsync();
        await Broker.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also records the due time of every timer created on it, so a test can wait
/// until the code under test has armed a delay before it moves the clock, instead of sleeping.
/// </summary>
internal sealed class WatchedClock : TimeProvider
{
    private readonly FakeTimeProvider _inner;
    private readonly ConcurrentQueue<TimeSpan> _dueTimes = new();

    public WatchedClock(DateTimeOffset start) => _inner = new FakeTimeProvider(start);

    public WatchedClock() => _inner = new FakeTimeProvider();

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _inner.LocalTimeZone;

    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow();

    public override long GetTimestamp() => _inner.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _inner.CreateTimer(callback, state, dueTime, period);
        _dueTimes.Enqueue(dueTime);
        return timer;
    }

    public void Advance(TimeSpan delta) => _inner.Advance(delta);

    /// <summary>Polls until <paramref name="count"/> timers with <paramref name="dueTime"/> exist, for at most 10 s.</summary>
    public async Task WaitForTimersAsync(TimeSpan dueTime, int count)
    {
        for (var i = 0; i < 1000; i++)
        {
            if (_dueTimes.Count(d => d == dueTime) >= count)
            {
                return;
            }

            await Task.Delay(10);
        }

        Assert.Fail($"Timed out waiting for {count} timers due in {dueTime}; due times seen: "
            + string.Join(", ", _dueTimes) + ".");
    }
}
