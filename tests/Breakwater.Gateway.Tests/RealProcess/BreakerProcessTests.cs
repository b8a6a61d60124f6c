using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Breakwater.Gateway.Tests.Api;
using Breakwater.Gateway.Tests.Infrastructure;

namespace Breakwater.Gateway.Tests.RealProcess;

/// <summary>
/// Drives the circuit breakers, readiness and metrics of the built gateway through the paper broker's fault injection,
/// with short break durations and probe intervals so that each test takes seconds.
/// </summary>
[Collection(nameof(BreakerProcessCollection))]
public sealed partial class BreakerProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Submit_BrokerDown_FailsFastThenRecovers()
    {
        await using var gateway = await StartAsync(breakSeconds: 2);
        using var client = gateway.CreateClient();

        await SetBrokerFaultAsync(client, "down");
        var failures = new List<HttpResponseMessage>();
        HttpResponseMessage? fastFail = null;
        for (int i = 0; i < 10 && fastFail is null; i++)
        {
            var response = await client.PostOrderAsync(ApiTestHelpers.Market($"down-{i}"));
            var problem = await response.ReadJsonAsync();
            if (problem.TryGetProperty("orderId", out _))
            {
                failures.Add(response);
            }
            else
            {
                fastFail = response;
            }
        }

        Assert.NotNull(fastFail);
        var fastProblem = await fastFail.ReadJsonAsync();
        var opened = await GetBreakerAsync(client, "broker");
        await SetBrokerFaultAsync(client, "none");
        var recovered = await PostUntilCreatedAsync(client, "after-down");
        var closed = await GetBreakerAsync(client, "broker");
        var book = await (await client.GetAsync("/api/orders?status=rejected")).ReadJsonAsync();

        Assert.All(failures, f => Assert.Equal(HttpStatusCode.ServiceUnavailable, f.StatusCode));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, fastFail.StatusCode);
        Assert.Equal("broker", fastProblem.GetProperty("dependency").GetString());
        Assert.NotNull(fastFail.Headers.RetryAfter?.Delta);
        Assert.True(fastFail.Headers.RetryAfter.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("open", opened.GetProperty("state").GetString());
        Assert.Equal("consecutiveFailures", opened.GetProperty("lastTransitionReason").GetString());
        Assert.Equal(HttpStatusCode.Created, recovered.StatusCode);
        Assert.Equal("closed", closed.GetProperty("state").GetString());
        Assert.Equal(failures.Count, book.GetProperty("orders").GetArrayLength());
        Assert.Equal(1, Count(gateway.Output, "Circuit breaker broker opened from Closed"));
    }

    [Fact]
    public async Task Breakers_IsolateThenReset_GateOrdersOnly()
    {
        await using var gateway = await StartAsync(breakSeconds: 2);
        using var client = gateway.CreateClient();
        var placed = await client.PostOrderAsync(ApiTestHelpers.Limit("iso-rest", price: 1.00m));
        var resting = await placed.ReadJsonAsync();
        var restingId = resting.GetProperty("id").GetInt64();

        var isolate = await client.PostAsync(
            "/api/breakers/broker/isolate", ApiTestHelpers.JsonBody("""{"reason":"broker maintenance"}"""));
        var isolated = await isolate.ReadJsonAsync();
        var refused = await client.PostOrderAsync(ApiTestHelpers.Market("iso-1"));
        var refusedProblem = await refused.ReadJsonAsync();
        var cancel = await client.DeleteAsync($"/api/orders/{restingId}");
        var cancelled = await WaitForStatusAsync(client, restingId, "cancelled");
        var reset = await client.PostAsync("/api/breakers/broker/reset", content: null);
        var afterReset = await reset.ReadJsonAsync();
        var accepted = await client.PostOrderAsync(ApiTestHelpers.Market("iso-2"));
        var unknown = await client.PostAsync("/api/breakers/nosuch/reset", content: null);
        var unknownProblem = await unknown.ReadJsonAsync();
        using var anonymous = gateway.CreateClient(authorized: false);
        var anonymousIsolate = await anonymous.PostAsync("/api/breakers/broker/isolate", content: null);

        Assert.Equal(HttpStatusCode.OK, isolate.StatusCode);
        Assert.Equal("isolated", isolated.GetProperty("state").GetString());
        Assert.Equal("broker maintenance", isolated.GetProperty("lastTransitionDetail").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("broker", refusedProblem.GetProperty("dependency").GetString());
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal("closed", afterReset.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("'nosuch'", unknownProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousIsolate.StatusCode);
        Assert.Equal(
            1, Count(gateway.Output, "Circuit breaker broker isolated by an operator from Closed: broker maintenance"));
        Assert.Equal(1, Count(gateway.Output, "Circuit breaker broker closed from Isolated"));
    }

    [Fact]
    public async Task Cancel_FaultGoneBreakerStillOpen_ReachesBroker()
    {
        await using var gateway = await StartAsync(breakSeconds: 120);
        using var client = gateway.CreateClient();
        var placed = await client.PostOrderAsync(ApiTestHelpers.Limit("open-rest", price: 1.00m));
        var resting = await placed.ReadJsonAsync();
        var restingId = resting.GetProperty("id").GetInt64();

        await SetBrokerFaultAsync(client, "down");
        await TripBrokerBreakerAsync(client);
        await SetBrokerFaultAsync(client, "none");
        var cancel = await client.DeleteAsync($"/api/orders/{restingId}");
        var cancelled = await WaitForStatusAsync(client, restingId, "cancelled");
        var breaker = await GetBreakerAsync(client, "broker");

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal("open", breaker.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Submit_BrokerHangs_MarkedUncertainOnce()
    {
        await using var gateway = await StartAsync(
            breakSeconds: 2,
            extra: new Dictionary<string, string> { ["Breakwater:Breakers:broker:CallTimeout"] = "00:00:01" });
        using var client = gateway.CreateClient();

        await SetBrokerFaultAsync(client, "hang");
        var response = await client.PostOrderAsync(ApiTestHelpers.Market("hang-1"));
        var order = await response.ReadJsonAsync();
        await SetBrokerFaultAsync(client, "none");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("submitUncertain", order.GetProperty("attention").GetString());
        Assert.Equal("hang-1", order.GetProperty("clientOrderId").GetString());
        Assert.Equal(1, Count(gateway.Output, "PlaceOrder on broker failed after the request was sent"));
        Assert.Equal(0, Count(gateway.Output, "Retrying PlaceOrder"));
    }

    [Fact]
    public async Task Quote_MarketDataOpen_Returns503()
    {
        await using var gateway = await StartAsync(breakSeconds: 30);
        using var client = gateway.CreateClient();
        var before = await client.GetAsync("/api/market-data/AAPL");

        var fault = await client.PostAsync(
            "/api/paper/faults", ApiTestHelpers.JsonBody("""{"target":"marketData","mode":"down"}"""));
        for (int i = 0; i < 10; i++)
        {
            if ((await GetBreakerAsync(client, "marketData")).GetProperty("state").GetString() == "open")
            {
                break;
            }

            await client.GetAsync("/api/market-data/AAPL");
        }

        var refused = await client.GetAsync("/api/market-data/AAPL");
        var problem = await refused.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fault.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("marketData", problem.GetProperty("dependency").GetString());
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        Assert.True(refused.Headers.RetryAfter.Delta > TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Readiness_BrokerDown_FailsThenRecovers()
    {
        await using var gateway = await StartAsync(breakSeconds: 2);
        using var client = gateway.CreateClient();
        var ready = await WaitForReadinessAsync(client, HttpStatusCode.OK, _ => true);

        await SetBrokerFaultAsync(client, "down");
        var down = await WaitForReadinessAsync(
            client,
            HttpStatusCode.ServiceUnavailable,
            body => BrokerCheck(body).GetProperty("breakerState").GetString() == "open");
        var liveDuringFault = await client.GetAsync("/api/health");
        await SetBrokerFaultAsync(client, "none");
        var up = await WaitForReadinessAsync(client, HttpStatusCode.OK, _ => true);
        var liveAfter = await client.GetAsync("/api/health");

        Assert.Equal("pass", ready.GetProperty("status").GetString());
        Assert.Equal("fail", BrokerCheck(down).GetProperty("status").GetString());
        Assert.Equal("open", BrokerCheck(down).GetProperty("breakerState").GetString());
        Assert.Equal(HttpStatusCode.OK, liveDuringFault.StatusCode);
        Assert.Equal("pass", BrokerCheck(up).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, liveAfter.StatusCode);
    }

    [Fact]
    public async Task Metrics_BrokerDown_CountsTransitions()
    {
        await using var gateway = await StartAsync(breakSeconds: 2);
        using var client = gateway.CreateClient();
        var before = await ScrapeAsync(
            client, text => text.Contains("breakwater_breaker_state", StringComparison.Ordinal));

        await SetBrokerFaultAsync(client, "down");
        await TripBrokerBreakerAsync(client);
        var after = await ScrapeAsync(
            client,
            text => text.Contains("breakwater_breaker_transitions_total", StringComparison.Ordinal)
                && text.Contains("breakwater_breaker_rejections_total", StringComparison.Ordinal));

        Assert.Matches(GaugeLine("broker"), before);
        Assert.Matches(GaugeLine("database"), before);
        Assert.Matches(GaugeLine("marketData"), before);
        Assert.Matches(@"breakwater_breaker_transitions_total\{[^}]*breaker=""broker""[^}]*to=""open""", after);
        Assert.Matches(@"breakwater_breaker_rejections_total\{[^}]*breaker=""broker""", after);
        Assert.Matches(@"breakwater_orders_total\{[^}]*outcome=""rejected""", after);
        Assert.Matches(@"breakwater_orders_total\{[^}]*outcome=""failed""", after);
    }

    private static Task<GatewayProcess> StartAsync(int breakSeconds, IDictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Breakwater:Breakers:broker:BreakDuration"] = TimeSpan.FromSeconds(breakSeconds).ToString("c"),
            ["Breakwater:Breakers:broker:BreakDurationJitter"] = "0",
            ["Breakwater:Health:Broker:Interval"] = "00:00:00.300",
            ["Breakwater:Health:Broker:Timeout"] = "00:00:00.250",
            ["Breakwater:Health:Database:Interval"] = "00:00:00.300",
            ["Breakwater:Health:Database:Timeout"] = "00:00:00.250",
            ["Breakwater:Health:MarketData:Interval"] = "00:00:00.300",
            ["Breakwater:Health:MarketData:Timeout"] = "00:00:00.250",
            ["Breakwater:Guards:broker:RetryAttempts"] = "0",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        return StartRunningAsync(settings);
    }

    private static async Task<GatewayProcess> StartRunningAsync(Dictionary<string, string> settings)
    {
        var gateway = await GatewayProcess.StartAsync(new GatewayProcessOptions { Settings = settings });
        await gateway.WaitForRunningAsync();
        return gateway;
    }

    private static async Task SetBrokerFaultAsync(HttpClient client, string mode)
    {
        var response = await client.PostAsync(
            "/api/paper/faults", ApiTestHelpers.JsonBody($$"""{"target":"broker","mode":"{{mode}}"}"""));
        response.EnsureSuccessStatusCode();
    }

    private static async Task TripBrokerBreakerAsync(HttpClient client)
    {
        for (int i = 0; i < 10; i++)
        {
            if ((await GetBreakerAsync(client, "broker")).GetProperty("state").GetString() == "open")
            {
                return;
            }

            await client.PostOrderAsync(ApiTestHelpers.Market($"trip-{Guid.NewGuid():N}"));
        }

        Assert.Fail("The broker breaker did not open after 10 failed orders.");
    }

    private static async Task<JsonElement> GetBreakerAsync(HttpClient client, string name)
    {
        var list = await (await client.GetAsync("/api/breakers")).ReadJsonAsync();
        return list.GetProperty("breakers").EnumerateArray().Single(b => b.GetProperty("name").GetString() == name);
    }

    private static async Task<HttpResponseMessage> PostUntilCreatedAsync(HttpClient client, string prefix)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        for (int i = 0; ; i++)
        {
            var response = await client.PostOrderAsync(ApiTestHelpers.Market($"{prefix}-{i}"));
            if (response.StatusCode == HttpStatusCode.Created || DateTimeOffset.UtcNow > deadline)
            {
                return response;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    private static async Task<JsonElement> WaitForStatusAsync(HttpClient client, long id, string status)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (true)
        {
            var order = await (await client.GetAsync($"/api/orders/{id}")).ReadJsonAsync();
            if (order.GetProperty("status").GetString() == status || DateTimeOffset.UtcNow > deadline)
            {
                return order;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    private static async Task<JsonElement> WaitForReadinessAsync(
        HttpClient client, HttpStatusCode expected, Func<JsonElement, bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (true)
        {
            var response = await client.GetAsync("/api/health/ready");
            var body = await response.ReadJsonAsync();
            if ((response.StatusCode == expected && condition(body)) || DateTimeOffset.UtcNow > deadline)
            {
                return body;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    private static async Task<string> ScrapeAsync(HttpClient client, Func<string, bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (true)
        {
            var text = await client.GetStringAsync("/metrics");
            if (condition(text) || DateTimeOffset.UtcNow > deadline)
            {
                return text;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    private static JsonElement BrokerCheck(JsonElement readiness) =>
        readiness.GetProperty("checks").GetProperty("broker:heartbeat")[0];

    private static string GaugeLine(string breaker) =>
        $@"breakwater_breaker_state\{{[^}}]*breaker=""{breaker}""[^}}]*\}} [0-4]";

    private static int Count(string text, string fragment) =>
        Regex.Matches(text, Regex.Escape(fragment)).Count;
}

/// <summary>Runs the breaker process tests one at a time, because each starts a gateway and times recovery.</summary>
[CollectionDefinition(nameof(BreakerProcessCollection), DisableParallelization = true)]
public sealed class BreakerProcessCollection;
