using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Breakwater.Paper.Faults;

/// <summary>The body of <c>POST /api/paper/faults</c>.</summary>
/// <param name="Target"><c>broker</c> or <c>marketData</c>.</param>
/// <param name="Mode"><c>none</c>, <c>down</c>, <c>hang</c>, <c>errors</c> or <c>slow</c>.</param>
/// <param name="Rate">Fraction of failing calls for <c>errors</c>, 0 to 1; required for that mode only.</param>
/// <param name="LatencyMs">Added delay in milliseconds for <c>slow</c>, 1 to 600000; only for that mode.</param>
public sealed record PaperFaultRequest(string? Target, string? Mode, double? Rate, int? LatencyMs);

/// <summary>One target's fault as the endpoints return it.</summary>
public sealed record PaperFaultView(string Mode, double? Rate, int? LatencyMs);

/// <summary>The faults of both targets.</summary>
public sealed record PaperFaultsView(PaperFaultView Broker, PaperFaultView MarketData);

/// <summary>One violated rule of a fault request, as listed in the problem details' <c>errors</c> member.</summary>
public sealed record PaperFaultRequestError(string Field, string Rule, string? Value, string Message);

/// <summary>Maps the HTTP endpoints that read and set the paper faults.</summary>
public static class PaperFaultEndpoints
{
    /// <summary>The route of the fault endpoints.</summary>
    public const string Route = "/api/paper/faults";

    private const int MaxLatencyMs = 600_000;

    /// <summary>Largest accepted body; a valid fault request is under 100 bytes.</summary>
    private const int MaxBodyBytes = 4096;

    /// <summary>Prefix of problem <c>type</c> URIs, the same scheme as the gateway's order API.</summary>
    private const string ProblemTypeBase = "urn:breakwater:problem:";

    /// <summary>
    /// Maps <c>GET /api/paper/faults</c> and <c>POST /api/paper/faults</c>, both requiring an authorized caller.
    /// Map them only when the paper broker is registered. POST returns 200 with the faults of both targets, or 400
    /// with RFC 9457 problem details whose <c>errors</c> member lists each invalid field with its rule and value.
    /// </summary>
    public static RouteGroupBuilder MapPaperFaultEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(Route).RequireAuthorization().WithTags("Paper faults");
        group.MapGet("", (PaperFaultInjector faults) => TypedResults.Ok(Describe(faults)))
            .WithName("GetPaperFaults");
        group.MapPost("", SetFault)
            .WithName("SetPaperFault");
        return group;
    }

    internal static async Task<IResult> SetFault(
        HttpContext context, PaperFaultInjector faults, CancellationToken cancellationToken)
    {
        if (!context.Request.HasJsonContentType())
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                detail: "The fault request must be sent with Content-Type: application/json.",
                type: ProblemTypeBase + "unsupported-media-type");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = MaxBodyBytes;
        }

        using var buffer = new MemoryStream();
        try
        {
            await context.Request.Body.CopyToAsync(buffer, cancellationToken);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            buffer.SetLength(MaxBodyBytes + 1);
        }

        if (buffer.Length > MaxBodyBytes)
        {
            return Invalid([new("$", "maxBytes", null, $"The body must be at most {MaxBodyBytes} bytes.")]);
        }

        var parseErrors = new List<PaperFaultRequestError>();
        var request = PaperFaultRequestParser.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), parseErrors);
        if (request is null)
        {
            return Invalid(parseErrors);
        }

        var errors = Validate(request, out var target, out var fault);
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        faults.SetFault(target, fault);
        return TypedResults.Ok(Describe(faults));
    }

    internal static PaperFaultsView Describe(PaperFaultInjector faults) => new(
        View(faults.GetFault(PaperFaultTarget.Broker)),
        View(faults.GetFault(PaperFaultTarget.MarketData)));

    private static List<PaperFaultRequestError> Validate(
        PaperFaultRequest request,
        out PaperFaultTarget target,
        out PaperFault fault)
    {
        var errors = new List<PaperFaultRequestError>();
        target = PaperFaultTarget.Broker;
        fault = PaperFault.None;

        if (string.IsNullOrEmpty(request.Target))
        {
            errors.Add(new(
                "target",
                "required",
                null,
                "The field 'target' is required: use 'broker' or 'marketData'."));
        }
        else if (!TryParseTarget(request.Target, out target))
        {
            errors.Add(new(
                "target",
                "oneOf",
                request.Target,
                $"The field 'target' must be 'broker' or 'marketData', but it is '{request.Target}'."));
        }

        var mode = PaperFaultMode.None;
        if (string.IsNullOrEmpty(request.Mode))
        {
            errors.Add(new(
                "mode",
                "required",
                null,
                "The field 'mode' is required: use 'none', 'down', 'hang', 'errors' or 'slow'."));
        }
        else if (!TryParseMode(request.Mode, out mode))
        {
            errors.Add(new(
                "mode",
                "oneOf",
                request.Mode,
                $"The field 'mode' must be 'none', 'down', 'hang', 'errors' or 'slow', but it is '{request.Mode}'."));
        }

        ValidateRate(request, mode, errors);
        ValidateLatency(request, mode, errors);

        if (errors.Count == 0)
        {
            fault = new PaperFault(
                mode,
                mode == PaperFaultMode.Errors ? request.Rate!.Value : 0,
                mode == PaperFaultMode.Slow ? TimeSpan.FromMilliseconds(request.LatencyMs!.Value) : TimeSpan.Zero);
        }

        return errors;
    }

    private static void ValidateRate(
        PaperFaultRequest request,
        PaperFaultMode mode,
        List<PaperFaultRequestError> errors)
    {
        if (request.Rate is { } rate)
        {
            if (!(rate >= 0 && rate <= 1))
            {
                errors.Add(new(
                    "rate",
                    "range",
                    Format(rate),
                    $"The field 'rate' must be between 0 and 1, but it is {Format(rate)}."));
            }
            else if (mode != PaperFaultMode.Errors)
            {
                errors.Add(new(
                    "rate",
                    "onlyWithErrors",
                    Format(rate),
                    "The field 'rate' applies only to mode 'errors'; remove it or set mode to 'errors'."));
            }
        }
        else if (mode == PaperFaultMode.Errors)
        {
            errors.Add(new("rate", "required", null, "The field 'rate' (0 to 1) is required for mode 'errors'."));
        }
    }

    private static void ValidateLatency(
        PaperFaultRequest request,
        PaperFaultMode mode,
        List<PaperFaultRequestError> errors)
    {
        if (request.LatencyMs is { } latency)
        {
            var value = latency.ToString(CultureInfo.InvariantCulture);
            if (latency is < 1 or > MaxLatencyMs)
            {
                errors.Add(new(
                    "latencyMs",
                    "range",
                    value,
                    $"The field 'latencyMs' must be between 1 and {MaxLatencyMs}, but it is {value}."));
            }
            else if (mode != PaperFaultMode.Slow)
            {
                errors.Add(new(
                    "latencyMs",
                    "onlyWithSlow",
                    value,
                    "The field 'latencyMs' applies only to mode 'slow'; remove it or set mode to 'slow'."));
            }
        }
        else if (mode == PaperFaultMode.Slow)
        {
            errors.Add(new(
                "latencyMs",
                "required",
                null,
                $"The field 'latencyMs' (1 to {MaxLatencyMs}) is required for mode 'slow'."));
        }
    }

    private static IResult Invalid(IReadOnlyList<PaperFaultRequestError> errors) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "The fault request is invalid.",
        detail: string.Join(" ", errors.Select(error => error.Message)),
        type: ProblemTypeBase + "validation",
        extensions: new Dictionary<string, object?> { ["errors"] = errors });

    private static bool TryParseTarget(string text, out PaperFaultTarget target)
    {
        foreach (var candidate in Enum.GetValues<PaperFaultTarget>())
        {
            if (string.Equals(text, PaperFaultInjector.TargetName(candidate), StringComparison.OrdinalIgnoreCase))
            {
                target = candidate;
                return true;
            }
        }

        target = PaperFaultTarget.Broker;
        return false;
    }

    private static bool TryParseMode(string text, out PaperFaultMode mode)
    {
        foreach (var candidate in Enum.GetValues<PaperFaultMode>())
        {
            if (string.Equals(text, PaperFaultInjector.ModeName(candidate), StringComparison.OrdinalIgnoreCase))
            {
                mode = candidate;
                return true;
            }
        }

        mode = PaperFaultMode.None;
        return false;
    }

    private static PaperFaultView View(PaperFault fault) => new(
        PaperFaultInjector.ModeName(fault.Mode),
        fault.Mode == PaperFaultMode.Errors ? fault.Rate : null,
        fault.Mode == PaperFaultMode.Slow ? (int)fault.Latency.TotalMilliseconds : null);

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
