using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Breakwater.Dashboard.Tests.Infrastructure;

/// <summary>
/// A stand-in for the gateway on a loopback port: it serves the real dashboard through
/// <see cref="DashboardEndpointRouteBuilderExtensions.MapBreakwaterDashboard"/> and serves the API routes the page
/// uses with the JSON shapes of the health library and the order API. A paper fault switches a dependency's status at
/// once, so the browser test runs in seconds.
/// </summary>
/// <remarks>
/// NOTE: this fake replaces the gateway process until the gateway, health and paper branches are merged; it reproduces
/// their JSON shapes as of this writing but not their timing, breakers or order semantics.
/// </remarks>
internal sealed class FakeGateway : IAsyncDisposable
{
    private static readonly string[] DependencyNames = ["broker", "database", "marketData"];

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DependencyState> _dependencies = [];
    private readonly List<object> _transitions = [];
    private readonly List<FakeOrder> _orders = [];
    private readonly Dictionary<string, long> _outcomes = [];
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly DateTimeOffset _startedAt;
    private long _nextOrderId = 1;
    private long _brokerRejections;

    private FakeGateway(WebApplication app)
    {
        _app = app;
        _startedAt = _time.GetUtcNow();
        foreach (var name in DependencyNames)
        {
            _dependencies[name] = new DependencyState(name, _startedAt);
        }

        AddFilledOrder("MSFT", "sell", 25, 411.20m);
        AddFilledOrder("SPY", "buy", 100, 519.85m);
    }

    /// <summary>The bearer token that the fake accepts.</summary>
    public string Token { get; } = "fake-" + Guid.NewGuid().ToString("N");

    /// <summary>The base address, such as <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<FakeGateway> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddRouting();
        var app = builder.Build();
        var fake = new FakeGateway(app);
        fake.Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.Single();
        fake.BaseAddress = new Uri(address);
        return fake;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private void Map(WebApplication app)
    {
        app.MapBreakwaterDashboard();
        app.MapGet("/api/health/ready", Readiness);
        app.MapGet("/metrics", Metrics);
        app.MapGet("/api/status", (HttpContext context) => Authorized(context, Status));
        app.MapGet("/api/orders", (HttpContext context) => Authorized(context, () => ListOrders(context)));
        app.MapGet("/api/orders/{id:long}", (HttpContext context, long id) => Authorized(context, () => GetOrder(id)));
        app.MapPost("/api/orders", (HttpContext context, OrderBody body) => Authorized(context, () => Place(body)));
        app.MapDelete("/api/orders/{id:long}", (HttpContext context, long id) => Authorized(context, () => Cancel(id)));
        app.MapPost("/api/orders/cancel-all", (HttpContext context) => Authorized(context, CancelAll));
        app.MapPost("/api/paper/faults", (HttpContext context, FaultBody body) => Authorized(context, () => SetFault(body)));
        app.MapGet(
            "/api/breakers",
            (HttpContext context) => Authorized(
                context,
                () => Results.Json(_dependencies.Values.Select(d => new { name = d.Name, state = d.Breaker }).ToArray())));
        app.MapPost(
            "/api/breakers/{name}/{action}",
            (HttpContext context, string name, string action) => Authorized(context, () => Breaker(name, action)));
    }

    private IResult Authorized(HttpContext context, Func<IResult> handler)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header != "Bearer " + Token)
        {
            return Results.Json(new { type = "about:blank", title = "Unauthorized", status = 401 }, statusCode: 401);
        }

        lock (_gate)
        {
            return handler();
        }
    }

    private IResult Readiness()
    {
        lock (_gate)
        {
            var status = OverallStatus();
            var draft = status switch { "healthy" => "pass", "degraded" => "warn", _ => "fail" };
            var checks = _dependencies.Values.ToDictionary(
                d => d.Name + ":probe",
                d => new[] { new { componentId = d.Name, status = d.Status == "healthy" ? "pass" : "fail" } });
            return Results.Json(
                new { status = draft, lifecycle = "running", checks },
                statusCode: status == "unhealthy" ? 503 : 200,
                contentType: "application/health+json");
        }
    }

    private IResult Status()
    {
        var now = _time.GetUtcNow();
        var dependencies = _dependencies.Values.Select(d => new
        {
            name = d.Name,
            critical = d.Name != "marketData",
            status = d.Status,
            since = d.Since,
            probe = new
            {
                status = d.Status,
                latencyMs = d.Status == "healthy" ? 2.4 : 0.3,
                time = now,
                output = d.Status == "healthy" ? null : "The broker is not reachable.",
            },
            breaker = new
            {
                state = d.Breaker,
                retryAfterSeconds = d.Breaker == "open" ? (double?)Math.Max(0, (d.BreakerUntil - now).TotalSeconds) : null,
                lastTransitionReason = d.Breaker == "closed" ? null : "calls failed",
                lastTransitionTime = d.Since,
            },
            lastError = d.LastError is null ? null : new { message = d.LastError, time = d.LastErrorTime },
            timeline = d.Timeline.Select(p => new { time = p.Time, status = p.Status }).ToArray(),
        });
        return Results.Json(new
        {
            serviceId = "breakwater-gateway",
            status = OverallStatus(),
            ready = OverallStatus() != "unhealthy",
            lifecycle = "running",
            time = now,
            startedAt = _startedAt,
            openOrders = _orders.Count(o => !o.IsFinal),
            dependencies,
            transitions = _transitions.AsEnumerable().Reverse().ToArray(),
            timelineWindowSeconds = 3600,
        });
    }

    private string OverallStatus()
    {
        var statuses = _dependencies.Values.Where(d => d.Name != "marketData").Select(d => d.Status).ToList();
        if (statuses.Contains("unhealthy"))
        {
            return "unhealthy";
        }

        return statuses.Contains("degraded") || _dependencies["marketData"].Status != "healthy" ? "degraded" : "healthy";
    }

    private IResult ListOrders(HttpContext context)
    {
        var filter = context.Request.Query["status"].ToString();
        var limit = int.TryParse(context.Request.Query["limit"], CultureInfo.InvariantCulture, out var parsed) ? parsed : 50;
        var selected = _orders
            .Where(o => filter switch
            {
                "" or "all" => true,
                "open" => !o.IsFinal,
                _ => o.Status == filter,
            })
            .OrderByDescending(o => o.Id)
            .Take(limit)
            .Select(o => o.ToJson())
            .ToArray();
        return Results.Json(new { orders = selected, nextCursor = (string?)null });
    }

    private IResult GetOrder(long id)
    {
        var order = _orders.FirstOrDefault(o => o.Id == id);
        return order is null ? Results.NotFound() : Results.Json(order.ToJson());
    }

    private IResult Place(OrderBody body)
    {
        if (_dependencies["broker"].Status != "healthy")
        {
            _brokerRejections++;
            return Results.Json(new { title = "Broker unavailable", status = 503, dependency = "broker" }, statusCode: 503);
        }

        var order = new FakeOrder(_nextOrderId++, body, _time.GetUtcNow());
        _orders.Add(order);
        Count("accepted");
        return Results.Json(order.ToJson(), statusCode: 201);
    }

    private IResult Cancel(long id)
    {
        var order = _orders.FirstOrDefault(o => o.Id == id);
        if (order is null)
        {
            return Results.NotFound();
        }

        if (!order.IsFinal)
        {
            order.Status = "cancelled";
            order.UpdatedAt = _time.GetUtcNow();
            Count("cancelled");
        }

        return Results.Json(order.ToJson(), statusCode: 202);
    }

    private IResult CancelAll()
    {
        var open = _orders.Where(o => !o.IsFinal).ToList();
        foreach (var order in open)
        {
            order.Status = "cancelled";
            order.UpdatedAt = _time.GetUtcNow();
            Count("cancelled");
        }

        return Results.Json(new { cancelRequested = open.Count, alreadyFinal = 0, failures = Array.Empty<object>() });
    }

    private IResult SetFault(FaultBody body)
    {
        if (!_dependencies.TryGetValue(body.Target ?? string.Empty, out var dependency) || body.Target == "database")
        {
            return Results.BadRequest(new { title = "The field 'target' must be 'broker' or 'marketData'." });
        }

        var now = _time.GetUtcNow();
        if (body.Mode == "none")
        {
            Move(dependency, "healthy", "closed", now, "probe succeeded");
        }
        else
        {
            dependency.LastError = "The broker did not answer the heartbeat: connection refused.";
            dependency.LastErrorTime = now;
            dependency.BreakerUntil = now.AddSeconds(5);
            Move(dependency, "unhealthy", "open", now, "probe failed");
        }

        return Results.Json(new { broker = new { mode = body.Mode } });
    }

    private IResult Breaker(string name, string action)
    {
        if (!_dependencies.TryGetValue(name, out var dependency))
        {
            return Results.NotFound();
        }

        var now = _time.GetUtcNow();
        if (action == "isolate")
        {
            Move(dependency, "unhealthy", "isolated", now, "isolated by an operator");
        }
        else
        {
            Move(dependency, "healthy", "closed", now, "reset by an operator");
        }

        return Results.Json(new { name, state = dependency.Breaker });
    }

    private void Move(DependencyState dependency, string status, string breaker, DateTimeOffset now, string reason)
    {
        dependency.Breaker = breaker;
        if (dependency.Status == status)
        {
            return;
        }

        _transitions.Add(new { subject = dependency.Name, from = dependency.Status, to = status, reason, time = now });
        dependency.Status = status;
        dependency.Since = now;
        dependency.Timeline.Add((now, status));
    }

    private void AddFilledOrder(string symbol, string side, long quantity, decimal price)
    {
        var order = new FakeOrder(_nextOrderId++, new OrderBody("seed-" + _nextOrderId, symbol, side, quantity, "market", null, "day"), _startedAt)
        {
            Status = "filled",
            FilledQuantity = quantity,
            AverageFillPrice = price,
        };
        _orders.Add(order);
        Count("accepted");
        Count("filled");
    }

    private void Count(string outcome) => _outcomes[outcome] = _outcomes.GetValueOrDefault(outcome) + 1;

    private IResult Metrics()
    {
        lock (_gate)
        {
            var text = new StringBuilder();
            text.Append("# TYPE breakwater_orders_total counter\n");
            foreach (var (outcome, count) in _outcomes)
            {
                text.Append(CultureInfo.InvariantCulture, $"breakwater_orders_total{{otel_scope_name=\"Breakwater\",outcome=\"{outcome}\"}} {count}\n");
            }

            text.Append("# TYPE breakwater_breaker_rejections_total counter\n");
            text.Append(CultureInfo.InvariantCulture, $"breakwater_breaker_rejections_total{{breaker=\"broker\"}} {_brokerRejections}\n");
            return Results.Text(text.ToString(), "text/plain; version=0.0.4; charset=utf-8");
        }
    }

    internal sealed record OrderBody(
        string ClientOrderId, string Symbol, string Side, long Quantity, string Type, decimal? LimitPrice, string TimeInForce);

    internal sealed record FaultBody(string? Target, string? Mode);

    private sealed class DependencyState(string name, DateTimeOffset startedAt)
    {
        public string Name { get; } = name;

        public string Status { get; set; } = "healthy";

        public string Breaker { get; set; } = "closed";

        public DateTimeOffset BreakerUntil { get; set; }

        public DateTimeOffset Since { get; set; } = startedAt;

        public string? LastError { get; set; }

        public DateTimeOffset? LastErrorTime { get; set; }

        public List<(DateTimeOffset Time, string Status)> Timeline { get; } = [(startedAt, "healthy")];
    }

    private sealed class FakeOrder(long id, OrderBody body, DateTimeOffset createdAt)
    {
        public long Id { get; } = id;

        public string Status { get; set; } = "submitted";

        public long FilledQuantity { get; set; }

        public decimal? AverageFillPrice { get; set; }

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public DateTimeOffset UpdatedAt { get; set; } = createdAt;

        public bool IsFinal => Status is "filled" or "cancelled" or "rejected";

        public object ToJson() => new
        {
            id = Id,
            clientOrderId = body.ClientOrderId,
            symbol = body.Symbol,
            side = body.Side,
            quantity = body.Quantity,
            type = body.Type,
            limitPrice = body.LimitPrice,
            timeInForce = body.TimeInForce,
            status = Status,
            filledQuantity = FilledQuantity,
            averageFillPrice = AverageFillPrice,
            attention = "none",
            createdAt = CreatedAt,
            updatedAt = UpdatedAt,
            version = 1,
        };
    }
}
