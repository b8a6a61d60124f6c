using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Breakwater.Gateway.Api;

/// <summary>Reads a JSON request body up to a size limit, telling apart the cases that get 400, 413 and 415.</summary>
internal static class RequestBodyReader
{
    /// <summary>Largest body the order endpoints accept: 16 KiB, far above any valid order.</summary>
    public const int OrderBodyLimit = 16 * 1024;

    private static ReadOnlySpan<byte> Utf8ByteOrderMark => [0xEF, 0xBB, 0xBF];

    public static async Task<(byte[]? Body, IResult? Problem)> ReadJsonAsync(
        HttpContext context, int limit, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (request.ContentLength > limit)
        {
            return (null, TooLarge(context, limit, request.ContentLength.Value));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(limit + 1);
        try
        {
            var length = 0;
            while (length <= limit)
            {
                var read = await request.Body.ReadAsync(buffer.AsMemory(length, limit + 1 - length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            if (length > limit)
            {
                return (null, TooLarge(context, limit, null));
            }

            if (length == 0)
            {
                return (null, Problems.Validation(context, [new FieldError("$", "required", null, "A JSON body is required.")]));
            }

            if (!request.HasJsonContentType())
            {
                return (null, UnsupportedMediaType(context));
            }

            if (!HasUtf8Charset(request.ContentType))
            {
                return (null, UnsupportedCharset(context));
            }

            // RFC 8259 lets a parser ignore a leading byte order mark, and some clients send one.
            var start = buffer.AsSpan(0, length).StartsWith(Utf8ByteOrderMark) ? Utf8ByteOrderMark.Length : 0;
            return (buffer.AsSpan(start, length - start).ToArray(), null);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(context, limit, null));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Returns whether the Content-Type names no charset or UTF-8; JSON between systems must be UTF-8 (RFC 8259), and
    /// a body declared as UTF-16 would otherwise be read as if it were UTF-8.
    /// </summary>
    private static bool HasUtf8Charset(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType) || mediaType.Charset.Length == 0)
        {
            return true;
        }

        var charset = mediaType.Charset.Value?.Trim('"') ?? string.Empty;
        return charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
    }

    private static IResult UnsupportedCharset(HttpContext context)
    {
        var contentType = OrderRequestParser.Truncate(context.Request.ContentType ?? string.Empty);
        var problem = Problems.Create(
            context, StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
            $"The body must be UTF-8, but the Content-Type '{contentType}' names another charset.")
            with
            {
                Errors =
                [
                    new FieldError(
                        "Content-Type", "charset", contentType,
                        "Send the body as UTF-8 with Content-Type: application/json or application/json; charset=utf-8."),
                ],
            };
        return Problems.Result(problem);
    }

    private static IResult UnsupportedMediaType(HttpContext context)
    {
        var contentType = context.Request.ContentType is { } sent ? OrderRequestParser.Truncate(sent) : null;
        var problem = Problems.Create(
            context, StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
            $"The body must be sent as application/json, but the Content-Type is '{contentType ?? "(none)"}'.")
            with
            {
                Errors = [new FieldError("Content-Type", "mediaType", contentType, "Send Content-Type: application/json.")],
            };
        return Problems.Result(problem);
    }

    private static IResult TooLarge(HttpContext context, int limit, long? length)
    {
        var value = length?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var problem = Problems.Create(
            context, StatusCodes.Status413PayloadTooLarge, "payload-too-large",
            $"The body must be at most {limit} bytes.")
            with
            {
                Errors = [new FieldError("$", "maxBytes", value, $"The body must be at most {limit} bytes.")],
            };
        return Problems.Result(problem);
    }
}
