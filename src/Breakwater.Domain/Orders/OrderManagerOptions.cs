namespace Breakwater.Domain.Orders;

/// <summary>Settings of <see cref="OrderManager"/>, bound from the configuration section <c>Breakwater:Orders</c>.</summary>
public sealed class OrderManagerOptions
{
    public const string SectionName = "Breakwater:Orders";

    /// <summary>
    /// How often the reconciler looks up orders whose submit outcome is uncertain. Default 5 seconds; 100 ms to 1 hour.
    /// </summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long after an uncertain submit the broker must have no record of the order before the order is journaled as
    /// rejected, measured from the moment the submit became uncertain. Default 30 seconds; 1 second to 1 day, and the
    /// gateway also requires at least the broker's call timeout, so that a submit still in flight is not rejected.
    /// </summary>
    public TimeSpan SubmitUncertainGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many cancels cancel-all sends at once. Default 8; 1 to 256.</summary>
    public int CancelAllParallelism { get; set; } = 8;

    /// <summary>
    /// How long a cancel waits for its best-effort journal write before it answers; the write goes on in the background.
    /// Default 2 seconds; 0 to 1 minute.
    /// </summary>
    public TimeSpan BestEffortJournalTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Returns the message of every setting outside its valid range; empty when all are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        CheckRange(errors, nameof(ReconcileInterval), ReconcileInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        CheckRange(
            errors, nameof(SubmitUncertainGracePeriod), SubmitUncertainGracePeriod, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        CheckRange(errors, nameof(BestEffortJournalTimeout), BestEffortJournalTimeout, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        if (CancelAllParallelism is < 1 or > 256)
        {
            errors.Add(
                $"{SectionName}:{nameof(CancelAllParallelism)} must be between 1 and 256, but it is {CancelAllParallelism}.");
        }

        return errors;
    }

    private static void CheckRange(List<string> errors, string name, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{SectionName}:{name} must be between {min} and {max}, but it is {value}.");
        }
    }
}
