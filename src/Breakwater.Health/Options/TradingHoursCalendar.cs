namespace Breakwater.Health.Options;

/// <summary>Decides whether an instant falls inside the configured trading session.</summary>
internal sealed class TradingHoursCalendar
{
    private readonly TimeOnly _start;
    private readonly TimeOnly _end;
    private readonly TimeZoneInfo _timeZone;
    private readonly HashSet<DayOfWeek> _days;

    public TradingHoursCalendar(TradingHoursOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!TryFindTimeZone(options.TimeZone, out var timeZone))
        {
            throw new ArgumentException(
                $"The trading hours time zone '{options.TimeZone}' was not found on this machine.",
                nameof(options));
        }

        _start = options.Start;
        _end = options.End;
        _timeZone = timeZone;
        _days = [.. options.EffectiveDays];
    }

    /// <summary>Returns true when <paramref name="instant"/> lies in a session, start included and end excluded.</summary>
    public bool IsOpen(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, _timeZone);
        var time = TimeOnly.FromDateTime(local.DateTime);
        if (_start < _end)
        {
            return _days.Contains(local.DayOfWeek) && time >= _start && time < _end;
        }

        // An overnight session belongs to the day it starts on, so the part after midnight checks the day before.
        if (time >= _start)
        {
            return _days.Contains(local.DayOfWeek);
        }

        return time < _end && _days.Contains(local.AddDays(-1).DayOfWeek);
    }

    public static bool TryFindTimeZone(string? id, out TimeZoneInfo timeZone)
    {
        timeZone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(id))
        {
            return false;
        }

        try
        {
            timeZone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (TimeZoneNotFoundException)
        {
            return false;
        }
        catch (InvalidTimeZoneException)
        {
            return false;
        }
    }
}
