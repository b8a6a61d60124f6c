using System.Net;
using System.Text.Json;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Lifecycle;
using Breakwater.Gateway.Tests.Infrastructure;
using Breakwater.Resilience.CircuitBreaking;
using Microsoft.Extensions.DependencyInjection;

namespace Breakwater.Gateway.Tests.Api;

public sealed class OrderApiTests : IAsyncLifetime
{
    private readonly GatewayFactory _factory = new();
    private HttpClient _client = null!;

    public async Task InitializeAsync() => _client = await _factory.CreateAuthorizedClientAsync();

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task PostOrder_MarketOrder_CreatedAndFilled()
    {
        var response = await _client.PostOrderAsync(ApiTestHelpers.Market("m-1"));

        var order = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/orders/{order.GetProperty("id").GetInt64()}", response.Headers.Location?.OriginalString);
        Assert.Equal("filled", order.GetProperty("status").GetString());
        Assert.Equal("sell", order.GetProperty("side").GetString());
        Assert.Equal("market", order.GetProperty("type").GetString());
        Assert.Equal("day", order.GetProperty("timeInForce").GetString());
        Assert.Equal(100, order.GetProperty("filledQuantity").GetInt64());
        Assert.Equal(100.25m, order.GetProperty("averageFillPrice").GetDecimal());
        Assert.Equal("none", order.GetProperty("attention").GetString());
        Assert.Equal(JsonValueKind.Null, order.GetProperty("limitPrice").ValueKind);
    }

    [Fact]
    public async Task PostOrder_LimitOrder_RestsSubmitted()
    {
        var response = await _client.PostOrderAsync(ApiTestHelpers.Limit("l-1", 99.50m));

        var order = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("submitted", order.GetProperty("status").GetString());
        Assert.Equal("AAPL", order.GetProperty("symbol").GetString());
        Assert.Equal(99.5m, order.GetProperty("limitPrice").GetDecimal());
        Assert.Equal("gtc", order.GetProperty("timeInForce").GetString());
        Assert.Equal(2, order.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task PostOrder_NoClientOrderId_OneIsGenerated()
    {
        var response = await _client.PostOrderAsync("""{"symbol":"AAPL","side":"buy","quantity":1,"type":"market"}""");

        var order = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(32, order.GetProperty("clientOrderId").GetString()!.Length);
    }

    [Fact]
    public async Task PostOrder_RepeatSameFields_ReturnsExisting200()
    {
        var first = await (await _client.PostOrderAsync(ApiTestHelpers.Limit("r-1"))).ReadJsonAsync();

        var response = await _client.PostOrderAsync(ApiTestHelpers.Limit("r-1"));

        var second = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(first.GetProperty("id").GetInt64(), second.GetProperty("id").GetInt64());
        Assert.Single(_factory.Broker.Placed);
    }

    [Fact]
    public async Task PostOrder_RepeatOtherFields_Conflict409()
    {
        await _client.PostOrderAsync(ApiTestHelpers.Limit("r-2"));

        var response = await _client.PostOrderAsync(ApiTestHelpers.Limit("r-2", price: 98m));

        var problem = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.ContentType()?.MediaType);
        Assert.Equal("urn:breakwater:problem:client-order-id-reused", problem.GetProperty("type").GetString());
        Assert.Equal(409, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task PostOrder_BrokerRejects_Created201WithReason()
    {
        _factory.Broker.OnPlace = _ =>
            throw new BrokerRejectionException(BrokerRejectionCode.InsufficientFunds, "Insufficient buying power.");

        var response = await _client.PostOrderAsync(ApiTestHelpers.Limit("rej-1"));

        var order = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("rejected", order.GetProperty("status").GetString());
        Assert.Equal("Insufficient buying power.", order.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task PostOrder_SubmitUncertain_Accepted202()
    {
        _factory.Broker.OnPlace = _ => throw new TimeoutException("No acknowledgement.");

        var response = await _client.PostOrderAsync(ApiTestHelpers.Limit("u-1"));

        var order = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("submitUncertain", order.GetProperty("attention").GetString());
        Assert.Equal("pendingSubmit", order.GetProperty("status").GetString());
    }

    [Fact]
    public async Task PostOrder_BrokerUnavailable_Returns503WithRetryAfter()
    {
        _factory.Broker.OnPlace = _ => throw new DependencyUnavailableException(
            DependencyNames.Broker, "The broker breaker is open.", TimeSpan.FromSeconds(2.2));

        var response = await _client.PostOrderAsync(ApiTestHelpers.Limit("d-1"));

        var problem = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("3", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("broker", problem.GetProperty("dependency").GetString());
        Assert.True(problem.TryGetProperty("orderId", out _));
    }

    [Fact]
    public async Task PostOrder_BrokerBreakerIsolated_Returns503AndJournalsNothing()
    {
        _factory.Services.GetRequiredService<BreakerRegistry>().Get(DependencyNames.Broker).Isolate("test outage");

        var response = await _client.PostOrderAsync(ApiTestHelpers.Limit("b-1"));

        var problem = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("broker", problem.GetProperty("dependency").GetString());
        Assert.True(response.Headers.Contains("Retry-After"));
        Assert.Equal(0, _factory.Journal.InsertCalls);
        Assert.Empty(_factory.Broker.Placed);
    }

    [Fact]
    public async Task PostOrder_JournalDown_Returns503NamingDatabase()
    {
        _factory.Journal.FailWrites = true;

        var response = await _client.PostOrderAsync(ApiTestHelpers.Limit("d-2"));

        var problem = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("database", problem.GetProperty("dependency").GetString());
        Assert.True(response.Headers.Contains("Retry-After"));
        Assert.Empty(_factory.Broker.Placed);
    }

    [Fact]
    public async Task PostOrder_Stopping_Returns503()
    {
        _factory.Services.GetRequiredService<GatewayLifecycle>().MarkStopping();

        var response = await _client.PostOrderAsync(ApiTestHelpers.Limit("s-1"));

        var problem = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("The gateway is shutting down.", problem.GetProperty("title").GetString());
        Assert.Equal(0, _factory.Journal.InsertedCount);
    }

    [Fact]
    public async Task GetOrder_Known_ReturnsOrder()
    {
        var created = await (await _client.PostOrderAsync(ApiTestHelpers.Limit("g-1"))).ReadJsonAsync();
        var id = created.GetProperty("id").GetInt64();

        var response = await _client.GetAsync($"/api/orders/{id}");

        var order = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("g-1", order.GetProperty("clientOrderId").GetString());
    }

    [Fact]
    public async Task GetOrder_Unknown_Returns404Problem()
    {
        var response = await _client.GetAsync("/api/orders/424242");

        var problem = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.ContentType()?.MediaType);
        Assert.Equal(424242, problem.GetProperty("orderId").GetInt64());
    }

    [Fact]
    public async Task GetHistory_FilledOrder_ListsEventsAndFills()
    {
        var created = await (await _client.PostOrderAsync(ApiTestHelpers.Market("h-1"))).ReadJsonAsync();
        var id = created.GetProperty("id").GetInt64();

        var response = await _client.GetAsync($"/api/orders/{id}/history");

        var history = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("created", history.GetProperty("events")[0].GetProperty("kind").GetString());
        Assert.Equal(100, history.GetProperty("fills")[0].GetProperty("quantity").GetInt64());
        Assert.Equal(created.GetProperty("version").GetInt32(), history.GetProperty("events").GetArrayLength());
    }

    [Fact]
    public async Task GetHistory_Unknown_Returns404()
    {
        var response = await _client.GetAsync("/api/orders/777/history");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task UnknownRoute_Returns404Problem()
    {
        var response = await _client.GetAsync("/api/nothing-here");

        var problem = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.ContentType()?.MediaType);
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task DeleteOrder_Resting_Accepted202PendingCancel()
    {
        var created = await (await _client.PostOrderAsync(ApiTestHelpers.Limit("c-1"))).ReadJsonAsync();

        var response = await _client.DeleteAsync($"/api/orders/{created.GetProperty("id").GetInt64()}");

        var order = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("pendingCancel", order.GetProperty("status").GetString());
        Assert.Single(_factory.Broker.Cancelled);
    }

    [Fact]
    public async Task DeleteOrder_Unknown_Returns404()
    {
        var response = await _client.DeleteAsync("/api/orders/5555");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task DeleteOrder_Filled_Returns409()
    {
        var created = await (await _client.PostOrderAsync(ApiTestHelpers.Market("c-2"))).ReadJsonAsync();

        var response = await _client.DeleteAsync($"/api/orders/{created.GetProperty("id").GetInt64()}");

        var problem = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("urn:breakwater:problem:order-already-final", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task DeleteOrder_JournalDown_StillAccepted()
    {
        var created = await (await _client.PostOrderAsync(ApiTestHelpers.Limit("c-3"))).ReadJsonAsync();
        _factory.Journal.FailWrites = true;
        _factory.Journal.FailReads = true;

        var response = await _client.DeleteAsync($"/api/orders/{created.GetProperty("id").GetInt64()}");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Single(_factory.Broker.Cancelled);
    }

    [Fact]
    public async Task CancelAll_TwoResting_CancelRequestedTwo()
    {
        await _client.PostOrderAsync(ApiTestHelpers.Limit("ca-1"));
        await _client.PostOrderAsync(ApiTestHelpers.Limit("ca-2"));
        await _client.PostOrderAsync(ApiTestHelpers.Market("ca-3"));

        var response = await _client.PostAsync("/api/orders/cancel-all", null);

        var body = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(2, body.GetProperty("cancelRequested").GetInt32());
        Assert.Equal(0, body.GetProperty("failures").GetArrayLength());
    }

    [Fact]
    public async Task ListOrders_SevenOrders_PagesNewestFirst()
    {
        for (var i = 0; i < 7; i++)
        {
            await _client.PostOrderAsync(ApiTestHelpers.Limit("p-" + i));
        }

        var ids = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var url = "/api/orders?status=open&limit=3" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            var page = await (await _client.GetAsync(url)).ReadJsonAsync();
            ids.AddRange(page.GetProperty("orders").EnumerateArray().Select(o => o.GetProperty("id").GetInt64()));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(7, ids.Count);
        Assert.Equal(ids.OrderByDescending(id => id), ids);
    }

    [Fact]
    public async Task ListOrders_FilterFilled_OnlyFilled()
    {
        await _client.PostOrderAsync(ApiTestHelpers.Limit("f-1"));
        await _client.PostOrderAsync(ApiTestHelpers.Market("f-2"));

        var page = await (await _client.GetAsync("/api/orders?status=filled")).ReadJsonAsync();

        var order = Assert.Single(page.GetProperty("orders").EnumerateArray());
        Assert.Equal("f-2", order.GetProperty("clientOrderId").GetString());
    }

    [Theory]
    [InlineData("cursor=not-a-cursor", "cursor", "format")]
    [InlineData("cursor=bzE6LTU", "cursor", "format")]
    [InlineData("limit=0", "limit", "range")]
    [InlineData("limit=501", "limit", "range")]
    [InlineData("limit=ten", "limit", "integer")]
    [InlineData("status=working", "status", "enum")]
    public async Task ListOrders_InvalidQuery_Returns400(string query, string field, string rule)
    {
        var response = await _client.GetAsync("/api/orders?" + query);

        var problem = await response.ReadJsonAsync();
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Equal(rule, error.GetProperty("rule").GetString());
    }

    [Fact]
    public async Task MarketData_KnownSymbol_ReturnsQuote()
    {
        var response = await _client.GetAsync("/api/market-data/aapl");

        var quote = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("AAPL", quote.GetProperty("symbol").GetString());
        Assert.Equal(100.20m, quote.GetProperty("bid").GetDecimal());
        Assert.Equal(100.30m, quote.GetProperty("ask").GetDecimal());
        Assert.Equal(100.25m, quote.GetProperty("last").GetDecimal());
        Assert.True(quote.TryGetProperty("timestamp", out _));
    }

    [Fact]
    public async Task MarketData_UnknownSymbol_Returns404Problem()
    {
        var response = await _client.GetAsync("/api/market-data/ZZZZ");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.ContentType()?.MediaType);
    }

    [Fact]
    public async Task MarketData_InvalidSymbol_Returns400()
    {
        var response = await _client.GetAsync("/api/market-data/AA$PL");

        var problem = await response.ReadJsonAsync();
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("symbol", error.GetProperty("field").GetString());
        Assert.Equal("pattern", error.GetProperty("rule").GetString());
    }
}

public sealed class RoutingProblemTests : IAsyncLifetime
{
    private readonly GatewayFactory _factory = new();
    private HttpClient _client = null!;

    public async Task InitializeAsync() => _client = await _factory.CreateAuthorizedClientAsync();

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task PutOrder_WrongMethod_Returns405Problem()
    {
        var response = await _client.PutAsync("/api/orders/1", ApiTestHelpers.JsonBody("{}"));

        var problem = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.ContentType()?.MediaType);
        Assert.Equal("urn:breakwater:problem:method-not-allowed", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task GetOrder_NonNumericId_Returns404Problem()
    {
        var response = await _client.GetAsync("/api/orders/abc");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.ContentType()?.MediaType);
    }
}
