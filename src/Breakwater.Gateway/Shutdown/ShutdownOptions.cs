using Microsoft.Extensions.Options;

namespace Breakwater.Gateway.Shutdown;

/// <summary>Which open orders the shutdown sweep cancels.</summary>
public enum ShutdownCancelScope
{
    /// <summary>Only the orders this gateway placed, as its journal lists them. The default.</summary>
    Gateway,

    /// <summary>Every open order on the broker account, including orders placed by other clients.</summary>
    Account,
}

/// <summary>
/// Settings of the shutdown sequence, bound from <c>Breakwater:Shutdown</c> and validated at start.
/// </summary>
/// <remarks>
/// The sequence runs within <see cref="DrainDelay"/> + <see cref="CancelTimeout"/>, and the host's
/// <c>HostOptions.ShutdownTimeout</c> is set to <see cref="EffectiveHostTimeout"/>, which must leave at least
/// <see cref="MinStopMargin"/> for the rest of the stop (HTTP server, broker loop, journal flush).
/// </remarks>
public sealed class ShutdownOptions
{
    public const string SectionName = "Breakwater:Shutdown";

    /// <summary>Time left after the sweep for the other services to stop when <see cref="HostTimeout"/> is derived.</summary>
    public static readonly TimeSpan DefaultStopMargin = TimeSpan.FromSeconds(10);

    /// <summary>The least time <see cref="HostTimeout"/> must leave after the drain delay and the cancel timeout.</summary>
    public static readonly TimeSpan MinStopMargin = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Wait after readiness turns to 503 and before the first cancel, so that load balancers and Kubernetes
    /// endpoints stop routing to the gateway. Default 0; 0 to 10 minutes.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// How long the sweep may take to have every cancel confirmed, counted from the end of the drain delay; orders
    /// still open then are journaled as <c>CancelUnconfirmed</c>. Default 20 seconds; 100 ms to 1 hour.
    /// </summary>
    public TimeSpan CancelTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Whether the sweep cancels this gateway's orders or every order on the account. Default gateway.</summary>
    public ShutdownCancelScope CancelScope { get; set; } = ShutdownCancelScope.Gateway;

    /// <summary>
    /// The host's shutdown timeout (<c>HostOptions.ShutdownTimeout</c>). Default null, which derives
    /// <see cref="DrainDelay"/> + <see cref="CancelTimeout"/> + 10 seconds. When set, it must be at least
    /// <see cref="DrainDelay"/> + <see cref="CancelTimeout"/> + 2 seconds.
    /// </summary>
    public TimeSpan? HostTimeout { get; set; }

    /// <summary>
    /// How long one cancel request may wait for the broker before it is abandoned and retried. Default 5 seconds;
    /// 10 ms to 1 minute.
    /// </summary>
    public TimeSpan CancelAttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Backoff before the second attempt of a failed cancel; it doubles per attempt. Default 200 ms; 1 ms to 10 s.
    /// </summary>
    public TimeSpan CancelRetryInitialDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of the backoff between cancel attempts. Default 5 seconds; 1 ms to 1 minute.</summary>
    public TimeSpan CancelRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Cancel requests in flight at once. The broker adapter paces them to its message rate; this bound keeps the
    /// adapter's queue short. Default 16; 1 to 1024.
    /// </summary>
    public int MaxConcurrentCancels { get; set; } = 16;

    /// <summary>How often the sweep lists the open orders again. Default 100 ms; 1 ms to 10 s.</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How often the account scope lists the broker's open orders, each listing being one broker message.
    /// Default 1 second; 10 ms to 1 minute.
    /// </summary>
    public TimeSpan AccountScanInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long marking the unconfirmed orders in the journal may take in total. Default 2 seconds; 0 to 1 minute.
    /// </summary>
    public TimeSpan JournalTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The host's shutdown timeout: <see cref="HostTimeout"/> when set, otherwise the derived value.</summary>
    public TimeSpan EffectiveHostTimeout => HostTimeout ?? DrainDelay + CancelTimeout + DefaultStopMargin;

    /// <summary>Returns the message of every setting outside its valid range; empty when all are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        CheckRange(errors, nameof(DrainDelay), DrainDelay, TimeSpan.Zero, TimeSpan.FromMinutes(10));
        CheckRange(errors, nameof(CancelTimeout), CancelTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        CheckRange(
            errors, nameof(CancelAttemptTimeout), CancelAttemptTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
        CheckRange(
            errors,
            nameof(CancelRetryInitialDelay),
            CancelRetryInitialDelay,
            TimeSpan.FromMilliseconds(1),
            TimeSpan.FromSeconds(10));
        CheckRange(
            errors, nameof(CancelRetryMaxDelay), CancelRetryMaxDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1));
        CheckRange(errors, nameof(ScanInterval), ScanInterval, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(10));
        CheckRange(
            errors, nameof(AccountScanInterval), AccountScanInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
        CheckRange(errors, nameof(JournalTimeout), JournalTimeout, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        if (MaxConcurrentCancels is < 1 or > 1024)
        {
            errors.Add(
                $"{SectionName}:{nameof(MaxConcurrentCancels)} must be between 1 and 1024, but it is {MaxConcurrentCancels}.");
        }

        if (!Enum.IsDefined(CancelScope))
        {
            errors.Add($"{SectionName}:{nameof(CancelScope)} must be 'gateway' or 'account', but it is {CancelScope}.");
        }

        var needed = DrainDelay + CancelTimeout + MinStopMargin;
        if (HostTimeout is { } hostTimeout && hostTimeout < needed)
        {
            errors.Add(
                $"{SectionName}:{nameof(HostTimeout)} must be at least {nameof(DrainDelay)} + {nameof(CancelTimeout)} " +
                $"+ {MinStopMargin.TotalSeconds:0} s ({needed}), so that the cancels finish before the host gives up " +
                $"stopping, but it is {hostTimeout}.");
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

internal sealed class ShutdownOptionsValidator : IValidateOptions<ShutdownOptions>
{
    public ValidateOptionsResult Validate(string? name, ShutdownOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
