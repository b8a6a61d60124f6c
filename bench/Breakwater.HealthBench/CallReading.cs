using System.Globalization;

namespace Breakwater.HealthBench;

/// <summary>
/// Dependency calls counted since a setup started. The difference of two readings (<see cref="Since"/>) gives the
/// calls made during a measured window.
/// </summary>
/// <param name="Calls">Probe or check calls per dependency name.</param>
/// <param name="Failed">
/// Calls per dependency that threw (a timeout included) or returned a status other than healthy; null when the setup
/// does not count failures.
/// </param>
/// <param name="BrokerRequestsAtEmulator">
/// reqCurrentTime requests received by the IB Gateway emulator, from probes and from the connection supervisor's
/// heartbeat; null when the setup has no emulator.
/// </param>
internal sealed record CallReading(
    IReadOnlyDictionary<string, long> Calls,
    IReadOnlyDictionary<string, long>? Failed,
    long? BrokerRequestsAtEmulator)
{
    public long TotalCalls => Calls.Values.Sum();

    public long? TotalFailed => Failed?.Values.Sum();

    /// <summary>Returns the calls made between <paramref name="earlier"/> and this reading.</summary>
    public CallReading Since(CallReading earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        var failed = Failed is null || earlier.Failed is null ? null : Subtract(Failed, earlier.Failed);
        return new CallReading(
            Subtract(Calls, earlier.Calls), failed, BrokerRequestsAtEmulator - earlier.BrokerRequestsAtEmulator);
    }

    /// <summary>
    /// Formats the calls per dependency, for example <c>database 120 (0 failed), broker 120 (2 failed)</c>.
    /// </summary>
    public string Describe() => string.Join(", ", Calls.Select(pair => Failed is null
        ? string.Create(CultureInfo.InvariantCulture, $"{pair.Key} {pair.Value}")
        : string.Create(
            CultureInfo.InvariantCulture, $"{pair.Key} {pair.Value} ({Failed.GetValueOrDefault(pair.Key)} failed)")));

    private static Dictionary<string, long> Subtract(
        IReadOnlyDictionary<string, long> later, IReadOnlyDictionary<string, long> earlier) =>
        later.ToDictionary(
            pair => pair.Key, pair => pair.Value - earlier.GetValueOrDefault(pair.Key), StringComparer.Ordinal);
}
