using System.Globalization;

namespace Breakwater.HealthBench;

/// <summary>Sends GET requests from concurrent clients for a fixed time and measures throughput and latency.</summary>
internal static class LoadDriver
{
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Drives <paramref name="url"/> for <see cref="Warmup"/>, then for <paramref name="duration"/>, and measures the
    /// second period. Every response counts, whatever its status code, and the result reports how many were not 2xx.
    /// </summary>
    /// <param name="readCalls">Reads the dependency call counters before and after the measured period.</param>
    public static async Task<LoadResult> RunAsync(
        string url,
        int clients,
        TimeSpan duration,
        Func<CallReading> readCalls)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients };
        using var client = new HttpClient(handler);
        await DriveAsync(client, url, clients, Warmup);

        var callsBefore = readCalls();
        var started = TimeProvider.System.GetTimestamp();
        var samples = await DriveAsync(client, url, clients, duration);
        var elapsed = TimeProvider.System.GetElapsedTime(started);
        return LoadResult.From(samples, elapsed, readCalls().Since(callsBefore));
    }

    private static async Task<WorkerSamples[]> DriveAsync(HttpClient client, string url, int clients, TimeSpan duration)
    {
        var stopAt = TimeProvider.System.GetTimestamp()
            + (long)(duration.TotalSeconds * TimeProvider.System.TimestampFrequency);
        var workers = Enumerable.Range(0, clients).Select(async worker =>
        {
            var samples = new WorkerSamples();
            while (TimeProvider.System.GetTimestamp() < stopAt)
            {
                var sent = TimeProvider.System.GetTimestamp();
                using var response = await client.GetAsync(url);
                _ = await response.Content.ReadAsByteArrayAsync();
                samples.Latencies.Add(TimeProvider.System.GetElapsedTime(sent).TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                {
                    samples.NotSuccessful++;
                }
            }

            return samples;
        });
        return await Task.WhenAll(workers);
    }
}

/// <summary>Latencies in milliseconds and the count of non-2xx responses of one client.</summary>
internal sealed class WorkerSamples
{
    public List<double> Latencies { get; } = [];

    public long NotSuccessful { get; set; }
}

/// <summary>Throughput, latency percentiles, non-2xx responses and dependency calls of one measured period.</summary>
internal sealed record LoadResult(
    long Requests,
    long NotSuccessful,
    double RequestsPerSecond,
    double SuccessfulPerSecond,
    double P50Ms,
    double P99Ms,
    CallReading Calls)
{
    public const string Header =
        "| Endpoint | Requests | Non-2xx | Requests/s | p50 ms | p99 ms | Dependency calls | Calls/request "
        + "| Failed calls | reqCurrentTime at emulator |";

    public const string Separator = "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |";

    public double CallsPerRequest => Requests == 0 ? 0 : (double)Calls.TotalCalls / Requests;

    public static LoadResult From(WorkerSamples[] samples, TimeSpan elapsed, CallReading calls)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var all = samples.SelectMany(s => s.Latencies).Order().ToArray();
        var notSuccessful = samples.Sum(s => s.NotSuccessful);
        return new LoadResult(
            all.Length,
            notSuccessful,
            all.Length / elapsed.TotalSeconds,
            (all.Length - notSuccessful) / elapsed.TotalSeconds,
            Percentile(all, 0.50),
            Percentile(all, 0.99),
            calls);
    }

    /// <summary>Formats one table row; a dash marks a count that the setup does not take.</summary>
    public string Format(string name)
    {
        var failed = Calls.TotalFailed?.ToString(CultureInfo.InvariantCulture) ?? "-";
        var emulator = Calls.BrokerRequestsAtEmulator?.ToString(CultureInfo.InvariantCulture) ?? "-";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"| {name} | {Requests} | {NotSuccessful} | {RequestsPerSecond:0} | {P50Ms:0.00} | {P99Ms:0.00} "
            + $"| {Calls.TotalCalls} | {CallsPerRequest:0.0000} | {failed} | {emulator} |");
    }

    private static double Percentile(double[] sorted, double fraction) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(fraction * sorted.Length) - 1)];
}
