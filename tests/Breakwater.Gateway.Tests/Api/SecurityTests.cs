using System.Net;
using System.Net.Http.Headers;
using Breakwater.Gateway.Tests.Infrastructure;

namespace Breakwater.Gateway.Tests.Api;

public sealed class SecurityTests : IAsyncLifetime
{
    private readonly GatewayFactory _factory = new();

    public Task InitializeAsync() => _factory.WaitUntilRunningAsync();

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Theory]
    [InlineData("POST", "/api/orders")]
    [InlineData("GET", "/api/orders")]
    [InlineData("GET", "/api/orders/1")]
    [InlineData("DELETE", "/api/orders/1")]
    [InlineData("POST", "/api/orders/cancel-all")]
    [InlineData("GET", "/api/market-data/AAPL")]
    public async Task Endpoint_NoToken_Returns401Problem(string method, string path)
    {
        var client = _factory.CreateClient();

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method == "POST" ? ApiTestHelpers.JsonBody(ApiTestHelpers.Market("a")) : null,
        });

        var problem = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Equal(0, _factory.Journal.InsertCalls);
    }

    [Theory]
    [InlineData("Bearer wrong-token-wrong-token")]
    [InlineData("Bearer ")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task PostOrder_WrongCredentials_Returns401WithoutEcho(string header)
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);

        var response = await client.PostOrderAsync(ApiTestHelpers.Market("a"));

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(header, body, StringComparison.Ordinal);
        Assert.Equal(0, _factory.Journal.InsertCalls);
    }

    [Fact]
    public async Task Health_NoToken_Returns200()
    {
        var client = _factory.CreateClient();

        var response = await client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task PostOrder_RightToken_Accepted()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFactory.Token);

        var response = await client.PostOrderAsync(ApiTestHelpers.Market("ok"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}

public sealed class GeneratedTokenTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Start_NoConfiguredToken_WritesOwnerOnlyTokenFileAndAcceptsIt()
    {
        await using var factory = new GatewayFactory(new() { ["Breakwater:ApiToken"] = "" });
        await factory.WaitUntilRunningAsync();
        var path = Path.Combine(factory.DataDirectory, "api-token");
        var token = (await File.ReadAllTextAsync(path)).Trim();
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var response = await client.GetAsync("/api/orders");

        Assert.Equal(43, token.Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

public sealed class HealthIntegrationTests : IAsyncLifetime
{
    private readonly GatewayFactory _factory = new();

    public Task InitializeAsync() => _factory.WaitUntilRunningAsync();

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Status_NoToken_Returns401()
    {
        var response = await _factory.CreateClient().GetAsync("/api/status");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Status_WithToken_ShowsOpenOrderCount()
    {
        var client = await _factory.CreateAuthorizedClientAsync();
        await client.PostOrderAsync(ApiTestHelpers.Limit("open-1"));
        await client.PostOrderAsync(ApiTestHelpers.Limit("open-2"));

        var response = await client.GetAsync("/api/status");

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"openOrders\":2", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_NoToken_IsAnonymous()
    {
        var response = await _factory.CreateClient().GetAsync("/api/health/ready");

        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotEqual(HttpStatusCode.NotFound, response.StatusCode);
    }
}
