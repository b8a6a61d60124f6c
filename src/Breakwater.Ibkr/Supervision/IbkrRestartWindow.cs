namespace Breakwater.Ibkr.Supervision;

/// <summary>
/// The gateway's scheduled daily restart, as a local time range in one time zone. The range may cross midnight
/// (start after end). Immutable and thread-safe.
/// </summary>
public sealed class IbkrRestartWindow
{
    private readonly TimeOnly _start;
    private readonly TimeOnly _end;
    private readonly TimeZoneInfo _zone;

    public IbkrRestartWindow(TimeOnly start, TimeOnly end, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        _start = start;
        _end = end;
        _zone = zone;
    }

    /// <summary>
    /// Returns whether <paramref name="instant"/> falls inside the window (start inclusive, end exclusive).
    /// </summary>
    public bool Contains(DateTimeOffset instant)
    {
        var local = TimeOnly.FromTimeSpan(TimeZoneInfo.ConvertTime(instant, _zone).TimeOfDay);
        return _start <= _end
            ? local >= _start && local < _end
            : local >= _start || local < _end;
    }
}
