using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Breakwater.Gateway.Api;

/// <summary>
/// Reads strings and numbers from a parsed JSON body without trusting its encoding or the precision of
/// <see cref="decimal"/>, and renders what the client sent so that it can be echoed back safely.
/// </summary>
internal static class JsonText
{
    /// <summary>Exponents beyond this are clamped; no accepted number comes close to them.</summary>
    private const int ExponentClamp = 100_000;

    /// <summary>
    /// Returns the element's string value, or null when it contains invalid UTF-8 or an unpaired UTF-16 surrogate escape
    /// such as <c>"\ud800"</c>, which <see cref="JsonElement.GetString"/> cannot turn into a .NET string.
    /// </summary>
    public static string? TryGetString(JsonElement element)
    {
        try
        {
            return element.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Returns the element's JSON text as sent, with every byte that is not valid UTF-8 written as <c>\xHH</c>, so that
    /// it can be shown in an error message.
    /// </summary>
    public static string Render(JsonElement element) => Render(JsonMarshal.GetRawUtf8Value(element));

    /// <summary>Returns the property name as sent, with invalid UTF-8 written as <c>\xHH</c>.</summary>
    public static string RenderName(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return Render(JsonMarshal.GetRawUtf8PropertyName(property));
        }
    }

    /// <summary>Decodes <paramref name="utf8"/>, writing each byte of an invalid sequence as <c>\xHH</c>.</summary>
    public static string Render(ReadOnlySpan<byte> utf8)
    {
        var builder = new StringBuilder(utf8.Length);
        while (!utf8.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(utf8, out var rune, out var consumed);
            if (status == System.Buffers.OperationStatus.Done)
            {
                builder.Append(rune.ToString());
            }
            else
            {
                for (var i = 0; i < consumed; i++)
                {
                    builder.Append(CultureInfo.InvariantCulture, $"\\x{utf8[i]:X2}");
                }
            }

            utf8 = utf8[consumed..];
        }

        return builder.ToString();
    }

    /// <summary>
    /// Returns the offset of the first byte that is not part of a valid UTF-8 sequence, or -1 when all of
    /// <paramref name="utf8"/> is valid.
    /// </summary>
    public static int FindInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        var offset = 0;
        while (offset < utf8.Length)
        {
            if (Rune.DecodeFromUtf8(utf8[offset..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return -1;
    }

    /// <summary>
    /// Measures a JSON number exactly from its text: the decimal places it needs (0 for a whole number, after
    /// dropping trailing zeros, so <c>1.50</c> needs 1 and <c>1e2</c> needs 0) and its count of significant digits.
    /// </summary>
    /// <remarks>
    /// <see cref="JsonElement.TryGetDecimal"/> rounds to 28 or 29 significant digits, so <c>0.9999…9</c> with 32
    /// nines becomes 1; checking the text first keeps such a value from turning into a different order.
    /// </remarks>
    public static (int DecimalPlaces, int SignificantDigits) MeasureNumber(JsonElement element)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        var index = 0;
        if (index < raw.Length && raw[index] == (byte)'-')
        {
            index++;
        }

        var digits = new StringBuilder();
        var fractionLength = 0;
        var inFraction = false;
        for (; index < raw.Length; index++)
        {
            var c = raw[index];
            if (c == (byte)'.')
            {
                inFraction = true;
            }
            else if (c is >= (byte)'0' and <= (byte)'9')
            {
                digits.Append((char)c);
                fractionLength += inFraction ? 1 : 0;
            }
            else
            {
                break;
            }
        }

        var exponent = 0L;
        if (index < raw.Length && raw[index] is (byte)'e' or (byte)'E')
        {
            index++;
            var negative = index < raw.Length && raw[index] == (byte)'-';
            if (index < raw.Length && raw[index] is (byte)'-' or (byte)'+')
            {
                index++;
            }

            for (; index < raw.Length; index++)
            {
                exponent = Math.Min(exponent * 10 + (raw[index] - '0'), ExponentClamp);
            }

            exponent = negative ? -exponent : exponent;
        }

        var significant = digits.ToString().TrimStart('0');
        var trimmed = significant.TrimEnd('0');
        var trailingZeros = significant.Length - trimmed.Length;
        var scale = fractionLength - exponent - trailingZeros;
        var decimalPlaces = trimmed.Length == 0 ? 0 : (int)Math.Clamp(scale, 0, ExponentClamp * 2);
        return (decimalPlaces, trimmed.Length);
    }
}
