using Breakwater.Ibkr.Supervision;

namespace Breakwater.Ibkr.Tests.Supervision;

public sealed class IbkrRestartWindowTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Theory]
    [InlineData("2026-12-04T04:44:00Z", false)] // 23:44 in New York (UTC-5)
    [InlineData("2026-12-04T04:45:00Z", true)]
    [InlineData("2026-12-04T05:10:00Z", true)] // 00:10, after midnight
    [InlineData("2026-12-04T05:15:00Z", false)]
    public void Contains_WindowAcrossMidnight_ChecksLocalTime(string instant, bool expected)
    {
        var window = new IbkrRestartWindow(new TimeOnly(23, 45), new TimeOnly(0, 15), NewYork);

        Assert.Equal(expected, window.Contains(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Contains_SameDayWindow_ExcludesEnd()
    {
        var window = new IbkrRestartWindow(new TimeOnly(1, 0), new TimeOnly(2, 0), TimeZoneInfo.Utc);

        Assert.True(window.Contains(new DateTimeOffset(2026, 1, 1, 1, 0, 0, TimeSpan.Zero)));
        Assert.False(window.Contains(new DateTimeOffset(2026, 1, 1, 2, 0, 0, TimeSpan.Zero)));
    }
}
