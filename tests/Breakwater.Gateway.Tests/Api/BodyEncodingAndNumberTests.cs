using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Breakwater.Gateway.Tests.Infrastructure;

namespace Breakwater.Gateway.Tests.Api;

/// <summary>
/// Bodies that are not valid Unicode, and numbers whose exact value decimal cannot hold, get 400 naming the field,
/// rule and value, and never reach the journal.
/// </summary>
public sealed class BodyEncodingAndNumberTests : IAsyncLifetime
{
    private const string Prefix = """{"side":"buy","quantity":1,"type":"market","symbol":""";

    private readonly GatewayFactory _factory = new();
    private HttpClient _client = null!;

    public async Task InitializeAsync() => _client = await _factory.CreateAuthorizedClientAsync();

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    public static TheoryData<string, string, string, string> InvalidNumbers => new()
    {
        { "quantity", "0.99999999999999999999999999999999", "integer", "0.99999999999999999999999999999999" },
        { "quantity", "1.0000000000000000000000000000001", "integer", "1.0000000000000000000000000000001" },
        { "quantity", "1e-1", "integer", "1e-1" },
        { "quantity", "1e400", "range", "1e400" },
        { "quantity", "10000000000000000000000000000001", "range", "10000000000000000000000000000001" },
        { "limitPrice", "1.0000000000000000000000000000000001", "precision", "1.0000000000000000000000000000000001" },
        { "limitPrice", "1.000000001", "precision", "1.000000001" },
        { "limitPrice", "1e-30", "precision", "1e-30" },
        { "limitPrice", "1.0000000000000000000000000000001e5", "precision", "1.0000000000000000000000000000001e5" },
    };

    [Fact]
    public async Task PostOrder_InvalidUtf8InValue_Returns400Encoding()
    {
        var body = Encoding.UTF8.GetBytes(Prefix + "\"AA").Concat(new byte[] { 0xFF, 0xFE })
            .Concat(Encoding.UTF8.GetBytes("PL\"}")).ToArray();

        var (status, error) = await PostBytesAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("symbol", error.GetProperty("field").GetString());
        Assert.Equal("encoding", error.GetProperty("rule").GetString());
        Assert.Equal("\"AA\\xFF\\xFEPL\"", error.GetProperty("value").GetString());
        Assert.Equal(0, _factory.Journal.InsertCalls);
    }

    [Fact]
    public async Task PostOrder_LoneSurrogateEscape_Returns400Encoding()
    {
        var (status, error) = await PostBytesAsync(Encoding.UTF8.GetBytes(Prefix + "\"\\ud800\"}"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("symbol", error.GetProperty("field").GetString());
        Assert.Equal("encoding", error.GetProperty("rule").GetString());
        Assert.Equal("\"\\ud800\"", error.GetProperty("value").GetString());
    }

    [Fact]
    public async Task PostOrder_InvalidUtf8InPropertyName_Returns400NotServerError()
    {
        var body = Encoding.UTF8.GetBytes("{\"").Concat(new byte[] { 0xC3, 0x28 })
            .Concat(Encoding.UTF8.GetBytes("\":1," + Prefix[1..] + "\"AAPL\"}")).ToArray();

        var (status, error) = await PostBytesAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("unknown", error.GetProperty("rule").GetString());
        Assert.Equal("\\xC3(", error.GetProperty("field").GetString());
    }

    [Fact]
    public async Task PostOrder_SyntaxError_MessageHasNoReaderInternals()
    {
        var (status, error) = await PostBytesAsync(Encoding.UTF8.GetBytes("""{"symbol":"AAPL",}"""));

        var message = error.GetProperty("message").GetString()!;
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("json", error.GetProperty("rule").GetString());
        Assert.Contains("line 1", message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", message, StringComparison.Ordinal);
        Assert.DoesNotContain("BytePositionInLine", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostOrder_NonAsciiLetterThatUpperCasesToAscii_Returns400Pattern()
    {
        var (status, error) = await PostBytesAsync(Encoding.UTF8.GetBytes(Prefix + "\"\u017fPY\"}"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("symbol", error.GetProperty("field").GetString());
        Assert.Equal("pattern", error.GetProperty("rule").GetString());
        Assert.Empty(_factory.Broker.Placed);
    }

    [Theory]
    [MemberData(nameof(InvalidNumbers))]
    public async Task PostOrder_NumberBeyondDecimalPrecision_Returns400(
        string field, string number, string rule, string value)
    {
        var quantity = field == "quantity" ? number : "1";
        var price = field == "limitPrice" ? number : "1.5";
        var body = $$"""{"symbol":"AAPL","side":"buy","quantity":{{quantity}},"type":"limit","limitPrice":{{price}}}""";

        var (status, error) = await PostBytesAsync(Encoding.UTF8.GetBytes(body));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Equal(rule, error.GetProperty("rule").GetString());
        Assert.Equal(value, error.GetProperty("value").GetString());
        Assert.Equal(0, _factory.Journal.InsertCalls);
    }

    [Theory]
    [InlineData("1e2", "12.5000000000000000000000000000000000")]
    [InlineData("100", "1.12345678")]
    public async Task PostOrder_ExactNumbersWrittenLongOrWithExponent_Accepted(string quantity, string price)
    {
        var body = $$"""{"symbol":"AAPL","side":"buy","quantity":{{quantity}},"type":"limit","limitPrice":{{price}}}""";

        var (status, _) = await PostBytesAsync(Encoding.UTF8.GetBytes(body), expectError: false);

        Assert.Equal(HttpStatusCode.Created, status);
    }

    private async Task<(HttpStatusCode Status, System.Text.Json.JsonElement Error)> PostBytesAsync(
        byte[] body, bool expectError = true)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var response = await _client.PostAsync("/api/orders", content);
        if (!expectError)
        {
            return (response.StatusCode, default);
        }

        var problem = await response.ReadJsonAsync();
        return (response.StatusCode, Assert.Single(problem.GetProperty("errors").EnumerateArray()));
    }
}
