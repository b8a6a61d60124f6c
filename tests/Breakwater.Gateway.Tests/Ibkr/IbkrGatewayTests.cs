using System.Globalization;
using System.Net;
using Breakwater.Gateway.Tests.Api;

namespace Breakwater.Gateway.Tests.Ibkr;

/// <summary>
/// Runs the built gateway as a real process with <c>Breakwater:Broker:Kind=Ibkr</c> against the IB Gateway emulator
/// on a loopback port, through the HTTP API.
/// </summary>
public sealed class IbkrGatewayTests
{
    [Fact]
    public async Task Gateway_MarketAndLimitOrders_FillAndCancelThroughEmulator()
    {
        await using var harness = await IbkrGatewayHarness.StartAsync();

        var marketId = await harness.PlaceAsync(ApiTestHelpers.Market("ibkr-m-1"));
        var limitId = await harness.PlaceAsync(ApiTestHelpers.Limit("ibkr-l-1", price: 1.00m));
        var market = await harness.WaitForStatusAsync(marketId, "filled");
        var resting = await harness.WaitForStatusAsync(limitId, "submitted");
        using var cancel = await harness.Client.DeleteAsync($"/api/orders/{limitId}");
        var cancelled = await harness.WaitForStatusAsync(limitId, "cancelled");
        var marketHistory = await harness.GetHistoryAsync(marketId);
        var limitHistory = await harness.GetHistoryAsync(limitId);
        var limitBrokerId = int.Parse(cancelled.GetProperty("brokerOrderId").GetString()!, CultureInfo.InvariantCulture);

        Assert.Equal("filled", market.GetProperty("status").GetString());
        Assert.Equal(100, market.GetProperty("filledQuantity").GetInt64());
        Assert.Single(marketHistory.GetProperty("fills").EnumerateArray());
        Assert.Equal("submitted", resting.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal("Cancelled", harness.Emulator.GetOrderStatus(limitBrokerId));
        Assert.Contains(
            limitHistory.GetProperty("events").EnumerateArray(),
            e => e.GetProperty("status").GetString() == "submitted");
        Assert.Empty(limitHistory.GetProperty("fills").EnumerateArray());
    }

    [Fact]
    public async Task Gateway_EmulatorRestartWithFillWhileAway_OpensBreakerAndJournalsFillOnce()
    {
        await using var harness = await IbkrGatewayHarness.StartAsync();
        var restingId = await harness.PlaceAsync(ApiTestHelpers.Limit("ibkr-away-1", price: 1.00m));
        var resting = await harness.WaitForStatusAsync(restingId, "submitted");
        var brokerId = int.Parse(resting.GetProperty("brokerOrderId").GetString()!, CultureInfo.InvariantCulture);

        harness.Emulator.RefuseConnections(true);
        harness.Emulator.DropConnections();
        var whileDown = await harness.WaitForBreakerAsync("broker", "isolated");
        using var refused = await harness.Client.PostOrderAsync(ApiTestHelpers.Market("ibkr-away-2"));
        harness.Emulator.FillOrder(brokerId, 1.00m);
        harness.Emulator.RefuseConnections(false);
        var afterReconnect = await harness.WaitForBreakerAsync("broker", "closed");
        var filled = await harness.WaitForStatusAsync(restingId, "filled");

        // A second reconnect replays the same execution; the journal must not count it twice.
        harness.Emulator.DropConnections();
        await harness.Gateway.WaitForOutputAsync("Reconciled with TWS", TimeSpan.FromSeconds(10));
        var afterSecond = await harness.WaitForBreakerAsync("broker", "closed");
        var history = await harness.GetHistoryAsync(restingId);
        var order = await harness.GetOrderAsync(restingId);

        Assert.Equal("isolated", whileDown);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("closed", afterReconnect);
        Assert.Equal("filled", filled.GetProperty("status").GetString());
        Assert.Equal("closed", afterSecond);
        Assert.Single(history.GetProperty("fills").EnumerateArray());
        Assert.Equal(100, order.GetProperty("filledQuantity").GetInt64());
    }

    [Fact]
    public async Task Gateway_SilentEmulator_HeartbeatIsolatesBrokerAndReconnects()
    {
        await using var harness = await IbkrGatewayHarness.StartAsync(new Dictionary<string, string>
        {
            ["Breakwater:Ibkr:HeartbeatInterval"] = "00:00:00.300",
            ["Breakwater:Ibkr:HeartbeatTimeout"] = "00:00:00.300",
            ["Breakwater:Ibkr:ConnectTimeout"] = "00:00:00.500",
        });

        harness.Emulator.SetSilent(true);
        var whileSilent = await harness.WaitForBreakerAsync("broker", "isolated");
        var readinessWhileSilent = await harness.WaitForReadinessAsync(HttpStatusCode.ServiceUnavailable);
        harness.Emulator.SetSilent(false);
        var afterSilence = await harness.WaitForBreakerAsync("broker", "closed");
        var readinessAfter = await harness.WaitForReadinessAsync(HttpStatusCode.OK);
        var orderId = await harness.PlaceAsync(ApiTestHelpers.Market("ibkr-silent-1"));
        var order = await harness.WaitForStatusAsync(orderId, "filled");

        Assert.Equal("isolated", whileSilent);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readinessWhileSilent);
        Assert.Contains("nothing arrived within", harness.Gateway.Output, StringComparison.Ordinal);
        Assert.Equal("closed", afterSilence);
        Assert.Equal(HttpStatusCode.OK, readinessAfter);
        Assert.Equal("filled", order.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Gateway_Notice1100Then1102_ReadinessFailsThenPasses()
    {
        await using var harness = await IbkrGatewayHarness.StartAsync();
        var before = await harness.WaitForReadinessAsync(HttpStatusCode.OK);

        harness.Emulator.SendSystemMessage(1100);
        var lost = await harness.WaitForReadinessAsync(HttpStatusCode.ServiceUnavailable);
        var breakerLost = await harness.GetBreakerStateAsync("broker");
        using var refused = await harness.Client.PostOrderAsync(ApiTestHelpers.Market("ibkr-1100-1"));
        harness.Emulator.SendSystemMessage(1102);
        var restored = await harness.WaitForReadinessAsync(HttpStatusCode.OK);
        var breakerRestored = await harness.GetBreakerStateAsync("broker");

        Assert.Equal(HttpStatusCode.OK, before);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, lost);
        Assert.Equal("isolated", breakerLost);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, restored);
        Assert.Equal("closed", breakerRestored);
    }

    [Fact]
    public async Task Gateway_Notice1300_ReconnectsAndReconciles()
    {
        await using var harness = await IbkrGatewayHarness.StartAsync();
        var sessionsBefore = harness.CountOutput("Reconciled with TWS");

        harness.Emulator.SendSystemMessage(1300);
        await harness.Gateway.WaitForOutputAsync("connectivity notice 1300", TimeSpan.FromSeconds(10));
        var reconnected = await WaitForCountAsync(() => harness.CountOutput("Reconciled with TWS"), sessionsBefore + 1);
        var breaker = await harness.WaitForBreakerAsync("broker", "closed");
        var orderId = await harness.PlaceAsync(ApiTestHelpers.Market("ibkr-1300-1"));
        var order = await harness.WaitForStatusAsync(orderId, "filled");

        Assert.True(reconnected > sessionsBefore, $"No reconciliation after 1300. Output:\n{harness.Gateway.Output}");
        Assert.Equal("closed", breaker);
        Assert.Equal("filled", order.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Gateway_FarmNotices2103Then2104_DegradeThenRestoreMarketData()
    {
        await using var harness = await IbkrGatewayHarness.StartAsync();
        var before = await harness.WaitForDependencyStatusAsync("marketData", "healthy");

        harness.Emulator.SendSystemMessage(2103);
        var broken = await harness.WaitForDependencyStatusAsync("marketData", "degraded");
        var brokerWhileBroken = await harness.GetDependencyStatusAsync("broker");
        var readinessWhileBroken = await harness.WaitForReadinessAsync(HttpStatusCode.OK);
        harness.Emulator.SendSystemMessage(2104);
        var restored = await harness.WaitForDependencyStatusAsync("marketData", "healthy");

        Assert.Equal("healthy", before);
        Assert.Equal("degraded", broken);
        Assert.Equal("healthy", brokerWhileBroken);
        Assert.Equal(HttpStatusCode.OK, readinessWhileBroken);
        Assert.Equal("healthy", restored);
    }

    [Fact]
    public async Task Gateway_PacingViolation100_SlowsPacerAndKeepsBroker()
    {
        await using var harness = await IbkrGatewayHarness.StartAsync();

        harness.Emulator.SendSystemMessage(100, "Max rate of messages per second has been exceeded");
        await harness.Gateway.WaitForOutputAsync("pacing violation (100)", TimeSpan.FromSeconds(10));
        var breaker = await harness.GetBreakerStateAsync("broker");
        var orderId = await harness.PlaceAsync(ApiTestHelpers.Market("ibkr-100-1"));
        var order = await harness.WaitForStatusAsync(orderId, "filled");

        Assert.Contains("sending at 22.5 messages per second", harness.Gateway.Output, StringComparison.Ordinal);
        Assert.Equal("closed", breaker);
        Assert.Equal("filled", order.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Gateway_RestartedAgainstResetSequence_UsesOrderIdsAboveJournal()
    {
        await using var harness = await IbkrGatewayHarness.StartAsync();
        // A cancelled first order: without a fill, because a fresh emulator numbers its execution ids from the start
        // again and the journal keeps one fill per execution id across orders (TWS execution ids are unique); and not
        // open, because the fresh emulator has no record of it for the restart's reconciliation to cancel.
        var firstId = await harness.PlaceAsync(ApiTestHelpers.Limit("ibkr-floor-1", price: 1.00m));
        await harness.WaitForStatusAsync(firstId, "submitted");
        using var cancelFirst = await harness.Client.DeleteAsync($"/api/orders/{firstId}");
        var first = await harness.WaitForStatusAsync(firstId, "cancelled");

        // The fresh emulator sends nextValidId 1 again, so only the journal floor keeps the ids going up.
        await harness.RestartWithFreshEmulatorAsync();
        var secondId = await harness.PlaceAsync(ApiTestHelpers.Market("ibkr-floor-2"));
        var second = await harness.WaitForStatusAsync(secondId, "filled");
        var firstBrokerId = long.Parse(first.GetProperty("brokerOrderId").GetString()!, CultureInfo.InvariantCulture);
        var secondBrokerId = long.Parse(second.GetProperty("brokerOrderId").GetString()!, CultureInfo.InvariantCulture);

        Assert.Equal(HttpStatusCode.Accepted, cancelFirst.StatusCode);
        Assert.Equal("cancelled", first.GetProperty("status").GetString());
        Assert.True(secondBrokerId > firstBrokerId, $"Broker order id {secondBrokerId} is not above {firstBrokerId}.");
        Assert.True(
            second.GetProperty("status").GetString() == "filled",
            $"The second order is {second}. Output:\n{harness.Gateway.Output}");
        Assert.Contains("Order id floor", harness.Gateway.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_Sigterm_CancelsRestingOrderAtBroker()
    {
        await using var harness = await IbkrGatewayHarness.StartAsync();
        var restingId = await harness.PlaceAsync(ApiTestHelpers.Limit("ibkr-term-1", price: 1.00m));
        var secondId = await harness.PlaceAsync(ApiTestHelpers.Limit("ibkr-term-2", price: 2.00m));
        var resting = await harness.WaitForStatusAsync(restingId, "submitted");
        var second = await harness.WaitForStatusAsync(secondId, "submitted");
        var brokerIds = new[] { resting, second }
            .Select(o => int.Parse(o.GetProperty("brokerOrderId").GetString()!, CultureInfo.InvariantCulture))
            .ToArray();

        await harness.Gateway.SendSignalAsync("TERM");
        var exitCode = await harness.Gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, exitCode);
        Assert.Equal("Cancelled", harness.Emulator.GetOrderStatus(brokerIds[0]));
        Assert.Equal("Cancelled", harness.Emulator.GetOrderStatus(brokerIds[1]));
    }

    [Fact]
    public async Task Gateway_KilledAndRestarted_CancelsRestingOrderItLeft()
    {
        await using var harness = await IbkrGatewayHarness.StartAsync();
        var restingId = await harness.PlaceAsync(ApiTestHelpers.Limit("ibkr-kill-1", price: 1.00m));
        var resting = await harness.WaitForStatusAsync(restingId, "submitted");
        var brokerId = int.Parse(resting.GetProperty("brokerOrderId").GetString()!, CultureInfo.InvariantCulture);

        // SIGKILL leaves the order working at the broker; the restart's reconciliation (OrphanedOrders=cancel, the
        // default) must cancel it.
        await harness.RestartGatewayAsync();
        var cancelled = await harness.WaitForStatusAsync(restingId, "cancelled");
        using var openResponse = await harness.Client.GetAsync("/api/orders?status=open");
        var open = await openResponse.ReadJsonAsync();

        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal("Cancelled", harness.Emulator.GetOrderStatus(brokerId));
        Assert.DoesNotContain(open.GetProperty("orders").EnumerateArray(), o => o.GetProperty("id").GetInt64() == restingId);
    }

    private static async Task<int> WaitForCountAsync(Func<int> count, int expected)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (count() < expected && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(25);
        }

        return count();
    }
}
