using System.Net;
using Breakwater.Domain.Dependencies;
using Breakwater.Gateway.Tests.Infrastructure;

namespace Breakwater.Gateway.Tests.Api;

/// <summary>A 503 tells the client which dependency failed without passing on a provider's error text.</summary>
public sealed class ProblemDetailTests : IAsyncLifetime
{
    private const string ProviderText = "connection to ib-host-7.internal:4002 as user trader refused";

    private readonly GatewayFactory _factory = new();
    private HttpClient _client = null!;

    public async Task InitializeAsync() => _client = await _factory.CreateAuthorizedClientAsync();

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task PostOrder_BrokerUnavailable_DetailIsFixedSentence()
    {
        _factory.Broker.OnPlace = _ => throw new DependencyUnavailableException(
            DependencyNames.Broker, ProviderText, TimeSpan.FromSeconds(2));

        var response = await _client.PostOrderAsync(ApiTestHelpers.Limit("p-1"));

        var detail = (await response.ReadJsonAsync()).GetProperty("detail").GetString();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(
            "The broker is unavailable, and calls to it are paused until the Retry-After delay has passed. " +
            "The order was journaled as rejected and was not sent to the broker.",
            detail);
        Assert.DoesNotContain("ib-host-7", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostOrder_JournalDown_DetailNamesDatabase()
    {
        _factory.Journal.FailWrites = true;

        var response = await _client.PostOrderAsync(ApiTestHelpers.Limit("p-2"));

        var detail = (await response.ReadJsonAsync()).GetProperty("detail").GetString();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.StartsWith("The order journal database ", detail, StringComparison.Ordinal);
    }
}
