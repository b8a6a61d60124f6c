using System.Diagnostics;
using Breakwater.LoadHarness;

HarnessOptions options;
try
{
    options = HarnessOptions.Parse(args);
}
catch (Exception exception) when (exception is ArgumentException or FormatException or UriFormatException)
{
    Console.Error.WriteLine(exception.Message);
    Console.Error.WriteLine(HarnessOptions.Usage);
    return 2;
}

if (options.ShowHelp)
{
    Console.WriteLine(HarnessOptions.Usage);
    return 0;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

// The shutdown sweep starts, kills and restarts the gateway itself, with a token of its own.
var ownsGateway = options.Scenario == ShutdownSweepScenario.Name;
await using var gateway = options.GatewayAssembly is null || ownsGateway ? null : await StartedGateway.StartAsync(options);
var token = ownsGateway ? "" : options.ResolveToken(gateway?.DataDirectory);

// New scenarios (readiness under load, shutdown sweep, IBKR) add a case here with their own class.
return options.Scenario switch
{
    "orders" => await new OrderScenario(options, token, Console.Out).RunAsync(cancellation.Token),
    ShutdownSweepScenario.Name => await new ShutdownSweepScenario(options, Console.Out).RunAsync(cancellation.Token),
    _ => Unknown(options.Scenario),
};

static int Unknown(string scenario)
{
    Console.Error.WriteLine($"Unknown scenario '{scenario}'; the scenarios are: orders, shutdown-sweep.");
    return 2;
}

/// <summary>A gateway process the harness started itself, on a temporary data directory.</summary>
internal sealed class StartedGateway : IAsyncDisposable
{
    private readonly Process _process;

    private StartedGateway(Process process, string dataDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    public static async Task<StartedGateway> StartAsync(HarnessOptions options)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("breakwater-load-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(options.GatewayAssembly!))!,
        };
        start.ArgumentList.Add(Path.GetFullPath(options.GatewayAssembly!));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(options.Url.ToString().TrimEnd('/'));
        start.ArgumentList.Add($"--Breakwater:DataDirectory={dataDirectory}");
        start.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine("gateway: " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(1) };
        var started = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(30))
        {
            try
            {
                if ((await probe.GetAsync("/api/health")).IsSuccessStatusCode)
                {
                    Console.WriteLine($"Started the gateway (pid {process.Id}) with data directory {dataDirectory}.");
                    await Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System);
                    return new StartedGateway(process, dataDirectory);
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        }

        process.Kill();
        throw new TimeoutException($"The gateway at {options.Url} did not return 200 from /api/health within 30 seconds; check the gateway output above.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
