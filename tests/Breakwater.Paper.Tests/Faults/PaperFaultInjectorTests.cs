using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Orders;
using Breakwater.Paper.Faults;

namespace Breakwater.Paper.Tests.Faults;

public sealed class PaperFaultInjectorTests
{
    [Fact]
    public async Task PingAsync_BrokerDown_FailsAtOnceWithTransportError()
    {
        await using var harness = PaperHarness.Create();
        harness.Faults.SetFault(PaperFaultTarget.Broker, new PaperFault(PaperFaultMode.Down));

        var ping = harness.Broker.PingAsync(CancellationToken.None);

        Assert.True(ping.IsCompleted, "A call to a broker that is down must fail without waiting.");
        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => ping);
        Assert.Equal(DependencyNames.Broker, error.Dependency);
        Assert.IsType<IOException>(error.InnerException);
        Assert.Contains("'down'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryBrokerCall_BrokerDown_Fails()
    {
        await using var harness = PaperHarness.Create();
        var ack = await harness.PlaceAsync("before-down", OrderSide.Buy, 1, limitPrice: 1m);
        harness.Faults.SetFault(PaperFaultTarget.Broker, new PaperFault(PaperFaultMode.Down));
        var none = CancellationToken.None;

        await Assert.ThrowsAsync<DependencyUnavailableException>(() => harness.PlaceAsync("x", OrderSide.Buy, 1));
        await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => harness.Broker.CancelOrderAsync(new BrokerOrderReference(1, "before-down", ack.BrokerOrderId), none));
        await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => harness.Broker.GetOpenOrdersAsync(OpenOrderScope.Gateway, none));
        await Assert.ThrowsAsync<DependencyUnavailableException>(() => harness.Broker.FindOrderAsync("x", none));
        await Assert.ThrowsAsync<DependencyUnavailableException>(() => harness.Broker.PingAsync(none));
    }

    [Fact]
    public async Task GetQuoteAsync_MarketDataDown_BrokerStillWorks()
    {
        await using var harness = PaperHarness.Create();
        harness.Faults.SetFault(PaperFaultTarget.MarketData, new PaperFault(PaperFaultMode.Down));

        var quote = harness.MarketData.GetQuoteAsync("AAPL", CancellationToken.None);
        await harness.Broker.PingAsync(CancellationToken.None);

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => quote);
        Assert.Equal(DependencyNames.MarketData, error.Dependency);
    }

    [Fact]
    public async Task PingAsync_BrokerHang_CompletesOnlyWhenCallerCancels()
    {
        await using var harness = PaperHarness.Create();
        harness.Faults.SetFault(PaperFaultTarget.Broker, new PaperFault(PaperFaultMode.Hang));
        using var caller = new CancellationTokenSource();

        var ping = harness.Broker.PingAsync(caller.Token);
        harness.Time.Advance(TimeSpan.FromHours(1));
        await Task.Yield();
        var completedBeforeCancel = ping.IsCompleted;
        await caller.CancelAsync();

        Assert.False(completedBeforeCancel);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ping);
    }

    [Fact]
    public async Task GetQuoteAsync_MarketDataHangCleared_CompletesNormally()
    {
        await using var harness = PaperHarness.Create();
        harness.Faults.SetFault(PaperFaultTarget.MarketData, new PaperFault(PaperFaultMode.Hang));

        var quote = harness.MarketData.GetQuoteAsync("AAPL", CancellationToken.None);
        var completedWhileHanging = quote.IsCompleted;
        harness.Faults.SetFault(PaperFaultTarget.MarketData, PaperFault.None);

        Assert.False(completedWhileHanging);
        Assert.Equal("AAPL", (await quote.WaitAsync(TimeSpan.FromSeconds(10))).Symbol);
    }

    [Fact]
    public async Task PingAsync_BrokerErrorsAtHalfRate_FailsAboutHalfAndRepeatsWithSeed()
    {
        await using var harness = PaperHarness.Create();

        var firstRun = await RunPingsAsync(harness, 200);
        var secondRun = await RunPingsAsync(harness, 200);

        Assert.InRange(firstRun.Count(failed => failed), 70, 130);
        Assert.Contains(false, firstRun);
        Assert.Equal(firstRun, secondRun);
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(1.0, 50)]
    public async Task PingAsync_BrokerErrorsAtBoundaryRate_FailsNoneOrAll(double rate, int expectedFailures)
    {
        await using var harness = PaperHarness.Create();
        harness.Faults.SetFault(PaperFaultTarget.Broker, new PaperFault(PaperFaultMode.Errors, rate));

        var failures = 0;
        for (var i = 0; i < 50; i++)
        {
            try
            {
                await harness.Broker.PingAsync(CancellationToken.None);
            }
            catch (DependencyUnavailableException)
            {
                failures++;
            }
        }

        Assert.Equal(expectedFailures, failures);
    }

    [Fact]
    public async Task PingAsync_BrokerSlow_CompletesAfterLatencyOnFakeClock()
    {
        await using var harness = PaperHarness.Create();
        harness.Faults.SetFault(
            PaperFaultTarget.Broker,
            new PaperFault(PaperFaultMode.Slow, Latency: TimeSpan.FromMilliseconds(500)));

        var started = harness.Time.GetTimestamp();
        var ping = harness.Broker.PingAsync(CancellationToken.None);
        harness.Time.Advance(TimeSpan.FromMilliseconds(499));
        var completedEarly = ping.IsCompleted;
        harness.Time.Advance(TimeSpan.FromMilliseconds(1));
        await ping.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(completedEarly);
        Assert.Equal(TimeSpan.FromMilliseconds(500), harness.Time.GetElapsedTime(started));
    }

    [Fact]
    public async Task GetQuoteAsync_MarketDataSlowAndCallerCancels_ThrowsCancellation()
    {
        await using var harness = PaperHarness.Create();
        harness.Faults.SetFault(
            PaperFaultTarget.MarketData,
            new PaperFault(PaperFaultMode.Slow, Latency: TimeSpan.FromSeconds(30)));
        using var caller = new CancellationTokenSource();

        var quote = harness.MarketData.GetQuoteAsync("AAPL", caller.Token);
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => quote);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public async Task SetFault_RateOutsideRange_Throws(double rate)
    {
        await using var harness = PaperHarness.Create(start: false);

        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => harness.Faults.SetFault(PaperFaultTarget.Broker, new PaperFault(PaperFaultMode.Errors, rate)));

        Assert.Contains("between 0 and 1", error.Message, StringComparison.Ordinal);
    }

    private static async Task<List<bool>> RunPingsAsync(PaperHarness harness, int count)
    {
        // Setting the fault again resets its generator, so each run draws the same sequence.
        harness.Faults.SetFault(PaperFaultTarget.Broker, new PaperFault(PaperFaultMode.Errors, 0.5));
        var outcomes = new List<bool>();
        for (var i = 0; i < count; i++)
        {
            try
            {
                await harness.Broker.PingAsync(CancellationToken.None);
                outcomes.Add(false);
            }
            catch (DependencyUnavailableException)
            {
                outcomes.Add(true);
            }
        }

        return outcomes;
    }
}
