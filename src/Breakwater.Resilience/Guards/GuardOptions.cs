using System.Globalization;
using Microsoft.Extensions.Options;

namespace Breakwater.Resilience.Guards;

/// <summary>
/// Retry settings of the guarded dependency decorators, bound from <c>Breakwater:Guards:&lt;name&gt;</c>. Retries
/// apply only to calls that are safe to repeat; an order submit is never retried.
/// </summary>
public sealed class GuardOptions
{
    /// <summary>The configuration section that holds one child section per dependency name.</summary>
    public const string SectionName = "Breakwater:Guards";

    /// <summary>Retries after the first attempt of a repeatable call. Default 2; 0 turns retries off. Range 0 to 10.</summary>
    public int RetryAttempts { get; set; } = 2;

    /// <summary>
    /// Delay before the first retry; later retries double it, with jitter. Default 200 ms. Range 0 to 1 min.
    /// </summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper limit of one retry delay. Default 2 s. Must be at least RetryBaseDelay and at most 5 min.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>Validates <see cref="GuardOptions"/> at start, naming the option, the rule and the value.</summary>
public sealed class GuardOptionsValidator : IValidateOptions<GuardOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, GuardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var path = GuardOptions.SectionName + ":" + (name ?? Options.DefaultName);
        var failures = new List<string>();
        if (options.RetryAttempts is < 0 or > 10)
        {
            failures.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"{path}:{nameof(options.RetryAttempts)} must be between 0 and 10; it was {options.RetryAttempts}."));
        }

        if (options.RetryBaseDelay < TimeSpan.Zero || options.RetryBaseDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"{path}:{nameof(options.RetryBaseDelay)} must be between 00:00:00 and 00:01:00; it was {options.RetryBaseDelay:c}."));
        }

        if (options.RetryMaxDelay < options.RetryBaseDelay || options.RetryMaxDelay > TimeSpan.FromMinutes(5))
        {
            failures.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"{path}:{nameof(options.RetryMaxDelay)} must be between RetryBaseDelay ({options.RetryBaseDelay:c}) and 00:05:00; it was {options.RetryMaxDelay:c}."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
