using System.Globalization;
using Microsoft.Extensions.Options;

namespace Breakwater.Resilience.CircuitBreaking;

/// <summary>
/// Validates <see cref="BreakerOptions"/> at start. Each message names the option by its configuration path, states
/// the rule and the value found.
/// </summary>
public sealed class BreakerOptionsValidator : IValidateOptions<BreakerOptions>
{
    private static readonly TimeSpan OneHour = TimeSpan.FromHours(1);
    private static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, BreakerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var failures = ValidateAt(BreakerOptions.SectionName + ":" + (name ?? Options.DefaultName), options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Returns one message per invalid option; empty when every option is valid.</summary>
    /// <param name="path">The configuration path of the options, used as the prefix of each option name.</param>
    public static IReadOnlyList<string> ValidateAt(string path, BreakerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var failures = new List<string>();

        if (options.FailureThreshold is < 0 or > 1000)
        {
            failures.Add(Message(path, nameof(options.FailureThreshold),
                "must be between 0 and 1000 (0 turns the policy off)", options.FailureThreshold));
        }

        if (options.FailureRatio is { } ratio && !(ratio > 0 && ratio <= 1))
        {
            failures.Add(Message(path, nameof(options.FailureRatio),
                "must be between 0 and 1 (exclusive of 0)", ratio));
        }

        if (options.MinimumThroughput is < 1 or > 1_000_000)
        {
            failures.Add(Message(path, nameof(options.MinimumThroughput),
                "must be between 1 and 1000000", options.MinimumThroughput));
        }

        CheckRange(failures, path, nameof(options.SamplingDuration), options.SamplingDuration,
            TimeSpan.FromMilliseconds(100), OneHour);

        if (options.SlowCallDuration is { } slow)
        {
            CheckPositive(failures, path, nameof(options.SlowCallDuration), slow, OneHour);
        }

        if (!(options.SlowCallRatio > 0 && options.SlowCallRatio <= 1))
        {
            failures.Add(Message(path, nameof(options.SlowCallRatio),
                "must be between 0 and 1 (exclusive of 0)", options.SlowCallRatio));
        }

        CheckRange(failures, path, nameof(options.BreakDuration), options.BreakDuration,
            TimeSpan.FromMilliseconds(1), OneDay);

        if (options.MaxBreakDuration < options.BreakDuration || options.MaxBreakDuration > OneDay)
        {
            failures.Add(Message(path, nameof(options.MaxBreakDuration),
                string.Create(CultureInfo.InvariantCulture,
                    $"must be between BreakDuration ({options.BreakDuration:c}) and {OneDay:c}"),
                options.MaxBreakDuration));
        }

        if (!(options.BreakDurationMultiplier >= 1 && options.BreakDurationMultiplier <= 100))
        {
            failures.Add(Message(path, nameof(options.BreakDurationMultiplier),
                "must be between 1 and 100 (1 keeps the break duration constant)", options.BreakDurationMultiplier));
        }

        if (!(options.BreakDurationJitter >= 0 && options.BreakDurationJitter < 1))
        {
            failures.Add(Message(path, nameof(options.BreakDurationJitter),
                "must be between 0 and 1 (exclusive of 1)", options.BreakDurationJitter));
        }

        if (options.HalfOpenProbes is < 1 or > 100)
        {
            failures.Add(Message(path, nameof(options.HalfOpenProbes),
                "must be between 1 and 100", options.HalfOpenProbes));
        }

        CheckPositive(failures, path, nameof(options.ProbeTimeout), options.ProbeTimeout, OneHour);

        if (options.CallTimeout is { } callTimeout)
        {
            CheckPositive(failures, path, nameof(options.CallTimeout), callTimeout, OneHour);
        }

        if (options.ShouldCountException is null)
        {
            failures.Add($"{path}:{nameof(options.ShouldCountException)} must be set; it was null.");
        }

        if (options.Enabled
            && options.FailureThreshold == 0
            && options.FailureRatio is null
            && options.SlowCallDuration is null)
        {
            failures.Add($"{path} must enable at least one trip policy (FailureThreshold above 0, FailureRatio or "
                + "SlowCallDuration) while Enabled is true; FailureThreshold was 0 and the other two were unset.");
        }

        return failures;
    }

    private static void CheckRange(
        List<string> failures, string path, string option, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add(Message(path, option,
                string.Create(CultureInfo.InvariantCulture, $"must be between {min:c} and {max:c}"), value));
        }
    }

    private static void CheckPositive(List<string> failures, string path, string option, TimeSpan value, TimeSpan max)
    {
        if (value <= TimeSpan.Zero || value > max)
        {
            failures.Add(Message(path, option,
                string.Create(CultureInfo.InvariantCulture, $"must be above 00:00:00 and at most {max:c}"), value));
        }
    }

    private static string Message(string path, string option, string rule, object value)
    {
        var text = value switch
        {
            TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
        return $"{path}:{option} {rule}; it was {text}.";
    }
}
