using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Breakwater.Ibkr.Protocol;

/// <summary>
/// Splits a byte stream into TWS API frames and builds frames from fields. A frame is a 4-byte big-endian payload
/// length followed by the payload: text fields, each terminated by a NUL byte.
/// </summary>
/// <remarks>All members are stateless and thread-safe.</remarks>
public static class IbFrameCodec
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Builds the opening bytes a client sends: "API\0" and the length-prefixed "v{min}..{max}".</summary>
    public static byte[] BuildHandshake(int minVersion, int maxVersion)
    {
        var range = Encoding.ASCII.GetBytes($"v{minVersion}..{maxVersion}");
        var bytes = new byte[IbWire.HandshakePrefix.Length + 4 + range.Length];
        IbWire.HandshakePrefix.CopyTo(bytes);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(IbWire.HandshakePrefix.Length), range.Length);
        range.CopyTo(bytes.AsSpan(IbWire.HandshakePrefix.Length + 4));
        return bytes;
    }

    /// <summary>Builds one length-prefixed frame whose payload is <paramref name="fields"/>, each NUL-terminated.</summary>
    public static byte[] BuildFrame(IReadOnlyList<string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var length = 0;
        foreach (var field in fields)
        {
            if (field.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"The field '{field.Replace('\0', '?')}' contains a NUL character, which the TWS API uses as the "
                    + "field terminator.",
                    nameof(fields));
            }

            length += Utf8.GetByteCount(field) + 1;
        }

        var frame = new byte[4 + length];
        BinaryPrimitives.WriteInt32BigEndian(frame, length);
        var offset = 4;
        foreach (var field in fields)
        {
            offset += Utf8.GetBytes(field, frame.AsSpan(offset));
            frame[offset++] = 0;
        }

        return frame;
    }

    /// <summary>
    /// Takes one complete frame from the front of <paramref name="buffer"/>. Returns false when the buffer holds only
    /// part of a frame, leaving it untouched.
    /// </summary>
    /// <exception cref="IbProtocolException">
    /// The length prefix is zero, negative or above <paramref name="maxFrameLength"/>, or the payload does not end
    /// with a NUL byte.
    /// </exception>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameLength, out string[] fields)
    {
        fields = [];
        if (buffer.Length < 4)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        var length = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (length <= 0 || length > maxFrameLength)
        {
            throw new IbProtocolException(
                $"A frame announced a payload of {length} bytes; the valid range is 1 to {maxFrameLength} bytes.");
        }

        if (buffer.Length < 4L + length)
        {
            return false;
        }

        var payload = buffer.Slice(4, length);
        fields = SplitFields(payload);
        buffer = buffer.Slice(4L + length);
        return true;
    }

    /// <summary>Splits a payload into fields, dropping the empty piece after the final NUL.</summary>
    public static string[] SplitFields(ReadOnlySequence<byte> payload)
    {
        var bytes = payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray();
        if (bytes.Length == 0 || bytes[^1] != 0)
        {
            throw new IbProtocolException(
                $"A frame payload of {bytes.Length} bytes does not end with the NUL byte that terminates every field.");
        }

        var count = 0;
        foreach (var b in bytes)
        {
            if (b == 0)
            {
                count++;
            }
        }

        var fields = new string[count];
        var start = 0;
        for (var i = 0; i < count; i++)
        {
            var end = bytes[start..].IndexOf((byte)0) + start;
            fields[i] = Utf8.GetString(bytes[start..end]);
            start = end + 1;
        }

        return fields;
    }
}
