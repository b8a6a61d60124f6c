using System.Buffers;
using System.Buffers.Binary;
using Breakwater.Ibkr.Protocol;

namespace Breakwater.Ibkr.Tests.Protocol;

public sealed class IbFrameCodecTests
{
    [Fact]
    public void BuildHandshake_Range_MatchesWireLayout()
    {
        var bytes = IbFrameCodec.BuildHandshake(100, 176);

        Assert.Equal("API\0"u8.ToArray(), bytes[..4]);
        Assert.Equal(9, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4)));
        Assert.Equal("v100..176"u8.ToArray(), bytes[8..]);
    }

    [Fact]
    public void BuildFrame_ReqCurrentTime_MatchesKnownBytes()
    {
        var frame = IbFrameCodec.BuildFrame(IbRequests.ReqCurrentTime());

        Assert.Equal(new byte[] { 0, 0, 0, 5, 0x34, 0x39, 0, 0x31, 0 }, frame);
    }

    [Fact]
    public void TryReadFrame_TwoFramesInOneBuffer_ReadsBoth()
    {
        var bytes = IbFrameCodec.BuildFrame(["9", "1", "530"]).Concat(IbFrameCodec.BuildFrame(["53", "1"])).ToArray();
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.True(IbFrameCodec.TryReadFrame(ref buffer, IbWire.MaxFrameLength, out var first));
        Assert.True(IbFrameCodec.TryReadFrame(ref buffer, IbWire.MaxFrameLength, out var second));
        Assert.Equal(["9", "1", "530"], first);
        Assert.Equal(["53", "1"], second);
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void TryReadFrame_PartialFrame_WaitsForMore()
    {
        var bytes = IbFrameCodec.BuildFrame(["4", "2", "-1", "2104", "OK", ""]);
        var buffer = new ReadOnlySequence<byte>(bytes[..^3]);

        Assert.False(IbFrameCodec.TryReadFrame(ref buffer, IbWire.MaxFrameLength, out _));
        Assert.Equal(bytes.Length - 3, buffer.Length);
    }

    [Fact]
    public void TryReadFrame_EmptyLastField_IsKept()
    {
        var buffer = new ReadOnlySequence<byte>(IbFrameCodec.BuildFrame(["71", "2", "7", ""]));

        IbFrameCodec.TryReadFrame(ref buffer, IbWire.MaxFrameLength, out var fields);

        Assert.Equal(["71", "2", "7", ""], fields);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(0x1000000)]
    public void TryReadFrame_LengthOutOfRange_Throws(int length)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(bytes, length);
        var buffer = new ReadOnlySequence<byte>(bytes);

        var error = Assert.Throws<IbProtocolException>(
            () => IbFrameCodec.TryReadFrame(ref buffer, IbWire.MaxFrameLength, out _));

        Assert.Contains(length.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryReadFrame_PayloadWithoutTerminator_Throws()
    {
        byte[] bytes = [0, 0, 0, 2, 0x34, 0x39];
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.Throws<IbProtocolException>(() => IbFrameCodec.TryReadFrame(ref buffer, IbWire.MaxFrameLength, out _));
    }

    [Fact]
    public void BuildFrame_FieldWithNul_Throws()
    {
        Assert.Throws<ArgumentException>(() => IbFrameCodec.BuildFrame(["1", "a\0b"]));
    }

    /// <summary>
    /// Random bytes, random truncations and random field lists fed to the reader and the decoder: the only exception
    /// allowed out is <see cref="IbProtocolException"/>, which closes the connection.
    /// </summary>
    [Fact]
    public void ReadAndDecode_RandomInput_ThrowsOnlyProtocolErrors()
    {
        var random = new Random(20261204);
        var valid = new[]
        {
            IbFrameCodec.BuildFrame(["3", "5", "Filled", "1", "0", "96.79", "2138440174", "0", "96.79", "1", "", "0"]),
            IbFrameCodec.BuildFrame(["1", "6", "5", "1", "100.5", "100", "0"]),
            IbFrameCodec.BuildFrame(["61", "3", "DU1", "1", "AAPL", "STK", "", "0", "", "", "X", "USD", "A", "N", "10", "1"]),
        };
        string[] tokens = ["", "0", "-1", "1e400", "abc", "2147483647", "1.7976931348623157E308", "None", "99999999999999999999"];
        var decoded = 0;
        for (var i = 0; i < 20_000; i++)
        {
            byte[] bytes;
            switch (i % 3)
            {
                case 0:
                    bytes = new byte[random.Next(0, 64)];
                    random.NextBytes(bytes);
                    if (bytes.Length >= 4 && random.Next(2) == 0)
                    {
                        BinaryPrimitives.WriteInt32BigEndian(bytes, bytes.Length - 4);
                    }

                    break;
                case 1:
                    var frame = valid[random.Next(valid.Length)];
                    bytes = frame[..random.Next(0, frame.Length + 1)];
                    break;
                default:
                    var fields = new string[random.Next(1, 40)];
                    fields[0] = random.Next(0, 120).ToString();
                    for (var j = 1; j < fields.Length; j++)
                    {
                        fields[j] = tokens[random.Next(tokens.Length)];
                    }

                    bytes = IbFrameCodec.BuildFrame(fields);
                    break;
            }

            var buffer = new ReadOnlySequence<byte>(bytes);
            try
            {
                while (IbFrameCodec.TryReadFrame(ref buffer, IbWire.MaxFrameLength, out var fields))
                {
                    IbDecoder.Decode(fields);
                    decoded++;
                }
            }
            catch (IbProtocolException)
            {
                // The expected way to reject garbage.
            }
        }

        Assert.True(decoded > 1000, $"Only {decoded} random frames reached the decoder.");
    }
}
