using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Breakwater.Gateway.Tests.Api;

internal static class ApiTestHelpers
{
    public static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    public static Task<HttpResponseMessage> PostOrderAsync(this HttpClient client, string json) =>
        client.PostAsync("/api/orders", JsonBody(json));

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static string Limit(string clientOrderId, decimal price = 99.5m, long quantity = 100) =>
        $$"""{"clientOrderId":"{{clientOrderId}}","symbol":"aapl","side":"buy","quantity":{{quantity}},"type":"limit","limitPrice":{{price}},"timeInForce":"gtc"}""";

    public static string Market(string clientOrderId, long quantity = 100) =>
        $$"""{"clientOrderId":"{{clientOrderId}}","symbol":"AAPL","side":"sell","quantity":{{quantity}},"type":"market"}""";

    public static MediaTypeHeaderValue? ContentType(this HttpResponseMessage response) => response.Content.Headers.ContentType;
}
