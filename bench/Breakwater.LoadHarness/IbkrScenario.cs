using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Breakwater.LoadHarness;

/// <summary>
/// The order scenario through the Interactive Brokers adapter: the gateway runs with <c>Breakwater:Broker:Kind=Ibkr</c>
/// against IB Gateway or the emulator on <c>--emulator-port</c>, and a 201 means TWS acknowledged the order. The
/// scenario waits until readiness returns 200 (the session is up), then drives <see cref="OrderScenario"/>.
/// </summary>
internal sealed class IbkrScenario(HarnessOptions options, string token, TextWriter output)
{
    /// <summary>Returns the gateway settings that point a gateway the harness starts at the emulator.</summary>
    public static IEnumerable<string> GatewayArguments(HarnessOptions options)
    {
        if (options.Scenario != "ibkr")
        {
            yield break;
        }

        yield return "--Breakwater:Broker:Kind=Ibkr";
        yield return "--Breakwater:Ibkr:Host=127.0.0.1";
        yield return "--Breakwater:Ibkr:Port=" + options.EmulatorPort.ToString(CultureInfo.InvariantCulture);
        yield return "--Breakwater:Ibkr:MessagesPerSecond=" + options.Pacing.ToString(CultureInfo.InvariantCulture);
        if (options.Pacing > 50)
        {
            yield return "--Breakwater:Ibkr:AllowPacingAboveIbkrLimit=true";
        }
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var probe = new HttpClient { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(2) };
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            try
            {
                using var response = await probe.GetAsync("/api/health/ready", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // The gateway is still starting.
            }

            if (TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromSeconds(30))
            {
                await Console.Error.WriteLineAsync(
                    $"The gateway at {options.Url} did not become ready within 30 seconds; is IB Gateway or the emulator "
                    + $"listening on port {options.EmulatorPort}?");
                return 1;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, cancellationToken);
        }

        output.WriteLine(
            $"Gateway ready against IBKR port {options.EmulatorPort}, pacing {options.Pacing} messages/s.");
        return await new OrderScenario(options, token, output).RunAsync(cancellationToken);
    }
}

/// <summary>The IB Gateway emulator program, started by the harness on <c>--emulator-port</c>.</summary>
internal sealed class StartedEmulator : IAsyncDisposable
{
    private readonly Process _process;

    private StartedEmulator(Process process) => _process = process;

    public static async Task<StartedEmulator> StartAsync(HarnessOptions options)
    {
        var assembly = Path.GetFullPath(options.EmulatorAssembly!);
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(options.EmulatorPort.ToString(CultureInfo.InvariantCulture));
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine("emulator: " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var started = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync("127.0.0.1", options.EmulatorPort);
                Console.WriteLine($"Started the IB Gateway emulator (pid {process.Id}) on port {options.EmulatorPort}.");
                return new StartedEmulator(process);
            }
            catch (SocketException)
            {
                // Not listening yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        }

        process.Kill();
        throw new TimeoutException(
            $"The emulator did not listen on port {options.EmulatorPort} within 30 seconds; check its output above.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
