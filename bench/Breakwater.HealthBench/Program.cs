using System.Globalization;
using Breakwater.HealthBench;

// Compares Breakwater's snapshot-based readiness with ASP.NET Core's stock MapHealthChecks, which runs every check on
// every request, in one process. --help prints the arguments (BenchOptions.Usage).
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine(exception.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

await using IReadinessSetup setup = options.Setup == BenchSetup.GatewayProbes
    ? await GatewayProbeSetup.StartAsync(options)
    : await StandInSetup.StartAsync(options);

Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"Readiness benchmark ({setup.Description}): {options.Clients} concurrent clients, "
    + $"{options.Duration.TotalSeconds} s per endpoint, {Environment.ProcessorCount} logical processors."));
var breakwater = await LoadDriver.RunAsync(
    setup.BreakwaterUrl + "/api/health/ready", options.Clients, options.Duration, setup.ReadBreakwaterCalls);
var stock = await LoadDriver.RunAsync(
    setup.StockUrl + "/health/ready", options.Clients, options.Duration, setup.ReadStockCalls);

// Liveness writes a constant body, so its throughput is the ceiling of this client and server on this machine.
var liveness = await LoadDriver.RunAsync(
    setup.BreakwaterUrl + "/api/health", options.Clients, options.Duration, setup.ReadBreakwaterCalls);

Console.WriteLine(LoadResult.Header);
Console.WriteLine(LoadResult.Separator);
Console.WriteLine(breakwater.Format("Breakwater /api/health/ready"));
Console.WriteLine(stock.Format("Stock MapHealthChecks"));
Console.WriteLine(liveness.Format("Breakwater /api/health (ceiling)"));
Console.WriteLine();
Console.WriteLine("Dependency calls per endpoint run:");
Console.WriteLine($"  Breakwater /api/health/ready: {breakwater.Calls.Describe()}");
Console.WriteLine($"  Stock MapHealthChecks: {stock.Calls.Describe()}");
Console.WriteLine($"  Breakwater /api/health: {liveness.Calls.Describe()}");
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"Throughput ratio: {breakwater.RequestsPerSecond / stock.RequestsPerSecond:0.0}x of all responses, "
    + $"{breakwater.SuccessfulPerSecond / stock.SuccessfulPerSecond:0.0}x of 2xx responses."));
return 0;
