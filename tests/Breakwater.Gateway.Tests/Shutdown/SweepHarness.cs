using System.Collections.Concurrent;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.Lifecycle;
using Breakwater.Domain.Orders;
using Breakwater.Gateway.Shutdown;
using Breakwater.Tests.Doubles;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Breakwater.Gateway.Tests.Shutdown;

/// <summary>
/// A real <see cref="OrderManager"/> over the in-memory journal and the scriptable broker, with a fake clock, for the
/// shutdown sequencing tests.
/// </summary>
internal sealed class SweepHarness
{
    private SweepHarness(ShutdownOptions options)
    {
        Options = options;
        Orders = new OrderManager(Journal, Broker, Lifecycle, Time, NullLogger<OrderManager>.Instance);
        Broker.Sink = Orders;
        Sweep = new CancelSweep(Orders, Broker, options, Time, SweepLog);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 4, 15, 0, 0, TimeSpan.Zero));

    public InMemoryOrderJournal Journal { get; } = new();

    public FakeBroker Broker { get; } = new();

    public GatewayLifecycle Lifecycle { get; } = new();

    public ShutdownOptions Options { get; }

    public OrderManager Orders { get; }

    public CancelSweep Sweep { get; }

    public ListLogger<ShutdownCoordinator> CoordinatorLog { get; } = new();

    public ListLogger<CancelSweep> SweepLog { get; } = new();

    public ListLogger<StartupRecovery> RecoveryLog { get; } = new();

    /// <summary>Exit codes the coordinator reported.</summary>
    public ConcurrentQueue<int> ExitCodes { get; } = new();

    /// <summary>Fake times at which the broker received each cancel, in arrival order.</summary>
    public ConcurrentQueue<(string ClientOrderId, TimeSpan At)> CancelTimes { get; } = new();

    public static async Task<SweepHarness> CreateAsync(ShutdownOptions? options = null)
    {
        var harness = CreateStopped(options);
        await harness.Orders.StartAsync(CancellationToken.None);
        harness.Lifecycle.MarkRunning();
        return harness;
    }

    /// <summary>Creates the harness without starting the order manager, so that a test can seed the journal first.</summary>
    public static SweepHarness CreateStopped(ShutdownOptions? options = null) => new(options ?? new ShutdownOptions());

    /// <summary>
    /// Journals an order that an earlier run left working and makes the broker know it, as after a crash.
    /// </summary>
    public Order SeedLeftOpen(long id, string clientOrderId, string brokerOrderId)
    {
        var request = new OrderRequest(clientOrderId, "AAPL", OrderSide.Buy, 10, OrderType.Limit, 1.00m, TimeInForce.Gtc);
        var order = Order.Create(id, request, Time.GetUtcNow()) with
        {
            Status = OrderStatus.Submitted,
            BrokerOrderId = brokerOrderId,
            Version = 2,
        };
        Journal.Seed(order);
        Broker.Remember(new BrokerOrderState(
            brokerOrderId, clientOrderId, "AAPL", OrderSide.Buy, 10, OrderType.Limit, 1.00m, OrderStatus.Submitted, 0, []));
        return order;
    }

    public StartupRecovery CreateRecovery(StartupRecoveryOptions options) => new(
        Orders, Sweep, Microsoft.Extensions.Options.Options.Create(options), Time, RecoveryLog);

    /// <summary>Fake time passed since the harness was created.</summary>
    public TimeSpan Now => Time.GetUtcNow() - new DateTimeOffset(2026, 12, 4, 15, 0, 0, TimeSpan.Zero);

    /// <summary>Makes the broker accept each cancel and confirm it at once.</summary>
    public void ConfirmCancels() =>
        Broker.OnCancel = async reference =>
        {
            CancelTimes.Enqueue((reference.ClientOrderId, Now));
            await Broker.ConfirmCancelAsync(reference.ClientOrderId);
            return true;
        };

    /// <summary>Makes the broker accept each cancel and never confirm it.</summary>
    public void AcceptCancelsWithoutConfirming() =>
        Broker.OnCancel = reference =>
        {
            CancelTimes.Enqueue((reference.ClientOrderId, Now));
            return Task.FromResult(true);
        };

    public async Task<List<long>> PlaceRestingAsync(int count)
    {
        var ids = new List<long>();
        for (var i = 0; i < count; i++)
        {
            var request = new OrderRequest(
                $"rest-{i}", "AAPL", OrderSide.Buy, 10, OrderType.Limit, 1.00m, TimeInForce.Gtc);
            ids.Add((await Orders.SubmitAsync(request, CancellationToken.None)).Order.Id);
        }

        return ids;
    }

    public ShutdownCoordinator CreateCoordinator(TimeSpan? hostTimeout = null) => new(
        Lifecycle,
        Orders,
        Sweep,
        Microsoft.Extensions.Options.Options.Create(Options),
        Microsoft.Extensions.Options.Options.Create(
            new HostOptions { ShutdownTimeout = hostTimeout ?? Options.EffectiveHostTimeout }),
        Time,
        CoordinatorLog,
        new ShutdownExitCodeSink(ExitCodes.Enqueue));

    /// <summary>
    /// Advances the fake clock by <paramref name="step"/> until <paramref name="task"/> completes, letting the
    /// continuations that each step released run before the next one. Fails after <paramref name="limit"/> of fake time.
    /// </summary>
    public async Task<T> DriveAsync<T>(Task<T> task, TimeSpan step, TimeSpan limit)
    {
        await DriveAsync((Task)task, step, limit);
        return await task;
    }

    public async Task DriveAsync(Task task, TimeSpan step, TimeSpan limit)
    {
        var end = Now + limit;
        while (!task.IsCompleted)
        {
            Assert.True(Now < end, $"The task did not finish within {limit} of fake time.");
            Settle(task);
            if (!task.IsCompleted)
            {
                Time.Advance(step);
            }
        }

        await task;
    }

    /// <summary>
    /// Gives the thread-pool continuations released by the last clock step a moment to run before the clock moves
    /// again; no fake time passes, and the results never depend on how long this takes.
    /// </summary>
    public static void Settle(Task? task = null) =>
        SpinWait.SpinUntil(() => task?.IsCompleted ?? false, TimeSpan.FromMilliseconds(2));

    public static Task SettleAsync()
    {
        Settle();
        return Task.CompletedTask;
    }
}

/// <summary>An <see cref="ILogger{T}"/> that keeps every entry's event name and message.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, string EventName, string Message)> Entries { get; } = new();

    /// <summary>The structured values of every entry, keyed by placeholder name.</summary>
    public ConcurrentQueue<(string EventName, IReadOnlyDictionary<string, object?> Values)> Values { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(
        LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        Entries.Enqueue((logLevel, eventId.Name ?? "", formatter(state, exception)));
        if (state is IReadOnlyList<KeyValuePair<string, object?>> pairs)
        {
            Values.Enqueue((eventId.Name ?? "", pairs.ToDictionary(pair => pair.Key, pair => pair.Value)));
        }
    }

    public bool Contains(string eventName) => Entries.Any(entry => entry.EventName == eventName);
}
