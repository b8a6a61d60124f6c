using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Breakwater.Domain.Brokers;
using Breakwater.Paper.Faults;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Breakwater.Paper.Tests.Faults;

public sealed class PaperFaultEndpointsTests : IAsyncLifetime
{
    private const string Token = "test-token";
    private readonly string _dataDirectory =
        Path.Combine(Path.GetTempPath(), "breakwater-paper-endpoints-" + Guid.NewGuid().ToString("N"));

    private WebApplication? _app;
    private HttpClient? _client;

    private HttpClient Client => _client!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Breakwater:DataDirectory"] = _dataDirectory,
        });
        builder.Services.AddSingleton<IBrokerUpdateSink, RecordingSink>();
        builder.Services.AddPaperBroker(builder.Configuration);
        builder.Services.AddAuthentication(TokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenHandler>(TokenHandler.SchemeName, null);
        builder.Services.AddAuthorization();
        _app = builder.Build();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapPaperFaultEndpoints();
        await _app.StartAsync();

        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.Single();
        _client = new HttpClient { BaseAddress = new Uri(address) };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Get_NoFaultSet_ReturnsNoneForBothTargets()
    {
        var faults = await Client.GetFromJsonAsync<PaperFaultsView>(PaperFaultEndpoints.Route);

        Assert.Equal("none", faults!.Broker.Mode);
        Assert.Equal("none", faults.MarketData.Mode);
    }

    [Fact]
    public async Task Post_ValidErrorsFault_AppliesAndReturnsFaults()
    {
        var response = await Client.PostAsJsonAsync(
            PaperFaultEndpoints.Route,
            new { target = "broker", mode = "errors", rate = 0.25 });
        var body = await response.Content.ReadFromJsonAsync<PaperFaultsView>();
        var injector = _app!.Services.GetRequiredService<PaperFaultInjector>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new PaperFaultView("errors", 0.25, null), body!.Broker);
        Assert.Equal(new PaperFault(PaperFaultMode.Errors, 0.25), injector.GetFault(PaperFaultTarget.Broker));
    }

    [Fact]
    public async Task Post_SlowMarketData_GetReturnsLatency()
    {
        await Client.PostAsJsonAsync(
            PaperFaultEndpoints.Route,
            new { target = "marketData", mode = "slow", latencyMs = 500 });

        var faults = await Client.GetFromJsonAsync<PaperFaultsView>(PaperFaultEndpoints.Route);

        Assert.Equal(new PaperFaultView("slow", null, 500), faults!.MarketData);
        Assert.Equal("none", faults.Broker.Mode);
    }

    [Theory]
    [InlineData("""{"target":"broker","mode":"errors","rate":1.5}""", "rate", "range", "1.5")]
    [InlineData("""{"target":"broker","mode":"errors"}""", "rate", "required", null)]
    [InlineData("""{"target":"database","mode":"down"}""", "target", "oneOf", "database")]
    [InlineData("""{"target":"broker","mode":"explode"}""", "mode", "oneOf", "explode")]
    [InlineData("""{"mode":"down"}""", "target", "required", null)]
    [InlineData("""{"target":"broker","mode":"slow"}""", "latencyMs", "required", null)]
    [InlineData("""{"target":"broker","mode":"slow","latencyMs":0}""", "latencyMs", "range", "0")]
    [InlineData("""{"target":"broker","mode":"down","latencyMs":10}""", "latencyMs", "onlyWithSlow", "10")]
    [InlineData("""{"target":"broker","mode":"slow","latencyMs":1e20}""", "latencyMs", "range", "1e20")]
    [InlineData("""{"target":"broker","mode":"slow","latencyMs":2.5}""", "latencyMs", "integer", "2.5")]
    [InlineData("""{"target":"broker","mode":"slow","latencyMs":"10"}""", "latencyMs", "type", "\"10\"")]
    [InlineData("""{"target":"broker","mode":"down","mode":"none"}""", "mode", "duplicate", "\"none\"")]
    [InlineData("""{"target":"broker","mode":"down","colour":"red"}""", "colour", "unknown", "\"red\"")]
    [InlineData("""[]""", "$", "type", "[]")]
    [InlineData("""null""", "$", "type", "null")]
    public async Task Post_InvalidField_Returns400NamingFieldRuleAndValue(
        string json,
        string field,
        string rule,
        string? value)
    {
        using var content = new StringContent(json, MediaTypeHeaderValue.Parse("application/json"));

        var response = await Client.PostAsync(PaperFaultEndpoints.Route, content);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = Assert.Single(problem.RootElement.GetProperty("errors").EnumerateArray());
        var injector = _app!.Services.GetRequiredService<PaperFaultInjector>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("urn:breakwater:problem:validation", problem.RootElement.GetProperty("type").GetString());
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Equal(rule, error.GetProperty("rule").GetString());
        Assert.Equal(value, error.GetProperty("value").GetString());
        Assert.Contains(field, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(PaperFault.None, injector.GetFault(PaperFaultTarget.Broker));
    }

    [Fact]
    public async Task Post_BodyNotJson_Returns400()
    {
        using var content = new StringContent("mode=down", MediaTypeHeaderValue.Parse("application/json"));

        var response = await Client.PostAsync(PaperFaultEndpoints.Route, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Post_TargetInOtherCase_IsAccepted()
    {
        var response = await Client.PostAsJsonAsync(
            PaperFaultEndpoints.Route,
            new { target = "MARKETDATA", mode = "Down" });
        var faults = await response.Content.ReadFromJsonAsync<PaperFaultsView>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("down", faults!.MarketData.Mode);
    }

    [Fact]
    public async Task Post_WithoutToken_Returns401()
    {
        using var anonymous = new HttpClient { BaseAddress = Client.BaseAddress };

        var response = await anonymous.PostAsJsonAsync(
            PaperFaultEndpoints.Route,
            new { target = "broker", mode = "down" });
        var injector = _app!.Services.GetRequiredService<PaperFaultInjector>();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(PaperFault.None, injector.GetFault(PaperFaultTarget.Broker));
    }

    [Fact]
    public async Task Get_WithoutToken_Returns401()
    {
        using var anonymous = new HttpClient { BaseAddress = Client.BaseAddress };

        var response = await anonymous.GetAsync(PaperFaultEndpoints.Route);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    /// <summary>Accepts one fixed bearer token, standing in for the host's real bearer authentication.</summary>
    private sealed class TokenHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "TestBearer";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers.Authorization.ToString() != $"Bearer {Token}")
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "test")], SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new(identity), SchemeName)));
        }
    }
}
