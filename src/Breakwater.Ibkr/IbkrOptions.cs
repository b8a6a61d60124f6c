using Microsoft.Extensions.Options;

namespace Breakwater.Ibkr;

/// <summary>Settings of the Interactive Brokers adapter, bound from <c>Breakwater:Ibkr</c>.</summary>
public sealed class IbkrOptions
{
    public const string SectionName = "Breakwater:Ibkr";

    /// <summary>Host of TWS or IB Gateway. Default 127.0.0.1.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>
    /// API port: 4001 live or 4002 paper for IB Gateway, 7496/7497 for TWS. Default 4002; valid 1 to 65535.
    /// </summary>
    public int Port { get; set; } = 4002;

    /// <summary>API client id, unique per TWS session. Default 1; valid 0 to 999999999.</summary>
    public int ClientId { get; set; } = 1;

    /// <summary>
    /// Account to place orders in. Empty lets TWS choose, which is right for a login with one account. Default empty.
    /// </summary>
    public string Account { get; set; } = string.Empty;

    /// <summary>How long the handshake, startApi and the first nextValidId may take. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a request waits for its answer (order acknowledgement, cancel, query). Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Delay before the first reconnect attempt; it doubles with each failure. Default 1 s.</summary>
    public TimeSpan InitialReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the reconnect delay. Default 60 s; must not be below <see cref="InitialReconnectDelay"/>.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Random spread of each reconnect delay, as a fraction of it. Default 0.2; valid 0 to 1.</summary>
    public double ReconnectJitter { get; set; } = 0.2;

    /// <summary>
    /// Wait after error 326 (client id in use) before the next attempt; the gateway may still hold the old session.
    /// Default 30 s.
    /// </summary>
    public TimeSpan ClientIdInUseDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an idle connection is probed with reqCurrentTime. Default 30 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a probe may stay unanswered before the connection counts as silent and is closed. Default 10 s.
    /// </summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Outgoing messages per second, below IBKR's limit of 50. Default 45; valid 1 to 50, or 1 to 1000 with
    /// <see cref="AllowPacingAboveIbkrLimit"/>.
    /// </summary>
    public double MessagesPerSecond { get; set; } = 45;

    /// <summary>
    /// Lets <see cref="MessagesPerSecond"/> exceed IBKR's limit of 50, up to 1000. Only for the IB Gateway emulator
    /// (benchmarks); a real TWS or IB Gateway sends error 100 to a faster client and then disconnects it.
    /// Default false.
    /// </summary>
    public bool AllowPacingAboveIbkrLimit { get; set; }

    /// <summary>Factor applied to the message rate after error 100 (pacing violation). Default 0.5.</summary>
    public double PacingSlowdownFactor { get; set; } = 0.5;

    /// <summary>How long a pacing slowdown lasts. Default 60 s.</summary>
    public TimeSpan PacingSlowdownDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Start of the gateway's scheduled daily restart, local to <see cref="DailyRestartTimeZone"/>, for example 23:45.
    /// Null (the default) means no window. Inside the window a disconnect counts as degraded, not unhealthy.
    /// </summary>
    public TimeOnly? DailyRestartStart { get; set; }

    /// <summary>End of the daily restart window; it may be past midnight (before the start). Default null.</summary>
    public TimeOnly? DailyRestartEnd { get; set; }

    /// <summary>IANA or Windows time zone id of the restart window. Default America/New_York.</summary>
    public string DailyRestartTimeZone { get; set; } = "America/New_York";

    /// <summary>How old a streamed quote may be and still answer a quote request. Default 5 s.</summary>
    public TimeSpan QuoteMaxAge { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Symbols to stream quotes for while connected; they are resubscribed after every reconnect and 1101.</summary>
    public IList<string> StreamSymbols { get; } = [];
}

/// <summary>Checks <see cref="IbkrOptions"/> at start and names every invalid option.</summary>
internal sealed class IbkrOptionsValidator : IValidateOptions<IbkrOptions>
{
    public ValidateOptionsResult Validate(string? name, IbkrOptions options)
    {
        List<string> failures = [];
        var p = IbkrOptions.SectionName + ":";
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            failures.Add($"{p}{nameof(options.Host)} is empty; set the host of TWS or IB Gateway.");
        }

        if (options.Port is < 1 or > 65535)
        {
            failures.Add($"{p}{nameof(options.Port)} must be between 1 and 65535; it is {options.Port}.");
        }

        if (options.ClientId is < 0 or > 999_999_999)
        {
            failures.Add($"{p}{nameof(options.ClientId)} must be between 0 and 999999999; it is {options.ClientId}.");
        }

        Positive(failures, p + nameof(options.ConnectTimeout), options.ConnectTimeout);
        Positive(failures, p + nameof(options.RequestTimeout), options.RequestTimeout);
        Positive(failures, p + nameof(options.InitialReconnectDelay), options.InitialReconnectDelay);
        Positive(failures, p + nameof(options.HeartbeatInterval), options.HeartbeatInterval);
        Positive(failures, p + nameof(options.HeartbeatTimeout), options.HeartbeatTimeout);
        if (options.MaxReconnectDelay < options.InitialReconnectDelay)
        {
            failures.Add(
                $"{p}{nameof(options.MaxReconnectDelay)} ({options.MaxReconnectDelay}) must not be below "
                + $"{nameof(options.InitialReconnectDelay)} ({options.InitialReconnectDelay}).");
        }

        if (options.ReconnectJitter is < 0 or > 1)
        {
            failures.Add($"{p}{nameof(options.ReconnectJitter)} must be between 0 and 1; it is {options.ReconnectJitter}.");
        }

        var maxRate = options.AllowPacingAboveIbkrLimit ? 1000 : 50;
        if (options.MessagesPerSecond < 1 || options.MessagesPerSecond > maxRate)
        {
            failures.Add(options.AllowPacingAboveIbkrLimit
                ? $"{p}{nameof(options.MessagesPerSecond)} must be between 1 and 1000; it is {options.MessagesPerSecond}."
                : $"{p}{nameof(options.MessagesPerSecond)} must be between 1 and 50 (IBKR's limit); it is "
                    + $"{options.MessagesPerSecond}. Set {p}{nameof(options.AllowPacingAboveIbkrLimit)} only "
                    + "against the emulator.");
        }

        if (options.PacingSlowdownFactor is <= 0 or >= 1)
        {
            failures.Add(
                $"{p}{nameof(options.PacingSlowdownFactor)} must be above 0 and below 1; it is "
                + $"{options.PacingSlowdownFactor}.");
        }

        if (options.DailyRestartStart.HasValue != options.DailyRestartEnd.HasValue)
        {
            failures.Add(
                $"{p}{nameof(options.DailyRestartStart)} and {nameof(options.DailyRestartEnd)} must be set together; "
                + "only one of them is set.");
        }

        if (options.DailyRestartStart.HasValue
            && !TimeZoneInfo.TryFindSystemTimeZoneById(options.DailyRestartTimeZone, out _))
        {
            failures.Add(
                $"{p}{nameof(options.DailyRestartTimeZone)} '{options.DailyRestartTimeZone}' is not a known time zone id.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{name} must be positive; it is {value}.");
        }
    }
}
