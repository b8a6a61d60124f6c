using System.Runtime.CompilerServices;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Lifecycle;
using Breakwater.Domain.Orders;
using Breakwater.Tests.Doubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Breakwater.Domain.Tests.Orders;

/// <summary>A failed submit leaves no faulted task behind for the finalizer to report.</summary>
public sealed class OrderManagerUnobservedTests
{
    [Fact]
    public async Task SubmitAsync_FailsWithoutRepeats_RaisesNoUnobservedTaskException()
    {
        var unobserved = 0;
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs args)
        {
            if (args.Exception.InnerExceptions.Any(e => e is DependencyUnavailableException))
            {
                Interlocked.Increment(ref unobserved);
            }
        }

        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            await FailOneSubmitAsync();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }

        Assert.Equal(0, Volatile.Read(ref unobserved));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task FailOneSubmitAsync()
    {
        var journal = new InMemoryOrderJournal();
        var broker = new FakeBroker();
        var lifecycle = new GatewayLifecycle();
        var manager = new OrderManager(journal, broker, lifecycle, new FakeTimeProvider(),
            NullLogger<OrderManager>.Instance);
        broker.Sink = manager;
        await manager.StartAsync(CancellationToken.None);
        lifecycle.MarkRunning();
        journal.FailWrites = true;

        await Assert.ThrowsAsync<DependencyUnavailableException>(() => manager.SubmitAsync(
            new OrderRequest("unobserved-1", "AAPL", OrderSide.Buy, 1, OrderType.Limit, 10m, TimeInForce.Day),
            CancellationToken.None));
    }
}
