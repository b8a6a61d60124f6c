using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace Breakwater.Gateway.Tests.Infrastructure;

/// <summary>Settings of a <see cref="GatewayProcess"/>.</summary>
public sealed class GatewayProcessOptions
{
    /// <summary>Data directory; null creates a temporary one that is deleted on dispose.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Extra configuration, passed as <c>--Key=Value</c> command-line arguments.</summary>
    public IDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Extra environment variables of the process.</summary>
    public IDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>API token passed as <c>Breakwater:ApiToken</c>; null makes the gateway generate one in its data directory.</summary>
    public string? Token { get; init; } = "process-test-token-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8));

    /// <summary>How long start waits for <c>/api/health</c> to return 200. Default 30 seconds.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Runs the already built gateway (<c>dotnet Breakwater.Gateway.dll</c>) as a real process on a free loopback port,
/// captures its output, sends it signals, and restarts it on the same data directory.
/// </summary>
/// <remarks>
/// The gateway is found at <c>src/Breakwater.Gateway/bin/&lt;Configuration&gt;/net10.0/Breakwater.Gateway.dll</c>, with the
/// configuration the test assembly was built with (Release under test.sh); set BREAKWATER_GATEWAY_DLL to override.
/// Nothing is built here. Not thread safe: drive one instance from one test.
/// </remarks>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly GatewayProcessOptions _options;
    private readonly bool _ownsDataDirectory;
    private readonly StringBuilder _output = new();
    private readonly object _outputLock = new();
    private Process? _process;

    private GatewayProcess(GatewayProcessOptions options)
    {
        _options = options;
        _ownsDataDirectory = options.DataDirectory is null;
        DataDirectory = options.DataDirectory ?? Directory.CreateTempSubdirectory("breakwater-proc-").FullName;
    }

    public string DataDirectory { get; }

    /// <summary>The port of the current run; a restart picks a new free port.</summary>
    public int Port { get; private set; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>The API token: the configured one, or the one the gateway generated in its data directory.</summary>
    public string Token { get; private set; } = "";

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("The gateway process is not started.");

    public bool HasExited => _process?.HasExited ?? true;

    public int? ExitCode => _process is { HasExited: true } process ? process.ExitCode : null;

    /// <summary>Standard output and standard error of every run so far, interleaved as they arrived.</summary>
    public string Output
    {
        get
        {
            lock (_outputLock)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Path of the gateway assembly the fixture runs.</summary>
    public static string GatewayAssemblyPath
    {
        get
        {
            var overridden = System.Environment.GetEnvironmentVariable("BREAKWATER_GATEWAY_DLL");
            if (!string.IsNullOrEmpty(overridden))
            {
                return overridden;
            }

            var configuration = typeof(GatewayProcess).Assembly
                .GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Breakwater.slnx")))
            {
                directory = directory.Parent;
            }

            if (directory is null)
            {
                throw new InvalidOperationException(
                    $"No Breakwater.slnx above {AppContext.BaseDirectory}; set BREAKWATER_GATEWAY_DLL to the gateway assembly.");
            }

            return Path.Combine(
                directory.FullName, "src", "Breakwater.Gateway", "bin", configuration, "net10.0", "Breakwater.Gateway.dll");
        }
    }

    /// <summary>Starts the gateway and waits until <c>/api/health</c> returns 200.</summary>
    public static async Task<GatewayProcess> StartAsync(GatewayProcessOptions? options = null)
    {
        var gateway = new GatewayProcess(options ?? new GatewayProcessOptions());
        try
        {
            await gateway.RunAsync();
            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates a client for the gateway, sending the API token unless <paramref name="authorized"/> is false.</summary>
    public HttpClient CreateClient(bool authorized = true)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (authorized)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }

        return client;
    }

    /// <summary>Waits until the gateway logs that it accepts orders (startup reconciliation finished).</summary>
    public Task WaitForRunningAsync(TimeSpan? timeout = null) =>
        WaitForOutputAsync("Gateway running with", timeout ?? _options.StartTimeout);

    /// <summary>Waits until <paramref name="text"/> appears in the output of the current or an earlier run.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"The gateway did not print '{text}' within {timeout}. Output:\n{Output}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Sends a POSIX signal with <c>kill -SIGNAL pid</c>, for example TERM or INT.</summary>
    public async Task SendSignalAsync(string signal = "TERM")
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
        })!;
        await kill.WaitForExitAsync();
    }

    /// <summary>Kills the process with SIGKILL, without any chance to clean up, and waits for it to end.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: false);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException("The gateway process is not started.");
        using var cancellation = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancellation.Token);
        return process.ExitCode;
    }

    /// <summary>Kills the current run if it is still going, then starts the gateway again on the same data directory.</summary>
    public async Task RestartAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _process = null;
        await RunAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        if (_ownsDataDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean up with the other temporary files.
            }
        }
    }

    private async Task RunAsync()
    {
        var assembly = GatewayAssemblyPath;
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException(
                $"The gateway assembly {assembly} does not exist; build src/Breakwater.Gateway in the test's configuration first.",
                assembly);
        }

        Port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(BaseAddress.ToString().TrimEnd('/'));
        start.ArgumentList.Add($"--Breakwater:DataDirectory={DataDirectory}");
        if (_options.Token is not null)
        {
            start.ArgumentList.Add($"--Breakwater:ApiToken={_options.Token}");
        }

        foreach (var (key, value) in _options.Settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in _options.Environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitForHealthAsync(process);
        Token = _options.Token ?? (await File.ReadAllTextAsync(Path.Combine(DataDirectory, "api-token"))).Trim();
    }

    private async Task WaitForHealthAsync(Process process)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                // HasExited can turn true before the redirected output is drained; this wait returns at its end.
                await process.WaitForExitAsync();
                throw new InvalidOperationException(
                    $"The gateway exited with code {process.ExitCode} before /api/health answered. Output:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync("/api/health");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > _options.StartTimeout)
            {
                throw new TimeoutException(
                    $"The gateway did not answer /api/health within {_options.StartTimeout}. Output:\n{Output}");
            }

            await Task.Delay(50);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputLock)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
