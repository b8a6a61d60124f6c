using System.Globalization;

namespace Breakwater.Ibkr.Protocol;

/// <summary>
/// Reads the fields of one incoming message in order. Every read checks that the field exists and parses, and
/// throws <see cref="IbProtocolException"/> otherwise, so a truncated or garbled message never yields a default value.
/// </summary>
internal struct IbFieldReader
{
    private readonly string[] _fields;
    private int _position;

    public IbFieldReader(string[] fields)
    {
        _fields = fields;
        _position = 0;
    }

    public readonly int Remaining => _fields.Length - _position;

    public string ReadString()
    {
        if (_position >= _fields.Length)
        {
            throw new IbProtocolException(
                $"Message {DescribeId()} ended after {_fields.Length} fields while field {_position + 1} was expected.");
        }

        return _fields[_position++];
    }

    public void Skip(int count)
    {
        for (var i = 0; i < count; i++)
        {
            ReadString();
        }
    }

    /// <summary>Reads an integer; an empty field means 0, as in IBKR's own readers.</summary>
    public int ReadInt()
    {
        var text = ReadString();
        if (text.Length == 0)
        {
            return 0;
        }

        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Invalid(text, "an integer");
    }

    public long ReadLong()
    {
        var text = ReadString();
        if (text.Length == 0)
        {
            return 0;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Invalid(text, "a long integer");
    }

    /// <summary>
    /// Reads a decimal quantity or price. Returns null for the unset forms: an empty field, the maximum int or long,
    /// or the maximum double.
    /// </summary>
    public decimal? ReadDecimal()
    {
        var text = ReadString();
        if (IsUnset(text))
        {
            return null;
        }

        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var wide)
            && double.IsFinite(wide))
        {
            return wide is > (double)decimal.MaxValue or < (double)decimal.MinValue ? null : (decimal)wide;
        }

        throw Invalid(text, "a decimal number");
    }

    private static bool IsUnset(string text) =>
        text.Length == 0
        || text == "2147483647"
        || text == "9223372036854775807"
        || text.StartsWith("1.7976931348623157", StringComparison.Ordinal)
        || text.Equals("Infinity", StringComparison.Ordinal);

    private readonly string DescribeId() => _fields.Length > 0 ? $"id '{_fields[0]}'" : "without fields";

    private readonly IbProtocolException Invalid(string text, string expected) =>
        new($"Field {_position} of message {DescribeId()} is '{Truncate(text)}', which is not {expected}.");

    private static string Truncate(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "...");
}
