namespace Breakwater.Paper;

/// <summary>
/// Settings of the embedded paper broker and its simulated market data, bound from the
/// <c>Breakwater:Paper</c> configuration section and validated at start.
/// </summary>
public sealed class PaperBrokerOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Breakwater:Paper";

    /// <summary>The price increment every simulated price is rounded to.</summary>
    public const decimal PriceTick = 0.01m;

    /// <summary>
    /// Seed of the random walk and of the <c>errors</c> fault mode. The same seed and the same number of ticks give
    /// the same quotes. Default 42.
    /// </summary>
    public int Seed { get; set; } = 42;

    /// <summary>
    /// Tradable symbols and the mid price each one starts from after every start of the broker. Configured entries
    /// add to or replace the defaults; a price must be positive. Symbols are matched case-insensitively.
    /// </summary>
    public IDictionary<string, decimal> Symbols { get; set; } = CreateDefaultSymbols();

    /// <summary>
    /// How often quotes move and resting orders are matched. Default 250 ms; valid 1 ms to 1 minute.
    /// </summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How often market orders and requested cancels are handled between ticks, without moving the quotes. Default
    /// 25 ms; valid 0 or 1 ms to 1 minute. At 0, or at <see cref="TickInterval"/> or more, they are handled on ticks
    /// only. A short interval spreads the work of a busy book over many small steps instead of one large step per
    /// tick.
    /// </summary>
    public TimeSpan MatchInterval { get; set; } = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// Standard deviation of the relative mid-price change per tick. Default 0.0005 (0.05 %); valid 0 to 0.1.
    /// </summary>
    public double Volatility { get; set; } = 0.0005;

    /// <summary>
    /// Distance between bid and ask. Default 0.02; valid 0.01 to 1000 and a whole number of price ticks (0.01).
    /// </summary>
    public decimal Spread { get; set; } = 0.02m;

    /// <summary>
    /// Cash the account starts with when the broker's book file is created; later starts keep the stored balance.
    /// Buy orders whose notional exceeds the cash left after the working buy orders are rejected with
    /// InsufficientFunds. Default 1,000,000; must be positive.
    /// </summary>
    public decimal StartingCash { get; set; } = 1_000_000m;

    /// <summary>
    /// Maximum quantity one order fills per step (a tick, or a match step for a market order), so large orders fill
    /// over several steps as partial fills.
    /// Default 0, which fills the whole remaining quantity at once; otherwise at least 1.
    /// </summary>
    public long MaxFillQuantityPerTick { get; set; }

    /// <summary>
    /// Maximum quantity of one order. Larger orders are rejected with InvalidOrder. Default 1,000,000; at least 1.
    /// </summary>
    public long MaxOrderQuantity { get; set; } = 1_000_000;

    /// <summary>
    /// Maximum broker messages (place, cancel, queries, ping) per second. Calls above the rate queue and wait for
    /// their turn in arrival order. Default 0, which means unlimited; valid 0 to 10,000.
    /// </summary>
    public int MaxMessagesPerSecond { get; set; }

    /// <summary>
    /// Maximum calls waiting for the message rate limit; a call beyond it fails with a dependency error.
    /// Default 100,000; must be positive.
    /// </summary>
    public int MaxQueuedMessages { get; set; } = 100_000;

    /// <summary>
    /// UTC time of day at which working day orders are cancelled, as at the end of a trading session.
    /// Default null, which never expires day orders.
    /// </summary>
    public TimeOnly? SessionEndUtc { get; set; }

    /// <summary>
    /// Path of the SQLite file that contains the broker's book. Default null, which resolves to
    /// <c>paper-broker.db</c> in the directory set by <c>Breakwater:DataDirectory</c> (default <c>./data</c>).
    /// </summary>
    public string? DatabasePath { get; set; }

    /// <summary>
    /// Returns the default symbol list: US stocks and ETFs plus symbols with a dot and a slash.
    /// </summary>
    public static Dictionary<string, decimal> CreateDefaultSymbols() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["AAPL"] = 190.00m,
        ["MSFT"] = 410.00m,
        ["SPY"] = 520.00m,
        ["QQQ"] = 440.00m,
        ["IBM"] = 185.00m,
        ["TSLA"] = 175.00m,
        ["AMZN"] = 180.00m,
        ["GOOG"] = 160.00m,
        ["NVDA"] = 120.00m,
        ["META"] = 480.00m,
        ["BRK.B"] = 410.00m,
        ["BF.B"] = 45.00m,
        ["EUR/USD"] = 1.08m,
        ["GBP/USD"] = 1.27m,
    };
}
