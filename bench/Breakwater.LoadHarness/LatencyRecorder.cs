namespace Breakwater.LoadHarness;

/// <summary>Collects request latencies of one worker; merged and sorted once at the end.</summary>
internal sealed class LatencyRecorder
{
    private readonly List<double> _milliseconds = new(capacity: 65_536);

    public int NonSuccess { get; private set; }

    public int Errors { get; private set; }

    public Dictionary<int, int> StatusCounts { get; } = [];

    public IReadOnlyList<double> Samples => _milliseconds;

    public void Record(double milliseconds, int status)
    {
        _milliseconds.Add(milliseconds);
        StatusCounts[status] = StatusCounts.GetValueOrDefault(status) + 1;
        if (status is < 200 or > 299)
        {
            NonSuccess++;
        }
    }

    public void RecordError() => Errors++;
}

/// <summary>Percentiles over every sample of a run.</summary>
internal sealed record LatencySummary(int Count, double P50, double P90, double P99, double Max)
{
    public static LatencySummary From(IEnumerable<double> samples)
    {
        var sorted = samples.ToArray();
        Array.Sort(sorted);
        return sorted.Length == 0
            ? new LatencySummary(0, 0, 0, 0, 0)
            : new LatencySummary(sorted.Length, At(sorted, 0.50), At(sorted, 0.90), At(sorted, 0.99), sorted[^1]);
    }

    // Nearest-rank percentile: the smallest sample at or above the given fraction of all samples.
    private static double At(double[] sorted, double fraction) =>
        sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Length) - 1, 0, sorted.Length - 1)];
}
