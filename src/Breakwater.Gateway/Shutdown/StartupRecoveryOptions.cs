using Microsoft.Extensions.Options;

namespace Breakwater.Gateway.Shutdown;

/// <summary>What the gateway does at start with orders that its journal still lists as open from an earlier run.</summary>
public enum OrphanedOrderPolicy
{
    /// <summary>Cancel them at the broker and wait for the confirmations before accepting orders. The default.</summary>
    Cancel,

    /// <summary>Keep them working and track them like orders placed in this run.</summary>
    Adopt,
}

/// <summary>What the gateway does at start with working broker orders that its journal has no record of.</summary>
public enum UnknownOrderPolicy
{
    /// <summary>Log each one and leave it alone. The default.</summary>
    Report,

    /// <summary>Log each one and journal it, so that it is tracked and cancelled at shutdown like the others.</summary>
    Adopt,
}

/// <summary>
/// Settings of the reconciliation that runs at start, before readiness turns to 200, bound from
/// <c>Breakwater:Startup</c> and validated at start.
/// </summary>
public sealed class StartupRecoveryOptions
{
    public const string SectionName = "Breakwater:Startup";

    /// <summary>Policy for orders left open by an earlier run. Default cancel.</summary>
    public OrphanedOrderPolicy OrphanedOrders { get; set; } = OrphanedOrderPolicy.Cancel;

    /// <summary>Policy for working broker orders unknown to the journal. Default report.</summary>
    public UnknownOrderPolicy UnknownOrders { get; set; } = UnknownOrderPolicy.Report;

    /// <summary>
    /// How long the reconciliation and the confirmation of its cancels may take before the gateway starts accepting
    /// orders anyway (the orders not confirmed are journaled as <c>CancelUnconfirmed</c>). Default 30 seconds;
    /// 100 ms to 1 hour.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Returns the message of every setting outside its valid range; empty when all are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Timeout < TimeSpan.FromMilliseconds(100) || Timeout > TimeSpan.FromHours(1))
        {
            errors.Add(
                $"{SectionName}:{nameof(Timeout)} must be between {TimeSpan.FromMilliseconds(100)} and " +
                $"{TimeSpan.FromHours(1)}, but it is {Timeout}.");
        }

        if (!Enum.IsDefined(OrphanedOrders))
        {
            errors.Add($"{SectionName}:{nameof(OrphanedOrders)} must be 'cancel' or 'adopt', but it is {OrphanedOrders}.");
        }

        if (!Enum.IsDefined(UnknownOrders))
        {
            errors.Add($"{SectionName}:{nameof(UnknownOrders)} must be 'report' or 'adopt', but it is {UnknownOrders}.");
        }

        return errors;
    }
}

internal sealed class StartupRecoveryOptionsValidator : IValidateOptions<StartupRecoveryOptions>
{
    public ValidateOptionsResult Validate(string? name, StartupRecoveryOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
