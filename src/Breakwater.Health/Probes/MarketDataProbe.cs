using Breakwater.Domain.Dependencies;
using Breakwater.Domain.MarketData;
using Breakwater.Health.Options;
using Microsoft.Extensions.Options;

namespace Breakwater.Health.Probes;

/// <summary>
/// Checks that the newest quote (<see cref="IMarketDataFeed.LastQuoteTime"/>) is younger than
/// <see cref="MarketDataHealthOptions.MaxQuoteAge"/> during trading hours; outside trading hours any age is healthy.
/// Reports the quote age in seconds.
/// </summary>
public sealed class MarketDataProbe : IDependencyProbe
{
    private readonly IMarketDataFeed _feed;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _maxQuoteAge;
    private readonly TradingHoursCalendar _calendar;

    public MarketDataProbe(IMarketDataFeed feed, TimeProvider timeProvider, IOptions<HealthOptions> options)
    {
        ArgumentNullException.ThrowIfNull(feed);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(options);
        _feed = feed;
        _timeProvider = timeProvider;
        _maxQuoteAge = options.Value.MarketData.MaxQuoteAge;
        _calendar = new TradingHoursCalendar(options.Value.MarketData.TradingHours);
    }

    public string Dependency => DependencyNames.MarketData;

    public Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var inSession = _calendar.IsOpen(now);
        var lastQuote = _feed.LastQuoteTime;
        if (lastQuote is null)
        {
            var result = inSession ? ProbeResult.Unhealthy(ProbeOutputs.NoQuote) : ProbeResult.Healthy(null, null);
            return Task.FromResult(result);
        }

        // A quote stamped slightly in the future (clock skew at the source) counts as age zero.
        var age = now - lastQuote.Value;
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        var ageSeconds = Math.Round(age.TotalSeconds, 3);
        return Task.FromResult(inSession && age > _maxQuoteAge
            ? ProbeResult.Unhealthy(ProbeOutputs.StaleQuote(_maxQuoteAge), ageSeconds, "s")
            : ProbeResult.Healthy(ageSeconds, "s"));
    }
}
