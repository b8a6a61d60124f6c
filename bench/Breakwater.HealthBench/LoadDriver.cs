using System.Globalization;

namespace Breakwater.HealthBench;

/// <summary>Sends GET requests from concurrent clients for a fixed time and measures throughput and latency.</summary>
internal static class LoadDriver
{
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(1);

    public static async Task<LoadResult> RunAsync(
        string url,
        int clients,
        TimeSpan duration,
        BenchDependencies dependencies)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients };
        using var client = new HttpClient(handler);
        await DriveAsync(client, url, clients, Warmup);

        var callsBefore = dependencies.TotalCalls;
        var started = TimeProvider.System.GetTimestamp();
        var latencies = await DriveAsync(client, url, clients, duration);
        var elapsed = TimeProvider.System.GetElapsedTime(started);
        var calls = dependencies.TotalCalls - callsBefore;
        return LoadResult.From(latencies, elapsed, calls);
    }

    private static async Task<List<double>[]> DriveAsync(HttpClient client, string url, int clients, TimeSpan duration)
    {
        var stopAt = TimeProvider.System.GetTimestamp() + (long)(duration.TotalSeconds * TimeProvider.System.TimestampFrequency);
        var workers = Enumerable.Range(0, clients).Select(async worker =>
        {
            var latencies = new List<double>();
            while (TimeProvider.System.GetTimestamp() < stopAt)
            {
                var sent = TimeProvider.System.GetTimestamp();
                using var response = await client.GetAsync(url);
                _ = await response.Content.ReadAsByteArrayAsync();
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException(
                        $"Readiness at {url} returned {(int)response.StatusCode}; the benchmark expects 200.");
                }

                latencies.Add(TimeProvider.System.GetElapsedTime(sent).TotalMilliseconds);
            }

            return latencies;
        });
        return await Task.WhenAll(workers);
    }
}

/// <summary>Throughput, latency percentiles and dependency calls of one run.</summary>
internal sealed record LoadResult(long Requests, double RequestsPerSecond, double P50Ms, double P99Ms, double CallsPerRequest, long Calls)
{
    public const string Header = "| Endpoint | Requests | Requests/s | p50 ms | p99 ms | Dependency calls | Calls/request |";

    public static LoadResult From(List<double>[] latencies, TimeSpan elapsed, long calls)
    {
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadResult(
            all.Length,
            all.Length / elapsed.TotalSeconds,
            Percentile(all, 0.50),
            Percentile(all, 0.99),
            all.Length == 0 ? 0 : (double)calls / all.Length,
            calls);
    }

    public string Format(string name) => string.Create(
        CultureInfo.InvariantCulture,
        $"| {name} | {Requests} | {RequestsPerSecond:0} | {P50Ms:0.00} | {P99Ms:0.00} | {Calls} | {CallsPerRequest:0.0000} |");

    private static double Percentile(double[] sorted, double fraction) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(fraction * sorted.Length) - 1)];
}
