using System.Globalization;
using Microsoft.Extensions.Options;

namespace Breakwater.Paper;

/// <summary>Checks <see cref="PaperBrokerOptions"/> at start and lists every invalid setting.</summary>
internal sealed class PaperBrokerOptionsValidator : IValidateOptions<PaperBrokerOptions>
{
    private const string Prefix = PaperBrokerOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, PaperBrokerOptions options)
    {
        var failures = new List<string>();

        if (options.Symbols is null || options.Symbols.Count == 0)
        {
            failures.Add($"{Prefix}{nameof(options.Symbols)} must list at least one symbol, but it is empty.");
        }
        else
        {
            foreach (var (symbol, price) in options.Symbols)
            {
                if (string.IsNullOrWhiteSpace(symbol) || symbol.Trim() != symbol)
                {
                    failures.Add(
                        $"{Prefix}{nameof(options.Symbols)} contains the symbol '{symbol}', which is blank or has " +
                        "leading or trailing spaces.");
                }

                if (price <= 0)
                {
                    failures.Add(
                        $"{Prefix}{nameof(options.Symbols)}:{symbol} must be a positive start price, but it is " +
                        $"{Format(price)}.");
                }
            }
        }

        if (options.TickInterval < TimeSpan.FromMilliseconds(1) || options.TickInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add(
                $"{Prefix}{nameof(options.TickInterval)} must be between 00:00:00.001 and 00:01:00, but it is " +
                $"{options.TickInterval.ToString("c", CultureInfo.InvariantCulture)}.");
        }

        var matchInRange = options.MatchInterval >= TimeSpan.FromMilliseconds(1)
            && options.MatchInterval <= TimeSpan.FromMinutes(1);
        if (options.MatchInterval != TimeSpan.Zero && !matchInRange)
        {
            failures.Add(
                $"{Prefix}{nameof(options.MatchInterval)} must be 0 (ticks only) or between 00:00:00.001 and " +
                $"00:01:00, but it is {options.MatchInterval.ToString("c", CultureInfo.InvariantCulture)}.");
        }

        if (!(options.Volatility >= 0 && options.Volatility <= 0.1))
        {
            failures.Add(
                $"{Prefix}{nameof(options.Volatility)} must be between 0 and 0.1, but it is " +
                $"{options.Volatility.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (options.Spread < PaperBrokerOptions.PriceTick || options.Spread > 1000
            || options.Spread % PaperBrokerOptions.PriceTick != 0)
        {
            failures.Add(
                $"{Prefix}{nameof(options.Spread)} must be a multiple of 0.01 between 0.01 and 1000, but it is " +
                $"{Format(options.Spread)}.");
        }

        if (options.StartingCash <= 0)
        {
            failures.Add(
                $"{Prefix}{nameof(options.StartingCash)} must be positive, but it is {Format(options.StartingCash)}.");
        }

        if (options.MaxFillQuantityPerTick < 0)
        {
            failures.Add(
                $"{Prefix}{nameof(options.MaxFillQuantityPerTick)} must be 0 (no limit) or positive, but it is " +
                $"{options.MaxFillQuantityPerTick}.");
        }

        if (options.MaxOrderQuantity < 1)
        {
            failures.Add(
                $"{Prefix}{nameof(options.MaxOrderQuantity)} must be at least 1, but it is " +
                $"{options.MaxOrderQuantity}.");
        }

        if (options.MaxMessagesPerSecond is < 0 or > 10_000)
        {
            failures.Add(
                $"{Prefix}{nameof(options.MaxMessagesPerSecond)} must be between 0 (unlimited) and 10000, but it is " +
                $"{options.MaxMessagesPerSecond}.");
        }

        if (options.MaxQueuedMessages < 1)
        {
            failures.Add(
                $"{Prefix}{nameof(options.MaxQueuedMessages)} must be at least 1, but it is " +
                $"{options.MaxQueuedMessages}.");
        }

        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            failures.Add(
                $"{Prefix}{nameof(options.DatabasePath)} must name the broker's book file, but it is empty; set " +
                "Breakwater:DataDirectory or the path itself.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
