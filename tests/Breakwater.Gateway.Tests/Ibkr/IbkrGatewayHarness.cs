extern alias emulator;

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Breakwater.Gateway.Tests.Api;
using Breakwater.Gateway.Tests.Infrastructure;
using emulator::Breakwater.IbGatewayEmulator;
using Emulator = emulator::Breakwater.IbGatewayEmulator.IbGatewayEmulator;

namespace Breakwater.Gateway.Tests.Ibkr;

/// <summary>
/// An in-process IB Gateway emulator on a loopback port and the built gateway as a real process configured with
/// <c>Breakwater:Broker:Kind=Ibkr</c> against it, with short reconnect, heartbeat and health intervals.
/// </summary>
internal sealed class IbkrGatewayHarness : IAsyncDisposable
{
    private const string RunningText = "Gateway running with";

    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(20);

    private IbkrGatewayHarness(Emulator emulator, GatewayProcess gateway)
    {
        Emulator = emulator;
        Gateway = gateway;
        Client = gateway.CreateClient();
    }

    public Emulator Emulator { get; private set; }

    public GatewayProcess Gateway { get; }

    public HttpClient Client { get; private set; }

    /// <summary>Starts the emulator and the gateway and waits until the broker breaker is closed.</summary>
    public static async Task<IbkrGatewayHarness> StartAsync(IDictionary<string, string>? extraSettings = null)
    {
        var emulator = new Emulator(new IbGatewayEmulatorOptions { Port = 0 });
        await emulator.StartAsync(CancellationToken.None);
        var settings = new Dictionary<string, string>
        {
            ["Breakwater:Broker:Kind"] = "Ibkr",
            ["Breakwater:Ibkr:Host"] = "127.0.0.1",
            ["Breakwater:Ibkr:Port"] = emulator.Port.ToString(CultureInfo.InvariantCulture),
            ["Breakwater:Ibkr:ClientId"] = "7",
            ["Breakwater:Ibkr:Account"] = emulator.Account,
            ["Breakwater:Ibkr:ConnectTimeout"] = "00:00:02",
            ["Breakwater:Ibkr:RequestTimeout"] = "00:00:03",
            ["Breakwater:Ibkr:InitialReconnectDelay"] = "00:00:00.100",
            ["Breakwater:Ibkr:MaxReconnectDelay"] = "00:00:00.400",
            ["Breakwater:Ibkr:ReconnectJitter"] = "0",
            ["Breakwater:Ibkr:StreamSymbols:0"] = "AAPL",
            ["Breakwater:Health:Broker:Interval"] = "00:00:00.200",
            ["Breakwater:Health:Broker:Timeout"] = "00:00:00.200",
            ["Breakwater:Health:MarketData:Interval"] = "00:00:00.200",
            ["Breakwater:Health:MarketData:Timeout"] = "00:00:00.200",
        };
        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        GatewayProcess? gateway = null;
        try
        {
            gateway = await GatewayProcess.StartAsync(new GatewayProcessOptions { Settings = settings });
            var harness = new IbkrGatewayHarness(emulator, gateway);
            await gateway.WaitForRunningAsync();
            await harness.WaitForBreakerAsync("broker", "closed");
            return harness;
        }
        catch
        {
            if (gateway is not null)
            {
                await gateway.DisposeAsync();
            }

            await emulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>Restarts the gateway process (SIGKILL, then start) and waits until the broker breaker is closed.</summary>
    public async Task RestartGatewayAsync()
    {
        // The output spans every run, so wait for one more "running" line than the earlier runs printed.
        var runs = CountOutput(RunningText);
        await Gateway.RestartAsync();
        Client.Dispose();
        Client = Gateway.CreateClient();
        var clock = Stopwatch.StartNew();
        while (CountOutput(RunningText) <= runs && clock.Elapsed < WaitTimeout)
        {
            await Task.Delay(25);
        }

        Assert.True(CountOutput(RunningText) > runs, $"The restarted gateway did not start running. Output:\n{Gateway.Output}");
        await WaitForBreakerAsync("broker", "closed");
    }

    /// <summary>
    /// Kills the gateway, replaces the emulator with a fresh one on the same port (empty book, order ids from 1, as
    /// after a reset of TWS's API order id sequence), then starts the gateway again.
    /// </summary>
    public async Task RestartWithFreshEmulatorAsync()
    {
        await Gateway.KillAsync();
        var port = Emulator.Port;
        await Emulator.DisposeAsync();
        Emulator = new Emulator(new IbGatewayEmulatorOptions { Port = port });
        await Emulator.StartAsync(CancellationToken.None);
        await RestartGatewayAsync();
    }

    public async Task<long> PlaceAsync(string body)
    {
        using var response = await Client.PostOrderAsync(body);
        var json = await response.ReadJsonAsync();
        Assert.True(
            response.StatusCode == HttpStatusCode.Created,
            $"POST /api/orders returned {(int)response.StatusCode}: {json}. Output:\n{Gateway.Output}");
        return json.GetProperty("id").GetInt64();
    }

    public async Task<JsonElement> GetOrderAsync(long id)
    {
        using var response = await Client.GetAsync($"/api/orders/{id}");
        return await response.ReadJsonAsync();
    }

    public async Task<JsonElement> GetHistoryAsync(long id)
    {
        using var response = await Client.GetAsync($"/api/orders/{id}/history");
        return await response.ReadJsonAsync();
    }

    /// <summary>Polls the order until its status is <paramref name="status"/>; returns the last read either way.</summary>
    public async Task<JsonElement> WaitForStatusAsync(long id, string status)
    {
        var order = await GetOrderAsync(id);
        var clock = Stopwatch.StartNew();
        while (order.GetProperty("status").GetString() != status && clock.Elapsed < WaitTimeout)
        {
            await Task.Delay(25);
            order = await GetOrderAsync(id);
        }

        return order;
    }

    /// <summary>Returns the breaker state of <paramref name="dependency"/> from <c>/api/status</c>.</summary>
    public async Task<string?> GetBreakerStateAsync(string dependency)
    {
        using var response = await Client.GetAsync("/api/status");
        var status = await response.ReadJsonAsync();
        return status.GetProperty("dependencies").EnumerateArray()
            .First(d => d.GetProperty("name").GetString() == dependency)
            .GetProperty("breaker").GetProperty("state").GetString();
    }

    /// <summary>Returns the health status of <paramref name="dependency"/> from <c>/api/status</c>.</summary>
    public async Task<string?> GetDependencyStatusAsync(string dependency)
    {
        using var response = await Client.GetAsync("/api/status");
        var status = await response.ReadJsonAsync();
        return status.GetProperty("dependencies").EnumerateArray()
            .First(d => d.GetProperty("name").GetString() == dependency)
            .GetProperty("status").GetString();
    }

    /// <summary>Polls <c>/api/status</c> until the dependency's status is <paramref name="status"/>; returns the last read.</summary>
    public async Task<string?> WaitForDependencyStatusAsync(string dependency, string status)
    {
        var current = await GetDependencyStatusAsync(dependency);
        var clock = Stopwatch.StartNew();
        while (current != status && clock.Elapsed < WaitTimeout)
        {
            await Task.Delay(25);
            current = await GetDependencyStatusAsync(dependency);
        }

        return current;
    }

    /// <summary>Returns how often <paramref name="text"/> appears in the gateway's output so far.</summary>
    public int CountOutput(string text)
    {
        var output = Gateway.Output;
        var count = 0;
        for (var at = output.IndexOf(text, StringComparison.Ordinal); at >= 0; at = output.IndexOf(text, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>Polls <c>/api/status</c> until the breaker is in <paramref name="state"/>; returns the last read.</summary>
    public async Task<string?> WaitForBreakerAsync(string dependency, string state)
    {
        var current = await GetBreakerStateAsync(dependency);
        var clock = Stopwatch.StartNew();
        while (current != state && clock.Elapsed < WaitTimeout)
        {
            await Task.Delay(25);
            current = await GetBreakerStateAsync(dependency);
        }

        return current;
    }

    /// <summary>Polls readiness until it returns <paramref name="expected"/>; returns the last status code.</summary>
    public async Task<HttpStatusCode> WaitForReadinessAsync(HttpStatusCode expected)
    {
        var current = await GetReadinessAsync();
        var clock = Stopwatch.StartNew();
        while (current != expected && clock.Elapsed < WaitTimeout)
        {
            await Task.Delay(25);
            current = await GetReadinessAsync();
        }

        return current;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Gateway.DisposeAsync();
        await Emulator.DisposeAsync();
    }

    private async Task<HttpStatusCode> GetReadinessAsync()
    {
        using var response = await Client.GetAsync("/api/health/ready");
        return response.StatusCode;
    }
}
