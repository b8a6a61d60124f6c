using Microsoft.Extensions.Options;

namespace Breakwater.Health.Options;

/// <summary>Validates <see cref="HealthOptions"/> at start and lists every invalid option with its value.</summary>
internal sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxInterval = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var section = HealthOptions.SectionName;

        ValidateDependency($"{section}:Broker", options.Broker, failures);
        ValidateDependency($"{section}:Database", options.Database, failures);
        ValidateDependency($"{section}:MarketData", options.MarketData, failures);

        if (options.MarketData.MaxQuoteAge <= TimeSpan.Zero)
        {
            failures.Add(
                $"{section}:MarketData:MaxQuoteAge must be greater than zero, but it is {options.MarketData.MaxQuoteAge}.");
        }

        var hours = options.MarketData.TradingHours;
        var hoursKey = $"{section}:MarketData:TradingHours";
        if (hours.Start == hours.End)
        {
            failures.Add($"{hoursKey}:Start and {hoursKey}:End must differ, but both are {hours.Start:HH\\:mm}.");
        }

        if (!TradingHoursCalendar.TryFindTimeZone(hours.TimeZone, out _))
        {
            failures.Add($"{hoursKey}:TimeZone must be a known time zone id, but '{hours.TimeZone}' was not found.");
        }

        if (hours.Days.Any(day => !Enum.IsDefined(day)))
        {
            failures.Add($"{hoursKey}:Days must contain only days of the week, but it contains {string.Join(", ", hours.Days)}.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            failures.Add($"{section}:ServiceId must not be empty.");
        }

        if (options.TransitionHistorySize is < 1 or > 10_000)
        {
            failures.Add(
                $"{section}:TransitionHistorySize must be between 1 and 10000, but it is {options.TransitionHistorySize}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateDependency(string key, DependencyHealthOptions options, List<string> failures)
    {
        if (options.Interval < MinInterval || options.Interval > MaxInterval)
        {
            failures.Add($"{key}:Interval must be between {MinInterval} and {MaxInterval}, but it is {options.Interval}.");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > options.Interval)
        {
            failures.Add(
                $"{key}:Timeout must be greater than zero and at most {key}:Interval ({options.Interval}), " +
                $"but it is {options.Timeout}.");
        }

        ValidateBreakerStatus($"{key}:OpenBreakerStatus", options.OpenBreakerStatus, failures);
        ValidateBreakerStatus($"{key}:HalfOpenBreakerStatus", options.HalfOpenBreakerStatus, failures);
    }

    private static void ValidateBreakerStatus(string key, HealthStatus status, List<string> failures)
    {
        if (status is not (HealthStatus.Degraded or HealthStatus.Unhealthy))
        {
            failures.Add($"{key} must be Degraded or Unhealthy, but it is {status}.");
        }
    }
}
