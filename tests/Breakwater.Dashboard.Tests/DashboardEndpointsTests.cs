using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Breakwater.Dashboard.Tests;

/// <summary>Serves the dashboard from a real Kestrel server on loopback and checks the HTTP contract of its files.</summary>
public sealed partial class DashboardEndpointsTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapBreakwaterDashboard();
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Theory]
    [InlineData("/", "text/html")]
    [InlineData("/dashboard/main.js", "text/javascript")]
    [InlineData("/dashboard/app.css", "text/css")]
    [InlineData("/dashboard/favicon.svg", "image/svg+xml")]
    public async Task Get_KnownFile_ReturnsContentWithType(string path, string mediaType)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 0);
    }

    [Fact]
    public async Task Get_Page_SendsStrictSecurityHeaders()
    {
        using var response = await _client.GetAsync("/");

        var policy = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("style-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", string.Join(',', response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.NotNull(response.Headers.ETag);
    }

    [Fact]
    public async Task Get_MatchingETag_ReturnsNotModified()
    {
        using var first = await _client.GetAsync("/dashboard/main.js");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/main.js");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using var second = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Head_Page_ReturnsHeadersWithoutBody()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "/");

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Content.Headers.ContentLength > 0);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/dashboard/missing.js")]
    [InlineData("/dashboard/")]
    [InlineData("/dashboard/../index.html")]
    public async Task Get_UnknownFile_ReturnsNotFound(string path)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Page_Markup_HasNoInlineCode()
    {
        var html = await _client.GetStringAsync("/");

        Assert.DoesNotMatch(InlineScript(), html);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(StyleAttribute(), html);
        Assert.DoesNotMatch(EventHandlerAttribute(), html);
    }

    [Fact]
    public async Task Page_ReferencedFiles_AreAllServed()
    {
        var html = await _client.GetStringAsync("/");
        var main = await _client.GetStringAsync("/dashboard/main.js");
        var references = LocalReference().Matches(html).Select(m => "/" + m.Groups["path"].Value)
            .Concat(ModuleImport().Matches(main).Select(m => "/dashboard/" + m.Groups["file"].Value))
            .Distinct()
            .ToList();

        Assert.Contains("/dashboard/main.js", references);
        Assert.Contains("/dashboard/view.js", references);
        foreach (var reference in references)
        {
            using var response = await _client.GetAsync(reference);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{reference} returned {(int)response.StatusCode}.");
        }
    }

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"\sstyle\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex StyleAttribute();

    [GeneratedRegex(@"\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex EventHandlerAttribute();

    [GeneratedRegex(@"(?:src|href)=""(?<path>dashboard/[^""]*)""")]
    private static partial Regex LocalReference();

    [GeneratedRegex(@"from '\./(?<file>[a-z-]+\.js)'")]
    private static partial Regex ModuleImport();
}
