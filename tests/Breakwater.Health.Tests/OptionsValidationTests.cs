using Breakwater.Health.Options;

namespace Breakwater.Health.Tests;

public sealed class OptionsValidationTests
{
    private readonly HealthOptionsValidator _validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        Assert.True(_validator.Validate(null, new HealthOptions()).Succeeded);
    }

    [Fact]
    public void Defaults_Criticality_BrokerAndDatabaseOnly()
    {
        var options = new HealthOptions();

        Assert.True(options.Broker.Critical);
        Assert.True(options.Database.Critical);
        Assert.False(options.MarketData.Critical);
    }

    [Fact]
    public void Validate_ZeroInterval_NamesOptionAndValue()
    {
        var options = new HealthOptions();
        options.Broker.Interval = TimeSpan.Zero;

        var result = _validator.Validate(null, options);

        Assert.Contains(
            "Breakwater:Health:Broker:Interval must be between 00:00:00.1000000 and 01:00:00, but it is 00:00:00.",
            result.Failures!);
    }

    [Fact]
    public void Validate_TimeoutLongerThanInterval_NamesBothOptions()
    {
        var options = new HealthOptions();
        options.Database.Timeout = TimeSpan.FromSeconds(10);

        var result = _validator.Validate(null, options);

        Assert.Contains(
            "Breakwater:Health:Database:Timeout must be greater than zero and at most Breakwater:Health:Database:Interval " +
            "(00:00:05), but it is 00:00:10.",
            result.Failures!);
    }

    [Fact]
    public void Validate_HealthyOpenBreakerStatus_Fails()
    {
        var options = new HealthOptions();
        options.MarketData.OpenBreakerStatus = HealthStatus.Healthy;

        var result = _validator.Validate(null, options);

        Assert.Contains(
            "Breakwater:Health:MarketData:OpenBreakerStatus must be Degraded or Unhealthy, but it is Healthy.",
            result.Failures!);
    }

    [Fact]
    public void Validate_UnknownTimeZoneAndEmptySession_ListsBoth()
    {
        var options = new HealthOptions();
        options.MarketData.TradingHours.TimeZone = "Mars/Olympus";
        options.MarketData.TradingHours.End = options.MarketData.TradingHours.Start;

        var result = _validator.Validate(null, options);

        Assert.Contains(
            "Breakwater:Health:MarketData:TradingHours:TimeZone must be a known time zone id, but 'Mars/Olympus' was not found.",
            result.Failures!);
        Assert.Contains(
            "Breakwater:Health:MarketData:TradingHours:Start and Breakwater:Health:MarketData:TradingHours:End must differ, " +
            "but both are 09:30.",
            result.Failures!);
    }

    [Fact]
    public void Validate_NonPositiveMaxQuoteAge_Fails()
    {
        var options = new HealthOptions();
        options.MarketData.MaxQuoteAge = TimeSpan.Zero;

        var result = _validator.Validate(null, options);

        Assert.Contains(
            "Breakwater:Health:MarketData:MaxQuoteAge must be greater than zero, but it is 00:00:00.",
            result.Failures!);
    }
}
