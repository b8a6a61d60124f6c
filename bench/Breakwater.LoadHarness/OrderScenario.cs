using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Breakwater.LoadHarness;

/// <summary>
/// Sends <c>POST /api/orders</c> from N concurrent clients, each with one request in flight, and reports throughput
/// and latency percentiles of the measured phase.
/// </summary>
internal sealed class OrderScenario(HarnessOptions options, string token, TextWriter output)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Clients,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
        };
        using var client = new HttpClient(handler) { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var runId = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

        if (options.Warmup > TimeSpan.Zero)
        {
            output.WriteLine($"Warming up for {options.Warmup.TotalSeconds:0} s ...");
            await DriveAsync(client, runId + "w", options.Warmup, orders: null, cancellationToken);
        }

        output.WriteLine(options.Orders is { } count
            ? $"Sending {count} {options.OrderType} orders from {options.Clients} clients to {options.Url} ..."
            : $"Sending {options.OrderType} orders from {options.Clients} clients to {options.Url} for {options.Duration.TotalSeconds:0} s ...");
        var started = TimeProvider.System.GetTimestamp();
        var recorders = await DriveAsync(client, runId, options.Duration, options.Orders, cancellationToken);
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        var summary = LatencySummary.From(recorders.SelectMany(r => r.Samples));
        var nonSuccess = recorders.Sum(r => r.NonSuccess);
        var errors = recorders.Sum(r => r.Errors);
        var statuses = recorders.SelectMany(r => r.StatusCounts)
            .GroupBy(pair => pair.Key)
            .OrderBy(group => group.Key)
            .Select(group => $"{group.Key}: {group.Sum(pair => pair.Value)}");
        output.WriteLine();
        output.WriteLine($"orders sent        {summary.Count}");
        output.WriteLine($"elapsed            {elapsed.TotalSeconds:0.00} s");
        output.WriteLine($"throughput         {summary.Count / elapsed.TotalSeconds:0} orders/s");
        output.WriteLine($"latency p50        {summary.P50:0.00} ms");
        output.WriteLine($"latency p90        {summary.P90:0.00} ms");
        output.WriteLine($"latency p99        {summary.P99:0.00} ms");
        output.WriteLine($"latency max        {summary.Max:0.00} ms");
        output.WriteLine($"non-2xx responses  {nonSuccess}");
        output.WriteLine($"transport errors   {errors}");
        output.WriteLine($"status counts      {string.Join(", ", statuses)}");
        return nonSuccess == 0 && errors == 0 ? 0 : 1;
    }

    private async Task<LatencyRecorder[]> DriveAsync(
        HttpClient client, string runId, TimeSpan duration, long? orders, CancellationToken cancellationToken)
    {
        var remaining = orders ?? long.MaxValue;
        var deadline = TimeProvider.System.GetTimestamp() + (long)(duration.TotalSeconds * TimeProvider.System.TimestampFrequency);
        var recorders = Enumerable.Range(0, options.Clients).Select(_ => new LatencyRecorder()).ToArray();
        var workers = recorders.Select((recorder, worker) => Task.Run(async () =>
        {
            for (var sequence = 0; !cancellationToken.IsCancellationRequested; sequence++)
            {
                if (orders is null ? TimeProvider.System.GetTimestamp() >= deadline : Interlocked.Decrement(ref remaining) < 0)
                {
                    return;
                }

                using var content = new ByteArrayContent(Body($"lh-{runId}-{worker}-{sequence}", sequence));
                content.Headers.ContentType = Json;
                var sent = TimeProvider.System.GetTimestamp();
                try
                {
                    using var response = await client.PostAsync("/api/orders", content, cancellationToken);
                    recorder.Record(TimeProvider.System.GetElapsedTime(sent).TotalMilliseconds, (int)response.StatusCode);
                }
                catch (HttpRequestException)
                {
                    recorder.RecordError();
                }
            }
        }, cancellationToken)).ToArray();
        await Task.WhenAll(workers);
        return recorders;
    }

    private byte[] Body(string clientOrderId, int sequence)
    {
        var side = sequence % 2 == 0 ? "buy" : "sell";
        var json = options.OrderType == "limit"
            // Far from any simulated price, so the order rests instead of filling.
            ? $$"""{"clientOrderId":"{{clientOrderId}}","symbol":"AAPL","side":"buy","quantity":10,"type":"limit","limitPrice":1.00}"""
            : $$"""{"clientOrderId":"{{clientOrderId}}","symbol":"AAPL","side":"{{side}}","quantity":10,"type":"market"}""";
        return Encoding.UTF8.GetBytes(json);
    }
}
