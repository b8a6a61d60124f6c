using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Breakwater.Gateway.Tests.Infrastructure;

namespace Breakwater.Gateway.Tests.Api;

/// <summary>A UTF-8 byte order mark is accepted, and a charset other than UTF-8 gets 415.</summary>
public sealed class ContentTypeTests : IAsyncLifetime
{
    private readonly GatewayFactory _factory = new();
    private HttpClient _client = null!;

    public async Task InitializeAsync() => _client = await _factory.CreateAuthorizedClientAsync();

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task PostOrder_Utf8ByteOrderMark_Accepted()
    {
        var body = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(ApiTestHelpers.Market("bom-1"))).ToArray();

        var response = await PostAsync(body, "application/json");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=UTF8")]
    [InlineData("application/json; charset=\"utf-8\"")]
    public async Task PostOrder_Utf8Charset_Accepted(string contentType)
    {
        var response = await PostAsync(Encoding.UTF8.GetBytes(ApiTestHelpers.Market("cs-" + contentType.Length)), contentType);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("application/json; charset=iso-8859-1")]
    public async Task PostOrder_OtherCharset_Returns415NamingContentType(string contentType)
    {
        var response = await PostAsync(Encoding.UTF8.GetBytes(ApiTestHelpers.Market("cs-other")), contentType);

        var problem = await response.ReadJsonAsync();
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("Content-Type", error.GetProperty("field").GetString());
        Assert.Equal("charset", error.GetProperty("rule").GetString());
        Assert.Equal(contentType, error.GetProperty("value").GetString());
        Assert.Equal(0, _factory.Journal.InsertCalls);
    }

    private Task<HttpResponseMessage> PostAsync(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return _client.PostAsync("/api/orders", content);
    }
}
