using Breakwater.IbGatewayEmulator;
using Breakwater.Ibkr.Protocol;

namespace Breakwater.Ibkr.Tests.Protocol;

public sealed class IbDecoderTests
{
    [Fact]
    public void Decode_CapturedOrderStatus_ReadsEveryField()
    {
        // An orderStatus captured from IB Gateway at server version 176.
        var message = IbDecoder.Decode(["3", "5", "Filled", "1", "0", "96.79", "2138440174", "0", "96.79", "1", "", "0"]);

        var status = Assert.IsType<IbOrderStatus>(message);
        Assert.Equal(5, status.OrderId);
        Assert.Equal("Filled", status.Status);
        Assert.Equal(1m, status.Filled);
        Assert.Equal(0m, status.Remaining);
        Assert.Equal(96.79m, status.AverageFillPrice);
        Assert.Equal(2138440174L, status.PermId);
    }

    [Fact]
    public void Decode_OpenOrderWithDeltaNeutralNone_FindsStatus()
    {
        var order = new EmulatorOrder
        {
            OrderId = 29, ClientId = 1, PermId = 2138440195, Symbol = "AAPL", Action = "BUY", Quantity = 1,
            OrderType = "LMT", LimitPrice = 87.16m, TimeInForce = "GTC", Account = "DU1234567", OrderRef = "ref-29",
            Status = "PreSubmitted",
        };
        var fields = EmulatorMessages.OpenOrder(order);

        var open = Assert.IsType<IbOpenOrder>(IbDecoder.Decode(fields));

        Assert.Equal(136, fields.Length);
        Assert.Equal("PreSubmitted", fields[94]);
        Assert.Equal("PreSubmitted", open.Status);
        Assert.Equal("ref-29", open.OrderRef);
        Assert.Equal(87.16m, open.LimitPrice);
        Assert.Equal(2138440195L, open.PermId);
        Assert.Equal("DU1234567", open.Account);
    }

    [Fact]
    public void Decode_TruncatedOpenOrder_KeepsOrderWithoutStatus()
    {
        var order = new EmulatorOrder
        {
            OrderId = 3, ClientId = 1, PermId = 9, Symbol = "AAPL", Action = "SELL", Quantity = 2, OrderType = "MKT",
            TimeInForce = "DAY", Account = "DU1", OrderRef = "r",
        };
        var fields = EmulatorMessages.OpenOrder(order)[..40];

        var open = Assert.IsType<IbOpenOrder>(IbDecoder.Decode(fields));

        Assert.Null(open.Status);
        Assert.Equal("SELL", open.Action);
    }

    [Fact]
    public void Decode_CapturedExecution_ReadsIdsAndPrices()
    {
        string[] fields =
        [
            "11", "-1", "5", "623496135", "R", "FUT", "20231227", "0.0", "", "1000", "ICEEU", "GBP", "RZ3", "R",
            "0000e9b5.6555a859.01.01", "20231116-12:15:35", "DU1234567", "ICEEU", "BOT", "1", "96.79", "2138440174",
            "1", "0", "1", "96.79", "5", "", "", "", "1",
        ];

        var execution = Assert.IsType<IbExecution>(IbDecoder.Decode(fields));

        Assert.Equal("0000e9b5.6555a859.01.01", execution.ExecId);
        Assert.Equal(5, execution.OrderId);
        Assert.Equal(96.79m, execution.Price);
        Assert.Equal("5", execution.OrderRef);
        Assert.Equal("BOT", execution.Side);
    }

    [Theory]
    [InlineData("-5", "100", "-5")]
    [InlineData("0", "100", "0")]
    [InlineData("1e30", "100", "1e30")]
    [InlineData("1.5", "100", "1.5")]
    [InlineData("2000000000", "100", "2000000000")]
    [InlineData("", "100", "1")]
    [InlineData("1", "-100", "1")]
    [InlineData("1", "0", "1")]
    [InlineData("1", "abc", "1")]
    [InlineData("1", "1e30", "1")]
    [InlineData("5", "100", "4")]
    public void Decode_ExecutionWithImpossibleNumbers_ThrowsNamingOrderAndExecution(
        string shares, string price, string cumulative)
    {
        string[] fields =
        [
            "11", "-1", "42", "265598", "AAPL", "STK", "", "0", "", "", "SMART", "USD", "AAPL", "AAPL", "E-bad",
            "20261204 16:41:00", "DU1", "SMART", "BOT", shares, price, "555", "1", "0", cumulative, "100", "ref-1",
        ];

        var error = Assert.Throws<IbProtocolException>(() => IbDecoder.Decode(fields));

        Assert.Contains("order 42", error.Message, StringComparison.Ordinal);
        Assert.Contains("E-bad", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_ExecutionWithDecimalWholeShares_ReadsQuantity()
    {
        string[] fields =
        [
            "11", "-1", "42", "265598", "AAPL", "STK", "", "0", "", "", "SMART", "USD", "AAPL", "AAPL", "E-ok",
            "20261204 16:41:00", "DU1", "SMART", "BOT", "100.0", "187.25", "555", "1", "0", "300", "187.1", "ref-1",
        ];

        var execution = Assert.IsType<IbExecution>(IbDecoder.Decode(fields));

        Assert.Equal(100m, execution.Shares);
        Assert.Equal(187.25m, execution.Price);
        Assert.Equal(300m, execution.CumulativeQuantity);
    }

    [Theory]
    [InlineData("2147483647")]
    [InlineData("0")]
    [InlineData("-5")]
    public void Decode_ImplausibleNextValidId_Throws(string value)
    {
        var error = Assert.Throws<IbProtocolException>(() => IbDecoder.Decode(["9", "1", value]));

        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_NextValidId_ReadsId()
    {
        var next = Assert.IsType<IbNextValidId>(IbDecoder.Decode(["9", "1", "1000"]));

        Assert.Equal(1000, next.OrderId);
    }

    [Fact]
    public void Decode_ErrorWithoutJson_ReadsCodeAndText()
    {
        var error = Assert.IsType<IbError>(IbDecoder.Decode(["4", "2", "36", "202", "Order Canceled - reason:"]));

        Assert.Equal(36, error.Id);
        Assert.Equal(202, error.Code);
        Assert.Equal("Order Canceled - reason:", error.Text);
    }

    [Fact]
    public void Decode_UnsetPrice_IsNull()
    {
        var tick = Assert.IsType<IbTickPrice>(IbDecoder.Decode(["1", "6", "5", "1", "1.7976931348623157E308", "", "0"]));

        Assert.Null(tick.Price);
        Assert.Null(tick.Size);
    }

    [Fact]
    public void Decode_UnknownMessage_IsSkipped()
    {
        var message = Assert.IsType<IbUnhandled>(IbDecoder.Decode(["81", "5", "0.01", "9c0001", "3"]));

        Assert.Equal(81, message.MessageId);
    }

    [Fact]
    public void Decode_NonNumericId_Throws()
    {
        var error = Assert.Throws<IbProtocolException>(() => IbDecoder.Decode(["hello", "1"]));

        Assert.Contains("hello", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_TruncatedOrderStatus_Throws()
    {
        Assert.Throws<IbProtocolException>(() => IbDecoder.Decode(["3", "5", "Filled"]));
    }

    [Fact]
    public void PlaceOrder_LimitOrder_Has115Fields()
    {
        var fields = IbRequests.PlaceOrder(new IbStockOrder(101, "AAPL", "BUY", 100, "LMT", 150.50m, "DAY", "", "c-1"));

        Assert.Equal(115, fields.Length);
        Assert.Equal("150.5", fields[19]);
        Assert.Equal("c-1", fields[26]);
        Assert.Equal("-1", fields[46]);
    }
}
