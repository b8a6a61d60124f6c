using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Breakwater.Domain.Lifecycle;
using Breakwater.Health.Breakers;
using Breakwater.Health.Monitoring;
using Breakwater.Health.Options;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Breakwater.Health.Endpoints;

/// <summary>Request handlers of the health, status and readiness endpoints.</summary>
internal sealed class HealthEndpoints
{
    private static readonly byte[] LivenessBody = """{"status":"pass"}"""u8.ToArray();
    private static readonly byte[] StartupPendingBody =
        """{"status":"fail","output":"The first health checks have not finished."}"""u8.ToArray();

    private readonly HealthSnapshotStore _store;
    private readonly GatewayLifecycle _lifecycle;
    private readonly IBreakerStateSource _breakers;
    private readonly IOpenOrderCounter? _openOrders;
    private readonly TimeProvider _timeProvider;
    private readonly HealthOptions _options;
    private readonly ServiceIdentity _identity;
    private RenderedReadiness? _readiness;

    public HealthEndpoints(
        HealthSnapshotStore store,
        GatewayLifecycle lifecycle,
        IBreakerStateSource breakers,
        TimeProvider timeProvider,
        IOptions<HealthOptions> options,
        IServiceProvider services)
    {
        _store = store;
        _lifecycle = lifecycle;
        _breakers = breakers;
        _openOrders = services.GetService<IOpenOrderCounter>();
        _timeProvider = timeProvider;
        _options = options.Value;
        _identity = CreateIdentity(_options);
    }

    public static Task WriteLivenessAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = ReadinessWriter.ContentType;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.Body.WriteAsync(LivenessBody).AsTask();
    }

    public Task WriteReadinessAsync(HttpContext context)
    {
        var snapshot = _store.Current;
        var lifecycle = _lifecycle.State;

        // The body depends only on the snapshot and the lifecycle state, so it is rendered once per change and every
        // request in between writes the same bytes.
        var cached = Volatile.Read(ref _readiness);
        if (cached is null || cached.Version != snapshot.Version || cached.Lifecycle != lifecycle)
        {
            cached = RenderReadiness(snapshot, lifecycle);
            Volatile.Write(ref _readiness, cached);
        }

        context.Response.StatusCode = cached.StatusCode;
        context.Response.ContentType = ReadinessWriter.ContentType;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentLength = cached.Body.Length;
        return context.Response.Body.WriteAsync(cached.Body, context.RequestAborted).AsTask();
    }

    public Task WriteStartupAsync(HttpContext context)
    {
        var complete = _store.Current.IsComplete;
        context.Response.StatusCode = complete ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = ReadinessWriter.ContentType;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.Body.WriteAsync(complete ? LivenessBody : StartupPendingBody).AsTask();
    }

    public IResult GetStatus()
    {
        var snapshot = _store.Current;
        var now = _timeProvider.GetUtcNow();
        var lifecycle = _lifecycle.State;
        var verdict = Decide(snapshot, lifecycle);
        var dependencies = snapshot.DependencyNames
            .Select(name => DescribeDependency(name, snapshot.Dependencies.FirstOrDefault(d => d.Name == name), now))
            .ToArray();
        var transitions = _store.GetTransitions()
            .Select(transition => new TransitionResponse(
                transition.Subject,
                transition.From?.ToText(),
                transition.To.ToText(),
                transition.Reason,
                transition.Time))
            .ToArray();

        var response = new StatusResponse(
            _identity.ServiceId,
            _identity.Version,
            _identity.ReleaseId,
            snapshot.IsComplete ? snapshot.Status.ToText() : "unknown",
            verdict.StatusCode == StatusCodes.Status200OK,
            ReadinessWriter.LifecycleText(lifecycle),
            now,
            _store.StartedAt,
            Math.Round(_store.Uptime.TotalSeconds, 3),
            _openOrders?.CountOpenOrders(),
            dependencies,
            transitions,
            HealthSnapshotStore.TimelineWindow.TotalSeconds);
        return TypedResults.Json(response, StatusJson.Options);
    }

    private RenderedReadiness RenderReadiness(HealthSnapshot snapshot, LifecycleState lifecycle)
    {
        var verdict = Decide(snapshot, lifecycle);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            ReadinessWriter.Write(writer, snapshot, verdict, _identity, lifecycle);
        }

        return new RenderedReadiness(snapshot.Version, lifecycle, verdict.StatusCode, buffer.WrittenSpan.ToArray());
    }

    private ReadinessVerdict Decide(HealthSnapshot snapshot, LifecycleState lifecycle)
    {
        if (lifecycle == LifecycleState.Stopping)
        {
            return new ReadinessVerdict(StatusCodes.Status503ServiceUnavailable, "fail", "The gateway is stopping.");
        }

        // Orders are rejected until the start-up reconciliation with the broker has finished.
        if (lifecycle == LifecycleState.Starting)
        {
            return new ReadinessVerdict(
                StatusCodes.Status503ServiceUnavailable, "fail", "The gateway is starting: reconciling with the broker.");
        }

        if (!snapshot.IsComplete)
        {
            return new ReadinessVerdict(
                StatusCodes.Status503ServiceUnavailable, "fail", "The first health checks have not finished.");
        }

        return snapshot.Status switch
        {
            HealthStatus.Healthy => new ReadinessVerdict(StatusCodes.Status200OK, "pass", null),
            HealthStatus.Degraded => new ReadinessVerdict(
                _options.DegradedIsUnavailable ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK,
                "warn",
                "At least one dependency is degraded or a non-critical dependency is unhealthy."),
            _ => new ReadinessVerdict(
                StatusCodes.Status503ServiceUnavailable, "fail", "A critical dependency is unhealthy."),
        };
    }

    private DependencyStatusResponse DescribeDependency(string name, DependencySnapshot? latest, DateTimeOffset now)
    {
        var breaker = ReadBreaker(name) ?? latest?.Breaker;
        var timeline = _store.GetTimeline(name, now)
            .Select(sample => new TimelineSampleResponse(sample.Time, sample.Status.ToText()))
            .ToArray();
        if (latest is null)
        {
            return new DependencyStatusResponse(
                name, _options.For(name)?.Critical ?? false, "unknown", null, null, ToResponse(breaker), null, timeline);
        }

        var probe = new ProbeResponse(
            latest.ProbeStatus.ToText(),
            Math.Round(latest.ProbeDuration.TotalMilliseconds, 3),
            latest.ObservedValue is { } value ? Math.Round(value, 3) : null,
            latest.ObservedUnit,
            latest.Time,
            latest.Output);
        var lastError = latest.LastError is { } message && latest.LastErrorTime is { } errorTime
            ? new LastErrorResponse(message, errorTime)
            : null;
        return new DependencyStatusResponse(
            name, latest.Critical, latest.Status.ToText(), latest.StatusSince, probe, ToResponse(breaker), lastError, timeline);
    }

    private BreakerView? ReadBreaker(string name)
    {
        try
        {
            return _breakers.GetBreaker(name);
        }
#pragma warning disable CA1031 // A failing breaker adapter falls back to the state seen at the latest probe.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private static BreakerResponse? ToResponse(BreakerView? breaker) => breaker is null
        ? null
        : new BreakerResponse(
            breaker.State.ToText(),
            breaker.RetryAfter is { } retryAfter ? Math.Round(retryAfter.TotalSeconds, 3) : null,
            breaker.LastTransitionReason,
            breaker.LastTransitionTime);

    private static ServiceIdentity CreateIdentity(HealthOptions options)
    {
        var assembly = Assembly.GetEntryAssembly() ?? typeof(HealthEndpoints).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var releaseId = options.ReleaseId ?? informational ?? assembly.GetName().Version?.ToString() ?? "unknown";
        var version = options.Version ?? releaseId.Split('.', 2)[0];
        return new ServiceIdentity(version, releaseId, options.ServiceId, options.Description);
    }
}

/// <summary>A readiness body rendered for one snapshot version and lifecycle state.</summary>
internal sealed record RenderedReadiness(long Version, LifecycleState Lifecycle, int StatusCode, byte[] Body);

/// <summary>JSON settings of the status endpoint: camelCase names, as ASP.NET Core's web defaults.</summary>
internal static class StatusJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
