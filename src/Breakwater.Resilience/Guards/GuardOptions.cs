using System.Globalization;
using Microsoft.Extensions.Options;

namespace Breakwater.Resilience.Guards;

/// <summary>
/// Retry settings of the guarded dependency decorators, bound from <c>Breakwater:Guards:&lt;name&gt;</c>. Retries
/// apply only to calls that are safe to repeat; an order submit is never retried.
/// </summary>
public sealed class GuardOptions
{
    /// <summary>The configuration section that contains one child section per dependency name.</summary>
    public const string SectionName = "Breakwater:Guards";

    /// <summary>
    /// Retries after the first attempt of a repeatable call. Default 2; 0 turns retries off. Range 0 to 10.
    /// </summary>
    public int RetryAttempts { get; set; } = 2;

    /// <summary>
    /// Delay before the first retry; later retries double it, with jitter. Default 200 ms. Range 0 to 1 min.
    /// </summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Upper limit of one retry delay. Default 2 s. Must be at least <see cref="RetryBaseDelay"/> and at most 5 min.
    /// </summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>Validates <see cref="GuardOptions"/> at start, naming the option, the rule and the value.</summary>
public sealed class GuardOptionsValidator : IValidateOptions<GuardOptions>
{
    private static readonly TimeSpan MaxBaseDelay = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxDelayLimit = TimeSpan.FromMinutes(5);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, GuardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var path = GuardOptions.SectionName + ":" + (name ?? Options.DefaultName);
        var failures = new List<string>();
        if (options.RetryAttempts is < 0 or > 10)
        {
            failures.Add(Message(
                path, nameof(options.RetryAttempts), "must be between 0 and 10", options.RetryAttempts));
        }

        if (options.RetryBaseDelay < TimeSpan.Zero || options.RetryBaseDelay > MaxBaseDelay)
        {
            failures.Add(Message(
                path,
                nameof(options.RetryBaseDelay),
                string.Create(CultureInfo.InvariantCulture, $"must be between 00:00:00 and {MaxBaseDelay:c}"),
                options.RetryBaseDelay));
        }

        if (options.RetryMaxDelay < options.RetryBaseDelay || options.RetryMaxDelay > MaxDelayLimit)
        {
            failures.Add(Message(
                path,
                nameof(options.RetryMaxDelay),
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"must be between RetryBaseDelay ({options.RetryBaseDelay:c}) and {MaxDelayLimit:c}"),
                options.RetryMaxDelay));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Message(string path, string option, string rule, IFormattable value)
    {
        string text = value is TimeSpan span
            ? span.ToString("c", CultureInfo.InvariantCulture)
            : value.ToString(null, CultureInfo.InvariantCulture);
        return $"{path}:{option} {rule}; it was {text}.";
    }
}
