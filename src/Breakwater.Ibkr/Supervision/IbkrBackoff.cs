namespace Breakwater.Ibkr.Supervision;

/// <summary>Reconnect delays: exponential growth from an initial delay, capped, with a random spread.</summary>
public static class IbkrBackoff
{
    /// <summary>
    /// Returns the delay before reconnect attempt <paramref name="attempt"/> (0 for the first):
    /// initial × 2^attempt, capped at <paramref name="max"/>, then moved by up to ±<paramref name="jitter"/> of itself
    /// according to <paramref name="random01"/> (a uniform number in [0, 1)), and never above the cap.
    /// </summary>
    public static TimeSpan Compute(int attempt, TimeSpan initial, TimeSpan max, double jitter, double random01)
    {
        var exponent = Math.Clamp(attempt, 0, 30);
        var baseTicks = Math.Min(initial.Ticks * Math.Pow(2, exponent), max.Ticks);
        var spread = baseTicks * jitter * ((2 * random01) - 1);
        var ticks = Math.Clamp(baseTicks + spread, 0, max.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}
