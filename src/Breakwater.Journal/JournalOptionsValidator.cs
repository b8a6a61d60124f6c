using Microsoft.Extensions.Options;

namespace Breakwater.Journal;

/// <summary>Checks <see cref="JournalOptions"/> at start, naming each invalid key and its value.</summary>
public sealed class JournalOptionsValidator : IValidateOptions<JournalOptions>
{
    public ValidateOptionsResult Validate(string? name, JournalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string Section = JournalOptions.SectionName;

        if (!Enum.IsDefined(options.Provider))
        {
            failures.Add(
                $"{Section}:{nameof(JournalOptions.Provider)} must be Sqlite or Postgres; it is '{options.Provider}'.");
        }

        if (options.Provider == JournalProvider.Postgres && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add(
                $"{Section}:{nameof(JournalOptions.ConnectionString)} is required when " +
                $"{Section}:{nameof(JournalOptions.Provider)} is Postgres; set it to an Npgsql connection string.");
        }

        if (options.Provider == JournalProvider.Postgres && !string.IsNullOrWhiteSpace(options.ConnectionString)
            && !IsValidConnectionString(options.ConnectionString))
        {
            // The value is not shown, because a connection string may contain a password.
            failures.Add(
                $"{Section}:{nameof(JournalOptions.ConnectionString)} is not a valid Npgsql connection string: a " +
                "keyword is unknown or a value has the wrong type (for example a Port that is not a number).");
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add($"{JournalOptions.DataDirectoryKey} must not be empty; the default is ./data.");
        }

        if (options.MaxPoolSize is < 1 or > 1000)
        {
            failures.Add(
                $"{Section}:{nameof(JournalOptions.MaxPoolSize)} must be between 1 and 1000; " +
                $"it is {options.MaxPoolSize}.");
        }

        if (options.CommandTimeout < TimeSpan.FromSeconds(1) || options.CommandTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add(
                $"{Section}:{nameof(JournalOptions.CommandTimeout)} must be between 00:00:01 and 00:10:00; " +
                $"it is {options.CommandTimeout}.");
        }

        if (options.MaxBatchSize is < 1 or > 10_000)
        {
            failures.Add(
                $"{Section}:{nameof(JournalOptions.MaxBatchSize)} must be between 1 and 10000; " +
                $"it is {options.MaxBatchSize}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsValidConnectionString(string connectionString)
    {
        try
        {
            _ = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            return true;
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or InvalidCastException
            or OverflowException)
        {
            return false;
        }
    }
}
