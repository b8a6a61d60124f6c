using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Breakwater.LoadHarness;

/// <summary>
/// Measures the shutdown sweep: places resting orders with the paper broker unpaced, restarts the gateway on the same
/// data directory with <c>Breakwater:Paper:MaxMessagesPerSecond</c> set and the orders adopted, sends SIGTERM and
/// times signal to exit. Starts and stops the gateway itself, so it needs <c>--start-gateway</c>.
/// </summary>
/// <remarks>
/// Placing the orders under the limit would measure the placing too, so they are placed with the limit off and the
/// paper book (which persists in the data directory) carries them into the paced run. The first run ends with SIGKILL,
/// so that no sweep cancels them, and the second run adopts them (<c>Breakwater:Startup:OrphanedOrders=adopt</c>).
/// </remarks>
internal sealed class ShutdownSweepScenario(HarnessOptions options, TextWriter output)
{
    public const string Name = "shutdown-sweep";

    private const int DefaultOrders = 1000;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (options.GatewayAssembly is null)
        {
            output.WriteLine($"The {Name} scenario starts the gateway itself; pass --start-gateway with its assembly path.");
            return 2;
        }

        var orders = (int)(options.Orders ?? DefaultOrders);
        var rate = options.MessagesPerSecond;
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var dataDirectory = Directory.CreateTempSubdirectory("breakwater-sweep-").FullName;
        try
        {
            output.WriteLine($"Placing {orders} resting orders with the paper broker unpaced ...");
            using (var placing = await GatewayRun.StartAsync(options, dataDirectory, token, output, []))
            {
                await PlaceAsync(placing, token, orders, cancellationToken);
                placing.Kill();
            }

            output.WriteLine($"Restarting with Breakwater:Paper:MaxMessagesPerSecond={rate} and the orders adopted ...");
            var cancelTimeout = TimeSpan.FromSeconds(Math.Max(60, (orders / (double)rate) * 3));
            using var paced = await GatewayRun.StartAsync(
                options,
                dataDirectory,
                token,
                output,
                [
                    $"--Breakwater:Paper:MaxMessagesPerSecond={rate}",
                    "--Breakwater:Startup:OrphanedOrders=adopt",
                    $"--Breakwater:Shutdown:CancelTimeout={cancelTimeout.ToString("c", CultureInfo.InvariantCulture)}",
                    "--Logging:LogLevel:Breakwater.Gateway.Shutdown=Information",
                ]);
            await paced.WaitForReadyAsync(cancellationToken);
            var open = await paced.CountOpenOrdersAsync(token, cancellationToken);
            output.WriteLine($"{open} orders open at the broker; sending SIGTERM ...");

            var signalled = TimeProvider.System.GetTimestamp();
            paced.Signal("TERM");
            var exitCode = await paced.WaitForExitAsync(cancelTimeout + TimeSpan.FromSeconds(30), cancellationToken);
            var elapsed = TimeProvider.System.GetElapsedTime(signalled);
            var minimum = TimeSpan.FromSeconds(orders / (double)rate);

            output.WriteLine();
            output.WriteLine($"resting orders        {open}");
            output.WriteLine($"broker message limit  {rate} per second");
            output.WriteLine($"signal to exit        {elapsed.TotalSeconds:0.00} s");
            output.WriteLine($"sweep (gateway log)   {paced.SweepLine ?? "not found"}");
            output.WriteLine($"theoretical minimum   {minimum.TotalSeconds:0.00} s ({orders} cancels / {rate} per second)");
            output.WriteLine($"exit code             {exitCode}");
            return exitCode == 0 && open == orders ? 0 : 1;
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private async Task PlaceAsync(GatewayRun gateway, string token, int orders, CancellationToken cancellationToken)
    {
        using var client = gateway.CreateClient(token);
        var failures = 0;
        var started = TimeProvider.System.GetTimestamp();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, orders),
            new ParallelOptions { MaxDegreeOfParallelism = options.Clients, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var body = $$"""
                    {"clientOrderId":"sweep-{{i}}","symbol":"AAPL","side":"buy","quantity":10,
                     "type":"limit","limitPrice":1.00,"timeInForce":"gtc"}
                    """;
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await client.PostAsync("/api/orders", content, token);
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    Interlocked.Increment(ref failures);
                }
            });
        output.WriteLine(
            $"Placed {orders - failures} orders in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.00} s " +
            $"({failures} failed).");
    }

    /// <summary>One gateway process on a fixed data directory, with its output scanned for the sweep's summary.</summary>
    private sealed class GatewayRun : IDisposable
    {
        private readonly Process _process;
        private readonly Uri _url;

        private GatewayRun(Process process, Uri url)
        {
            _process = process;
            _url = url;
        }

        /// <summary>The gateway's "Cancel sweep finished" log line, once printed.</summary>
        public string? SweepLine { get; private set; }

        public static async Task<GatewayRun> StartAsync(
            HarnessOptions options, string dataDirectory, string token, TextWriter output, string[] extraArguments)
        {
            var assembly = Path.GetFullPath(options.GatewayAssembly!);
            var start = new ProcessStartInfo("dotnet")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetDirectoryName(assembly)!,
            };
            start.ArgumentList.Add(assembly);
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add(options.Url.ToString().TrimEnd('/'));
            start.ArgumentList.Add($"--Breakwater:DataDirectory={dataDirectory}");
            start.ArgumentList.Add($"--Breakwater:ApiToken={token}");
            start.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
            start.Environment["Logging__Console__FormatterName"] = "simple";
            foreach (var argument in extraArguments)
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start)!;
            var run = new GatewayRun(process, options.Url);
            process.OutputDataReceived += (_, e) => run.OnOutput(e.Data);
            process.ErrorDataReceived += (_, e) => run.OnOutput(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await run.WaitForLivenessAsync();
            output.WriteLine($"Started the gateway (pid {process.Id}) on {dataDirectory}.");
            return run;
        }

        public HttpClient CreateClient(string token)
        {
            var client = new HttpClient { BaseAddress = _url, Timeout = TimeSpan.FromSeconds(30) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }

        public async Task WaitForReadyAsync(CancellationToken cancellationToken)
        {
            using var client = new HttpClient { BaseAddress = _url, Timeout = TimeSpan.FromSeconds(5) };
            var started = TimeProvider.System.GetTimestamp();
            while (TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(60))
            {
                using var response = await client.GetAsync("/api/health/ready", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, cancellationToken);
            }

            throw new TimeoutException("Readiness did not return 200 within 60 seconds of the paced restart.");
        }

        public async Task<int> CountOpenOrdersAsync(string token, CancellationToken cancellationToken)
        {
            using var client = CreateClient(token);
            using var response = await client.GetAsync("/api/status", cancellationToken);
            using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return body.RootElement.GetProperty("openOrders").GetInt32();
        }

        public void Signal(string signal)
        {
            var processId = _process.Id.ToString(CultureInfo.InvariantCulture);
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, processId]) { UseShellExecute = false })!;
            kill.WaitForExit();
        }

        public void Kill()
        {
            _process.Kill();
            _process.WaitForExit();
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            await _process.WaitForExitAsync(limit.Token);
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit();
            }

            _process.Dispose();
        }

        private void OnOutput(string? line)
        {
            if (line is null)
            {
                return;
            }

            if (line.Contains("Cancel sweep finished", StringComparison.Ordinal))
            {
                SweepLine = line.Trim();
            }
            else if (line.Contains("fail:", StringComparison.Ordinal) || line.Contains("crit:", StringComparison.Ordinal))
            {
                Console.Error.WriteLine("gateway: " + line);
            }
        }

        private async Task WaitForLivenessAsync()
        {
            using var probe = new HttpClient { BaseAddress = _url, Timeout = TimeSpan.FromSeconds(1) };
            var started = TimeProvider.System.GetTimestamp();
            while (TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(30))
            {
                try
                {
                    using var response = await probe.GetAsync("/api/health");
                    if (response.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet.
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
            }

            throw new TimeoutException($"The gateway at {_url} did not return 200 from /api/health within 30 seconds.");
        }
    }
}
