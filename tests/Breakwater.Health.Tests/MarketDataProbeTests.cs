using Breakwater.Domain.MarketData;
using Breakwater.Health.Options;
using Breakwater.Health.Probes;
using Microsoft.Extensions.Time.Testing;

namespace Breakwater.Health.Tests;

public sealed class MarketDataProbeTests
{
    // Monday 7 December 2026. New York is on EST (UTC-5), so 15:00 UTC is 10:00 local, inside 09:30 to 16:00.
    private static readonly DateTimeOffset MondayMorningNewYork = new(2026, 12, 7, 15, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Probe_FreshQuoteInSession_IsHealthyWithAge()
    {
        var (probe, _) = Create(MondayMorningNewYork, lastQuoteAge: TimeSpan.FromSeconds(4));

        var result = await probe.ProbeAsync(CancellationToken.None);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(4, result.ObservedValue);
        Assert.Equal("s", result.ObservedUnit);
    }

    [Fact]
    public async Task Probe_StaleQuoteInSession_IsUnhealthy()
    {
        var (probe, _) = Create(MondayMorningNewYork, lastQuoteAge: TimeSpan.FromSeconds(31));

        var result = await probe.ProbeAsync(CancellationToken.None);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("The newest quote is older than the maximum of 30 s.", result.Output);
        Assert.Equal(31, result.ObservedValue);
    }

    [Fact]
    public async Task Probe_StaleQuoteAfterClose_IsHealthy()
    {
        var afterClose = new DateTimeOffset(2026, 12, 7, 21, 30, 0, TimeSpan.Zero);
        var (probe, _) = Create(afterClose, lastQuoteAge: TimeSpan.FromHours(5));

        var result = await probe.ProbeAsync(CancellationToken.None);

        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public async Task Probe_StaleQuoteOnSaturday_IsHealthy()
    {
        var saturday = new DateTimeOffset(2026, 12, 12, 15, 0, 0, TimeSpan.Zero);
        var (probe, _) = Create(saturday, lastQuoteAge: TimeSpan.FromDays(1));

        var result = await probe.ProbeAsync(CancellationToken.None);

        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public async Task Probe_NoQuoteInSession_IsUnhealthy()
    {
        var (probe, _) = Create(MondayMorningNewYork, lastQuoteAge: null);

        var result = await probe.ProbeAsync(CancellationToken.None);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal(ProbeOutputs.NoQuote, result.Output);
        Assert.Null(result.ObservedValue);
    }

    [Fact]
    public async Task Probe_QuoteAgesPastMaximum_TurnsUnhealthy()
    {
        var (probe, time) = Create(MondayMorningNewYork, lastQuoteAge: TimeSpan.Zero);
        var fresh = await probe.ProbeAsync(CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(30.5));
        var stale = await probe.ProbeAsync(CancellationToken.None);

        Assert.Equal(HealthStatus.Healthy, fresh.Status);
        Assert.Equal(HealthStatus.Unhealthy, stale.Status);
    }

    [Theory]
    [InlineData(2026, 12, 7, 23, 30, true)]
    [InlineData(2026, 12, 8, 2, 0, true)]
    [InlineData(2026, 12, 8, 5, 0, false)]
    [InlineData(2026, 12, 12, 23, 30, false)]
    [InlineData(2026, 12, 12, 2, 0, true)]
    public void Calendar_OvernightSession_BelongsToStartDay(int year, int month, int day, int hour, int minute, bool open)
    {
        var options = new TradingHoursOptions
        {
            Start = new TimeOnly(23, 0),
            End = new TimeOnly(3, 0),
            TimeZone = "UTC",
            Days = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday],
        };
        var calendar = new TradingHoursCalendar(options);

        Assert.Equal(open, calendar.IsOpen(new DateTimeOffset(year, month, day, hour, minute, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData(14, 29, false)]
    [InlineData(14, 30, true)]
    [InlineData(20, 59, true)]
    [InlineData(21, 0, false)]
    public void Calendar_DefaultSession_OpensAt0930NewYork(int hour, int minute, bool open)
    {
        var calendar = new TradingHoursCalendar(new TradingHoursOptions());

        Assert.Equal(open, calendar.IsOpen(new DateTimeOffset(2026, 12, 7, hour, minute, 0, TimeSpan.Zero)));
    }

    private static (MarketDataProbe Probe, FakeTimeProvider Time) Create(DateTimeOffset now, TimeSpan? lastQuoteAge)
    {
        var time = new FakeTimeProvider(now);
        var feed = new StubFeed { LastQuoteTime = now - lastQuoteAge };
        var probe = new MarketDataProbe(feed, time, Microsoft.Extensions.Options.Options.Create(new HealthOptions()));
        return (probe, time);
    }

    private sealed class StubFeed : IMarketDataFeed
    {
        public DateTimeOffset? LastQuoteTime { get; init; }

        public Task<Quote> GetQuoteAsync(string symbol, CancellationToken cancellationToken) =>
            throw new NotSupportedException("The freshness probe must not request quotes.");
    }
}
