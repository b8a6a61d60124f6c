using System.Globalization;

namespace Breakwater.LoadHarness;

/// <summary>Command-line options of the load harness.</summary>
internal sealed class HarnessOptions
{
    public const string Usage = """
        Usage: Breakwater.LoadHarness [options]

          --scenario NAME     orders (POST /api/orders at full speed; the default) or shutdown-sweep.
          --url URL           Gateway base address. Default: http://127.0.0.1:5080
          --token TOKEN       API token sent as 'Authorization: Bearer TOKEN'.
          --token-file PATH   Read the API token from PATH (the gateway writes <data directory>/api-token).
          --clients N         Concurrent clients, each with one request in flight. Default: 32
          --duration SECONDS  How long to send orders. Default: 10 (ignored when --orders is set)
          --orders N          Total number of orders to send instead of a duration.
          --warmup SECONDS    Orders sent first and left out of the numbers. Default: 2
          --type TYPE         market (filled at once) or limit (rests far from the market). Default: market
          --start-gateway DLL Start 'dotnet DLL' on --url with a temporary data directory, and stop it afterwards.
          --rate N            shutdown-sweep: the paper broker's message limit per second. Default: 50
          --help              Show this text.
        """;

    public string Scenario { get; private set; } = "orders";

    public Uri Url { get; private set; } = new("http://127.0.0.1:5080");

    public string? Token { get; private set; }

    public string? TokenFile { get; private set; }

    public int Clients { get; private set; } = 32;

    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(10);

    public long? Orders { get; private set; }

    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(2);

    public string OrderType { get; private set; } = "market";

    public string? GatewayAssembly { get; private set; }

    public int MessagesPerSecond { get; private set; } = 50;

    public bool ShowHelp { get; private set; }

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public static HarnessOptions Parse(string[] args)
    {
        var options = new HarnessOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h")
            {
                options.ShowHelp = true;
                continue;
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"Option {name} needs a value.");
            }

            var value = args[++i];
            switch (name)
            {
                case "--scenario":
                    options.Scenario = value;
                    break;
                case "--url":
                    options.Url = new Uri(value);
                    break;
                case "--token":
                    options.Token = value;
                    break;
                case "--token-file":
                    options.TokenFile = value;
                    break;
                case "--clients":
                    options.Clients = PositiveInt(name, value);
                    break;
                case "--duration":
                    options.Duration = TimeSpan.FromSeconds(PositiveInt(name, value));
                    break;
                case "--orders":
                    options.Orders = PositiveInt(name, value);
                    break;
                case "--warmup":
                    options.Warmup = TimeSpan.FromSeconds(int.Parse(value, CultureInfo.InvariantCulture));
                    break;
                case "--type":
                    options.OrderType = value is "market" or "limit"
                        ? value
                        : throw new ArgumentException($"Option --type must be market or limit, but it is '{value}'.");
                    break;
                case "--rate":
                    options.MessagesPerSecond = PositiveInt(name, value);
                    break;
                case "--start-gateway":
                    options.GatewayAssembly = value;
                    break;
                default:
                    throw new ArgumentException($"Unknown option {name}; run with --help for the list.");
            }
        }

        return options;
    }

    /// <summary>Returns the API token from --token or --token-file.</summary>
    public string ResolveToken(string? dataDirectory)
    {
        if (Token is not null)
        {
            return Token;
        }

        var path = TokenFile ?? (dataDirectory is null ? null : Path.Combine(dataDirectory, "api-token"));
        if (path is null)
        {
            throw new ArgumentException("Pass the API token with --token or --token-file.");
        }

        return File.ReadAllText(path).Trim();
    }

    private static int PositiveInt(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"Option {name} must be a positive whole number, but it is '{value}'.");
}
