using System.Net;
using System.Text.Json;
using Breakwater.Gateway.Tests.Api;
using Breakwater.Gateway.Tests.Infrastructure;

namespace Breakwater.Gateway.Tests.RealProcess;

/// <summary>Runs the built gateway as a real process with the SQLite journal and the paper broker.</summary>
public sealed class GatewayProcessTests
{
    [Fact]
    public async Task Gateway_OverLoopback_PlacesAndCancelsOrders()
    {
        await using var gateway = await GatewayProcess.StartAsync();
        await gateway.WaitForRunningAsync();
        using var client = gateway.CreateClient();

        var market = await client.PostOrderAsync(ApiTestHelpers.Market("proc-m-1"));
        var resting = await client.PostOrderAsync(ApiTestHelpers.Limit("proc-l-1", price: 1.00m));
        var restingId = (await resting.ReadJsonAsync()).GetProperty("id").GetInt64();
        var cancel = await client.DeleteAsync($"/api/orders/{restingId}");
        var cancelled = await WaitForStatusAsync(client, restingId, "cancelled");

        Assert.Equal(HttpStatusCode.Created, market.StatusCode);
        Assert.Equal("filled", (await WaitForStatusAsync(client, (await market.ReadJsonAsync()).GetProperty("id").GetInt64(), "filled"))
            .GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Created, resting.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Gateway_OversizedAndChunkedBodies_Return413()
    {
        await using var gateway = await GatewayProcess.StartAsync();
        using var client = gateway.CreateClient();
        var padding = new string(' ', 64 * 1024);
        using var chunked = new ChunkedContent(System.Text.Encoding.UTF8.GetBytes(ApiTestHelpers.Market("big-2") + padding));
        chunked.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var declared = await client.PostOrderAsync(ApiTestHelpers.Market("big-1") + padding);
        var streamed = await client.PostAsync("/api/orders", chunked);
        var list = await (await client.GetAsync("/api/orders")).ReadJsonAsync();

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Equal("application/problem+json", declared.ContentType()?.MediaType);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
        Assert.True(streamed.RequestMessage!.Headers.TransferEncodingChunked);
        Assert.Equal(0, list.GetProperty("orders").GetArrayLength());
    }

    [Fact]
    public async Task Gateway_Sigterm_ExitsCleanly()
    {
        await using var gateway = await GatewayProcess.StartAsync();
        await gateway.WaitForRunningAsync();

        await gateway.SendSignalAsync("TERM");
        var exitCode = await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, exitCode);
        Assert.Contains("Application is shutting down", gateway.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_NoConfiguredToken_GeneratesTokenFile()
    {
        await using var gateway = await GatewayProcess.StartAsync(new GatewayProcessOptions { Token = null });
        using var anonymous = gateway.CreateClient(authorized: false);
        using var client = gateway.CreateClient();

        var refused = await anonymous.GetAsync("/api/orders");
        var accepted = await client.GetAsync("/api/orders");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Contains(Path.Combine(gateway.DataDirectory, "api-token"), gateway.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(gateway.Token, gateway.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_KilledAndRestarted_KeepsOrdersStatusesAndFills()
    {
        // Adopt keeps the resting order working across the restart instead of cancelling it.
        await using var gateway = await GatewayProcess.StartAsync(new GatewayProcessOptions
        {
            Settings = new Dictionary<string, string> { ["Breakwater:Startup:OrphanedOrders"] = "adopt" },
        });
        await gateway.WaitForRunningAsync();
        var ids = new List<long>();
        using (var client = gateway.CreateClient())
        {
            for (var i = 0; i < 5; i++)
            {
                ids.Add((await (await client.PostOrderAsync(ApiTestHelpers.Market($"crash-m-{i}"))).ReadJsonAsync())
                    .GetProperty("id").GetInt64());
            }

            var restingId = (await (await client.PostOrderAsync(ApiTestHelpers.Limit("crash-l-1", price: 1.00m))).ReadJsonAsync())
                .GetProperty("id").GetInt64();
            ids.Add(restingId);
            foreach (var id in ids.Take(5))
            {
                await WaitForStatusAsync(client, id, "filled");
            }
        }

        var before = await SnapshotAsync(gateway, ids);
        await gateway.KillAsync();
        await gateway.RestartAsync();
        await gateway.WaitForRunningAsync();
        var after = await SnapshotAsync(gateway, ids);
        using var restarted = gateway.CreateClient();
        var open = await (await restarted.GetAsync("/api/orders?status=open")).ReadJsonAsync();
        var cancel = await restarted.DeleteAsync($"/api/orders/{ids[^1]}");

        Assert.Equal(before, after);
        Assert.All(after.Take(5), snapshot => Assert.StartsWith("filled|100|", snapshot, StringComparison.Ordinal));
        Assert.StartsWith("submitted|0|", after[^1], StringComparison.Ordinal);
        Assert.Contains(open.GetProperty("orders").EnumerateArray(), o => o.GetProperty("id").GetInt64() == ids[^1]);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
    }

    /// <summary>Returns, per order, its status, filled quantity, average price and the execution ids of its fills.</summary>
    private static async Task<List<string>> SnapshotAsync(GatewayProcess gateway, IEnumerable<long> ids)
    {
        using var client = gateway.CreateClient();
        var snapshots = new List<string>();
        foreach (var id in ids)
        {
            var order = await (await client.GetAsync($"/api/orders/{id}")).ReadJsonAsync();
            var history = await (await client.GetAsync($"/api/orders/{id}/history")).ReadJsonAsync();
            var fills = string.Join(",", history.GetProperty("fills").EnumerateArray()
                .Select(f => $"{f.GetProperty("executionId").GetString()}:{f.GetProperty("quantity").GetInt64()}"));
            snapshots.Add(string.Join(
                "|",
                order.GetProperty("status").GetString(),
                order.GetProperty("filledQuantity").GetInt64(),
                order.GetProperty("averageFillPrice").ToString(),
                order.GetProperty("brokerOrderId").GetString(),
                fills));
        }

        return snapshots;
    }

    private static async Task<JsonElement> WaitForStatusAsync(HttpClient client, long id, string status)
    {
        JsonElement order = default;
        for (var attempt = 0; attempt < 200; attempt++)
        {
            order = await (await client.GetAsync($"/api/orders/{id}")).ReadJsonAsync();
            if (order.GetProperty("status").GetString() == status)
            {
                return order;
            }

            await Task.Delay(25);
        }

        return order;
    }

    /// <summary>A body sent without Content-Length, so HttpClient uses chunked transfer encoding.</summary>
    private sealed class ChunkedContent(byte[] body) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            stream.WriteAsync(body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
