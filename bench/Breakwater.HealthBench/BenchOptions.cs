using System.Globalization;

namespace Breakwater.HealthBench;

/// <summary>Which dependencies the two readiness endpoints check.</summary>
internal enum BenchSetup
{
    /// <summary>Stand-in checks: <c>SELECT 1</c> on a SQLite file, a loopback TCP echo and a quote-age check.</summary>
    StandIn,

    /// <summary>The gateway's own probes against the IB Gateway emulator and the order journal.</summary>
    GatewayProbes,
}

/// <summary>Command-line settings of the readiness benchmark.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        Usage: Breakwater.HealthBench [seconds] [clients] [brokerMs] [--setup stand-in|gateway-probes]
                                      [--ibkr-messages-per-second RATE] [--postgres CONNECTION_STRING]
          seconds    measured time per endpoint in seconds, after a 1 s warm-up; default 10
          clients    concurrent HTTP clients; default 64
          brokerMs   stand-in setup only: delay of each broker echo reply in milliseconds; default 0
          --setup    stand-in (default): stand-in checks on a SQLite file, a TCP echo server and a clock;
                     gateway-probes: the gateway's broker, database and market data probes against the
                     IB Gateway emulator on loopback and the order journal
          --ibkr-messages-per-second  gateway-probes only: messages per second of the IBKR client's pacer,
                     1 to 1000; default 45, the IBKR client's default. A rate above 50, IBKR's limit, is
                     allowed only because the peer is the emulator.
          --postgres gateway-probes only: Npgsql connection string of the journal database; the journal
                     creates its tables there. Default: a SQLite journal in a temporary directory.
        """;

    /// <summary>Measured time per endpoint. Default 10 s.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Concurrent HTTP clients. Default 64.</summary>
    public int Clients { get; init; } = 64;

    /// <summary>Delay of each reply of the stand-in broker's echo server. Default zero.</summary>
    public TimeSpan StandInBrokerDelay { get; init; }

    public BenchSetup Setup { get; init; } = BenchSetup.StandIn;

    /// <summary>
    /// Pacer rate of the IBKR client in messages per second. Null keeps the default of
    /// <c>IbkrOptions.MessagesPerSecond</c>.
    /// </summary>
    public double? IbkrMessagesPerSecond { get; init; }

    /// <summary>Connection string of a PostgreSQL journal, or null for a temporary SQLite journal.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>
    /// Parses the command line. Throws <see cref="ArgumentException"/>, naming the argument, when one is invalid.
    /// </summary>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new BenchOptions();
        var positional = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(args[i]);
                continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"The option {args[i]} needs a value, but it is the last argument.");
            }

            var value = args[++i];
            options = args[i - 1] switch
            {
                "--setup" => options with { Setup = ParseSetup(value) },
                "--ibkr-messages-per-second" => options with
                {
                    IbkrMessagesPerSecond = ParseNumber("--ibkr-messages-per-second", value, 1, 1000),
                },
                "--postgres" => options with { PostgresConnectionString = value },
                _ => throw new ArgumentException(
                    $"Unknown option '{args[i - 1]}'. Valid options are --setup, --ibkr-messages-per-second, "
                    + "--postgres and --help."),
            };
        }

        if (positional.Count > 3)
        {
            throw new ArgumentException(
                $"At most three positional arguments (seconds, clients, brokerMs) are valid, but {positional.Count} "
                + "were given.");
        }

        if (positional.Count > 0)
        {
            options = options with { Duration = TimeSpan.FromSeconds(ParseInteger("seconds", positional[0], 1, 3600)) };
        }

        if (positional.Count > 1)
        {
            options = options with { Clients = ParseInteger("clients", positional[1], 1, 10_000) };
        }

        if (positional.Count > 2)
        {
            options = options with
            {
                StandInBrokerDelay = TimeSpan.FromMilliseconds(ParseInteger("brokerMs", positional[2], 0, 60_000)),
            };
        }

        return options.Validate();
    }

    private BenchOptions Validate()
    {
        if (Setup == BenchSetup.GatewayProbes && StandInBrokerDelay > TimeSpan.Zero)
        {
            throw new ArgumentException(
                "brokerMs applies only to the stand-in setup, because the gateway-probes setup adds no delay to the "
                + "emulator. Remove it or use --setup stand-in.");
        }

        if (Setup == BenchSetup.StandIn && (IbkrMessagesPerSecond is not null || PostgresConnectionString is not null))
        {
            throw new ArgumentException(
                "--ibkr-messages-per-second and --postgres apply only to --setup gateway-probes.");
        }

        if (PostgresConnectionString is not null && string.IsNullOrWhiteSpace(PostgresConnectionString))
        {
            throw new ArgumentException("--postgres is empty. Give an Npgsql connection string.");
        }

        return this;
    }

    private static BenchSetup ParseSetup(string value) => value switch
    {
        "stand-in" => BenchSetup.StandIn,
        "gateway-probes" => BenchSetup.GatewayProbes,
        _ => throw new ArgumentException($"--setup must be stand-in or gateway-probes, but it is '{value}'."),
    };

    private static int ParseInteger(string name, string value, int minimum, int maximum)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number < minimum
            || number > maximum)
        {
            throw new ArgumentException(string.Create(
                CultureInfo.InvariantCulture,
                $"{name} must be a whole number from {minimum} to {maximum}, but it is '{value}'."));
        }

        return number;
    }

    private static double ParseNumber(string name, string value, double minimum, double maximum)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            || number < minimum
            || number > maximum)
        {
            throw new ArgumentException(string.Create(
                CultureInfo.InvariantCulture,
                $"{name} must be a number from {minimum} to {maximum}, but it is '{value}'."));
        }

        return number;
    }
}
