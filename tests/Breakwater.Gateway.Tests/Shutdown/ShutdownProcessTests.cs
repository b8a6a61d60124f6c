using System.Diagnostics;
using System.Net;
using Breakwater.Gateway.Tests.Api;
using Breakwater.Gateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Breakwater.Gateway.Tests.Shutdown;

/// <summary>Runs alone, so that the readiness timing is not measured while other gateway processes start.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ShutdownProcessCollection
{
    public const string Name = "Shutdown process";
}

/// <summary>
/// Sends real signals to the built gateway process (SQLite journal, paper broker) and checks the journal and the
/// paper broker's book files after it exits.
/// </summary>
[Collection(ShutdownProcessCollection.Name)]
public sealed class ShutdownProcessTests(ITestOutputHelper output)
{
    /// <summary>Budget from SIGTERM to the first 503 from readiness, so that load balancers stop routing at once.</summary>
    private static readonly TimeSpan ReadinessBudget = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Sigterm_FiftyRestingOrders_CancelsAllAndExitsZero()
    {
        await using var gateway = await GatewayProcess.StartAsync(new GatewayProcessOptions
        {
            Settings = new Dictionary<string, string>
            {
                ["Breakwater:Paper:TickInterval"] = "00:00:00.050",
                ["Breakwater:Shutdown:DrainDelay"] = "00:00:01",
            },
        });
        await gateway.WaitForRunningAsync();
        using var client = gateway.CreateClient();
        using var probe = gateway.CreateClient(authorized: false);
        var ids = await ShutdownProcessSupport.PlaceRestingOrdersAsync(client, "term", 50);
        await ShutdownProcessSupport.WaitForReadyAsync(gateway, TimeSpan.FromSeconds(30));

        await gateway.SendSignalAsync("TERM");
        var clock = Stopwatch.StartNew();
        HttpStatusCode readiness;
        do
        {
            using var response = await probe.GetAsync("/api/health/ready");
            readiness = response.StatusCode;
        }
        while (readiness == HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(5));

        var firstUnavailable = clock.Elapsed;
        output.WriteLine($"First 503 from readiness {firstUnavailable.TotalMilliseconds:0.0} ms after SIGTERM.");
        using var ready = await probe.GetAsync("/api/health/ready");
        var readyBody = await ready.ReadJsonAsync();
        using var live = await probe.GetAsync("/api/health");
        using var refused = await client.PostOrderAsync(ShutdownProcessSupport.RestingOrder("term-late"));
        var refusedBody = await refused.ReadJsonAsync();
        var exitCode = await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var journal = ShutdownProcessSupport.ReadJournal(gateway.DataDirectory);
        var book = ShutdownProcessSupport.ReadBook(gateway.DataDirectory);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness);
        Assert.True(
            firstUnavailable < ReadinessBudget,
            $"Readiness returned 503 {firstUnavailable.TotalMilliseconds:0.0} ms after the signal; the budget is " +
            $"{ReadinessBudget.TotalMilliseconds} ms.");
        Assert.Equal("stopping", readyBody.GetProperty("lifecycle").GetString());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("urn:breakwater:problem:shutting-down", refusedBody.GetProperty("type").GetString());
        Assert.Equal(0, exitCode);
        Assert.Equal(50, journal.Count);
        Assert.Equal(ids.Order(), journal.Select(row => row.Id));
        Assert.All(journal, row => Assert.Equal("Cancelled", row.Status));
        Assert.Equal(50, book.Count);
        Assert.All(book, row => Assert.Equal(ShutdownProcessSupport.BookCancelled, row.Status));
        Assert.Contains("Shutdown sequence finished", gateway.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_BrokerHangsAndSecondSignal_ExitsByDeadlineWithCode3()
    {
        await using var gateway = await GatewayProcess.StartAsync(new GatewayProcessOptions
        {
            Settings = new Dictionary<string, string>
            {
                ["Breakwater:Paper:TickInterval"] = "00:00:00.050",
                ["Breakwater:Shutdown:CancelTimeout"] = "00:00:02",
                ["Breakwater:Shutdown:CancelAttemptTimeout"] = "00:00:00.500",
                ["Breakwater:Shutdown:HostTimeout"] = "00:00:06",
            },
        });
        await gateway.WaitForRunningAsync();
        using var client = gateway.CreateClient();
        var ids = await ShutdownProcessSupport.PlaceRestingOrdersAsync(client, "hang", 5);
        await ShutdownProcessSupport.SetBrokerFaultAsync(client, "hang");

        await gateway.SendSignalAsync("TERM");
        var clock = Stopwatch.StartNew();
        await gateway.WaitForOutputAsync("Shutdown started", TimeSpan.FromSeconds(5));
        await gateway.SendSignalAsync("INT");
        await gateway.WaitForOutputAsync("again (signal 2)", TimeSpan.FromSeconds(5));
        using var duringSweep = await client.GetAsync("/api/health/ready");
        var duringSweepBody = await duringSweep.ReadJsonAsync();
        using var status = await client.GetAsync("/api/status");
        var exitCode = await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20));
        var elapsed = clock.Elapsed;
        output.WriteLine($"Exited {elapsed.TotalSeconds:0.00} s after SIGTERM with the broker hanging.");
        var journal = ShutdownProcessSupport.ReadJournal(gateway.DataDirectory);
        var gatewayOutput = gateway.Output;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, duringSweep.StatusCode);
        Assert.Equal("stopping", duringSweepBody.GetProperty("lifecycle").GetString());
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Equal(3, exitCode);
        Assert.True(elapsed < TimeSpan.FromSeconds(6), $"The gateway exited {elapsed} after the signal.");
        Assert.Equal(5, journal.Count);
        Assert.All(journal, row => Assert.Equal("CancelUnconfirmed", row.Attention));
        foreach (var id in ids)
        {
            Assert.Contains($"Cancel of order {id} (", gatewayOutput, StringComparison.Ordinal);
        }

        Assert.Contains("not confirmed before the shutdown deadline", gatewayOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigkill_RestingOrders_RestartCancelsThemBeforeReady()
    {
        await using var gateway = await GatewayProcess.StartAsync(new GatewayProcessOptions
        {
            Settings = new Dictionary<string, string> { ["Breakwater:Paper:TickInterval"] = "00:00:00.050" },
        });
        await gateway.WaitForRunningAsync();
        List<long> ids;
        using (var client = gateway.CreateClient())
        {
            ids = await ShutdownProcessSupport.PlaceRestingOrdersAsync(client, "kill", 10);
        }

        await gateway.KillAsync();
        var bookAfterKill = ShutdownProcessSupport.ReadBook(gateway.DataDirectory);
        await gateway.RestartAsync();
        await ShutdownProcessSupport.WaitForReadyAsync(gateway, TimeSpan.FromSeconds(30));
        var statuses = new List<string?>();
        using (var client = gateway.CreateClient())
        {
            foreach (var id in ids)
            {
                statuses.Add(await ShutdownProcessSupport.ReadStatusAsync(client, id));
            }
        }

        var journal = ShutdownProcessSupport.ReadJournal(gateway.DataDirectory);
        var book = ShutdownProcessSupport.ReadBook(gateway.DataDirectory);
        var gatewayOutput = gateway.Output;

        Assert.Equal(10, bookAfterKill.Count(row => row.Status != ShutdownProcessSupport.BookCancelled));
        Assert.All(statuses, status => Assert.Equal("cancelled", status));
        Assert.All(journal, row => Assert.Equal("Cancelled", row.Status));
        Assert.Equal(10, book.Count);
        Assert.All(book, row => Assert.Equal(ShutdownProcessSupport.BookCancelled, row.Status));
        Assert.All(book.GroupBy(row => row.ClientOrderId), group => Assert.Single(group));
        Assert.True(
            gatewayOutput.IndexOf("Cancelling 10 orders left open", StringComparison.Ordinal)
                < gatewayOutput.LastIndexOf("Gateway running with", StringComparison.Ordinal),
            "The orders left open were not cancelled before the gateway started accepting orders.");
    }

    [Fact]
    public async Task Sigterm_DuringPostBurst_EveryCreatedOrderCancelled()
    {
        const int total = 60;
        await using var gateway = await GatewayProcess.StartAsync(new GatewayProcessOptions
        {
            Settings = new Dictionary<string, string> { ["Breakwater:Paper:TickInterval"] = "00:00:00.050" },
        });
        await gateway.WaitForRunningAsync();
        using var client = gateway.CreateClient();

        // Each broker call takes 300 ms, so that many submits are still in flight when the signal arrives.
        await ShutdownProcessSupport.SetBrokerFaultAsync(client, "slow", latencyMs: 300);
        var completed = 0;
        var signalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var burst = Enumerable.Range(0, total).Select(async i =>
        {
            if (i >= total / 2)
            {
                await signalled.Task;
            }

            using var response = await client.PostOrderAsync(ShutdownProcessSupport.RestingOrder($"burst-{i}"));
            var body = await response.ReadJsonAsync();
            Interlocked.Increment(ref completed);
            return (Client: $"burst-{i}", response.StatusCode, Id: response.StatusCode == HttpStatusCode.Created
                ? body.GetProperty("id").GetInt64()
                : 0L);
        }).ToList();
        await WaitForOpenOrdersAsync(client, atLeast: 5);
        await gateway.SendSignalAsync("TERM");
        await WaitForStoppingAsync(client);
        signalled.SetResult();
        var results = await Task.WhenAll(burst);
        var exitCode = await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var created = results.Where(result => result.StatusCode == HttpStatusCode.Created).ToList();
        var journal = ShutdownProcessSupport.ReadJournal(gateway.DataDirectory).ToDictionary(row => row.ClientOrderId);
        var book = ShutdownProcessSupport.ReadBook(gateway.DataDirectory);

        Assert.All(results, result => Assert.Contains(
            result.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.ServiceUnavailable }));
        Assert.NotEmpty(created);
        Assert.Contains(results, result => result.StatusCode == HttpStatusCode.ServiceUnavailable);
        Assert.Equal(0, exitCode);
        Assert.All(created, result => Assert.Equal("Cancelled", journal[result.Client].Status));
        Assert.Equal(created.Count, book.Count);
        Assert.All(book, row => Assert.Equal(ShutdownProcessSupport.BookCancelled, row.Status));
        Assert.All(book, row => Assert.Contains(created, result => result.Client == row.ClientOrderId));
    }

    /// <summary>Waits until the status endpoint counts open orders, including submits still waiting for the broker.</summary>
    private static async Task WaitForOpenOrdersAsync(HttpClient client, int atLeast)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            using var response = await client.GetAsync("/api/status");
            if ((await response.ReadJsonAsync()).GetProperty("openOrders").GetInt32() >= atLeast)
            {
                return;
            }

            await Task.Delay(5);
        }

        throw new TimeoutException($"Fewer than {atLeast} orders were open after 10 seconds.");
    }

    /// <summary>Waits until readiness reports the lifecycle stopping, so that the gateway has seen the signal.</summary>
    private static async Task WaitForStoppingAsync(HttpClient client)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            using var response = await client.GetAsync("/api/health/ready");
            if ((await response.ReadJsonAsync()).GetProperty("lifecycle").GetString() == "stopping")
            {
                return;
            }
        }

        throw new TimeoutException("Readiness did not report the lifecycle stopping within ten seconds of SIGTERM.");
    }
}
