using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Breakwater.Domain.Orders;
using Breakwater.Gateway.Tests.Api;
using Breakwater.Gateway.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Breakwater.Gateway.Tests.Outage;

/// <summary>
/// Runs the real gateway process on a private PostgreSQL server with the paper broker, and stops and starts that
/// server while orders flow.
/// </summary>
public sealed class DatabaseOutageTests
{
    private const int PoolSize = 6;

    /// <summary>
    /// Quantity of the order whose fills span the outage: the paper broker fills one share per 50 ms tick, so the
    /// order fills over about 6 s and keeps filling while the database is down, whenever in the first seconds the
    /// stop happens. That makes "fills arrive during the outage" deterministic without timing the stop.
    /// </summary>
    private const long SlowOrderQuantity = 120;

    [SkippableOutageFact]
    public async Task Outage_OrdersFlowing_LosesNothing()
    {
        await using var postgres = await PrivatePostgresServer.StartAsync();
        await using var gateway = await StartGatewayAsync(postgres);
        await gateway.WaitForRunningAsync();
        using var client = gateway.CreateClient();

        var resting = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            var response = await client.PostOrderAsync(ApiTestHelpers.Limit($"rest-{i}", price: 1.00m, quantity: 1));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            resting.Add((await response.ReadJsonAsync()).GetProperty("id").GetInt64());
        }

        var slow = await client.PostOrderAsync(ApiTestHelpers.Market("slow-fill", SlowOrderQuantity));
        Assert.Equal(HttpStatusCode.Created, slow.StatusCode);
        var slowId = (await slow.ReadJsonAsync()).GetProperty("id").GetInt64();

        using var load = new OrderLoad(gateway, clients: 4);
        await load.WaitForCreatedAsync(20);

        // The outage: stop the server, watch readiness fail, cancel resting orders, start the server again.
        await postgres.StopServerAsync("fast");
        var bookPath = Path.Combine(gateway.DataDirectory, "paper-broker.db");
        var fillsAtStop = ReadBook(bookPath).FillsByClientOrderId.GetValueOrDefault("slow-fill", []).Count;
        var notReady = await WaitForReadinessAsync(client, HttpStatusCode.ServiceUnavailable);
        var cancels = new List<HttpStatusCode>();
        foreach (var id in resting)
        {
            cancels.Add((await client.DeleteAsync($"/api/orders/{id}")).StatusCode);
        }

        await load.WaitForUnavailableAsync(3);

        // The paper broker drops an update from its outbox only after the gateway acknowledged it, so an empty
        // outbox with new fills while the database is still down means the gateway took them into the spill.
        var acknowledgedDuringOutage = await WaitForAsync(() =>
        {
            var book = ReadBook(bookPath);
            return book.OutboxLength == 0
                && book.FillsByClientOrderId.GetValueOrDefault("slow-fill", []).Count > fillsAtStop
                && resting.Select((_, i) => book.Orders[$"rest-{i}"]).All(status => status == (int)OrderStatus.Cancelled);
        });
        await postgres.StartServerAsync();
        var ready = await WaitForReadinessAsync(client, HttpStatusCode.OK);
        await load.WaitForCreatedAfterRecoveryAsync(20);
        await load.StopAsync();

        var finalSlow = await WaitForJournalAsync(
            postgres, $"SELECT status FROM orders WHERE id = {slowId}", "Filled");
        foreach (var id in resting)
        {
            await WaitForJournalAsync(postgres, $"SELECT status FROM orders WHERE id = {id}", "Cancelled");
        }

        var journaled = (await postgres.QueryAsync<string>("SELECT client_order_id FROM orders")).ToHashSet();
        var book = ReadBook(bookPath);
        var journalFills = await postgres.QueryAsync<string>(
            $"SELECT execution_id FROM fills WHERE order_id = {slowId}");
        var journalFilled = await postgres.QueryAsync<long>(
            $"SELECT filled_quantity FROM orders WHERE id = {slowId}");
        var bookFills = book.FillsByClientOrderId.GetValueOrDefault("slow-fill", []);

        Assert.True(acknowledgedDuringOutage, "The broker's updates were not acknowledged while the database was down.");
        Assert.Equal("Filled", finalSlow);
        Assert.All(load.Created, clientOrderId => Assert.Contains(clientOrderId, journaled));
        Assert.All(book.Orders.Keys, clientOrderId => Assert.Contains(clientOrderId, journaled));
        Assert.All(cancels, status => Assert.Equal(HttpStatusCode.Accepted, status));
        Assert.All(
            resting.Select((_, i) => book.Orders[$"rest-{i}"]),
            status => Assert.Equal((int)OrderStatus.Cancelled, status));
        Assert.Equal(bookFills.Order(StringComparer.Ordinal), journalFills.Order(StringComparer.Ordinal));
        Assert.Equal(SlowOrderQuantity, journalFilled.Single());
        Assert.True(load.UnavailableWithRetryAfter > 0, "No order was answered 503 with Retry-After during the outage.");
        Assert.Equal(0, load.UnavailableWithoutRetryAfter);
        Assert.Equal(0, load.Unexpected);
        Assert.Equal("fail", notReady.GetProperty("status").GetString());
        Assert.Equal("pass", ready.GetProperty("status").GetString());
        Assert.Contains("Circuit breaker database opened", gateway.Output, StringComparison.Ordinal);
        Assert.Contains("Circuit breaker database closed", gateway.Output, StringComparison.Ordinal);
        Assert.Contains("appended to the spill log", gateway.Output, StringComparison.Ordinal);
        Assert.Contains("Replayed the journal spill", gateway.Output, StringComparison.Ordinal);
        Assert.False(gateway.HasExited);
    }

    [SkippableOutageFact]
    public async Task Readiness_ThousandRequests_StaysWithinPool()
    {
        await using var postgres = await PrivatePostgresServer.StartAsync();
        await using var gateway = await StartGatewayAsync(postgres);
        await gateway.WaitForRunningAsync();
        using var client = gateway.CreateClient(authorized: false);
        var counts = new ConcurrentBag<long>();
        var statuses = new ConcurrentBag<HttpStatusCode>();

        await Parallel.ForEachAsync(
            Enumerable.Range(0, 1000),
            new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (i, token) =>
            {
                using var response = await client.GetAsync("/api/health/ready", token);
                statuses.Add(response.StatusCode);
                if (i % 50 == 0)
                {
                    counts.Add(await CountConnectionsAsync(postgres));
                }
            });
        var after = await CountConnectionsAsync(postgres);

        Assert.Equal(1000, statuses.Count);
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.All(counts, count => Assert.InRange(count, 0, PoolSize));
        Assert.InRange(after, 1, PoolSize);
    }

    [SkippableOutageFact]
    public async Task Start_TwoGatewaysAtOnce_MigrateOnce()
    {
        await using var postgres = await PrivatePostgresServer.StartAsync();

        var starting = new[] { StartGatewayAsync(postgres), StartGatewayAsync(postgres) };
        var gateways = await Task.WhenAll(starting);
        try
        {
            await Task.WhenAll(gateways.Select(gateway => gateway.WaitForRunningAsync()));
            var versions = await postgres.QueryAsync<int>("SELECT version FROM schema_migrations ORDER BY version");

            Assert.NotEmpty(versions);
            Assert.Equal(Enumerable.Range(1, versions.Count), versions);
            Assert.All(gateways, gateway => Assert.False(gateway.HasExited));
            Assert.All(
                gateways,
                gateway => Assert.DoesNotContain("Starting the order manager failed", gateway.Output, StringComparison.Ordinal));
        }
        finally
        {
            foreach (var gateway in gateways)
            {
                await gateway.DisposeAsync();
            }
        }
    }

    private static Task<GatewayProcess> StartGatewayAsync(PrivatePostgresServer postgres) =>
        GatewayProcess.StartAsync(new GatewayProcessOptions
        {
            Settings = new Dictionary<string, string>
            {
                ["Breakwater:Journal:Provider"] = "Postgres",
                ["Breakwater:Journal:ConnectionString"] =
                    postgres.ConnectionString + ";Application Name=breakwater;Timeout=2",
                ["Breakwater:Journal:MaxPoolSize"] = PoolSize.ToString(CultureInfo.InvariantCulture),
                ["Breakwater:Breakers:database:FailureThreshold"] = "2",
                ["Breakwater:Breakers:database:BreakDuration"] = "00:00:00.500",
                ["Breakwater:Breakers:database:MaxBreakDuration"] = "00:00:01",
                ["Breakwater:Breakers:database:CallTimeout"] = "00:00:02",
                ["Breakwater:Guards:database:RetryBaseDelay"] = "00:00:00.020",
                ["Breakwater:Guards:database:RetryMaxDelay"] = "00:00:00.100",
                ["Breakwater:Health:Database:Interval"] = "00:00:00.200",
                ["Breakwater:Health:Database:Timeout"] = "00:00:00.200",
                ["Breakwater:Paper:TickInterval"] = "00:00:00.050",
                ["Breakwater:Paper:MaxFillQuantityPerTick"] = "1",
            },
        });

    private static async Task<long> CountConnectionsAsync(PrivatePostgresServer postgres) =>
        (await postgres.QueryAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'breakwater'")).Single();

    private static async Task<JsonElement> WaitForReadinessAsync(HttpClient client, HttpStatusCode expected)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            using var response = await client.GetAsync("/api/health/ready");
            var body = await response.ReadJsonAsync();
            if (response.StatusCode == expected)
            {
                return body;
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"Readiness did not return {expected} within 30 s; last body: {body}");
            }

            await Task.Delay(50);
        }
    }

    private static async Task<string> WaitForJournalAsync(PrivatePostgresServer postgres, string sql, string expected)
    {
        var watch = Stopwatch.StartNew();
        var last = "";
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            last = (await postgres.QueryAsync<string>(sql)).SingleOrDefault() ?? "";
            if (last == expected)
            {
                return last;
            }

            await Task.Delay(100);
        }

        return last;
    }

    private static async Task<bool> WaitForAsync(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(10))
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    private static PaperBook ReadBook(string path)
    {
        var orders = new Dictionary<string, int>(StringComparer.Ordinal);
        var fills = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        long outbox;
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ConnectionString);
        connection.Open();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT client_order_id, status FROM orders WHERE client_order_id IS NOT NULL";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                orders[reader.GetString(0)] = reader.GetInt32(1);
            }
        }

        using (var command = connection.CreateCommand())
        {
            command.CommandText =
                "SELECT o.client_order_id, f.execution_id FROM fills f JOIN orders o ON o.number = f.order_number";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var clientOrderId = reader.GetString(0);
                if (!fills.TryGetValue(clientOrderId, out var list))
                {
                    fills[clientOrderId] = list = [];
                }

                list.Add(reader.GetString(1));
            }
        }

        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT count(*) FROM outbox";
            outbox = (long)command.ExecuteScalar()!;
        }

        return new PaperBook(orders, fills, outbox);
    }

    private sealed record PaperBook(
        IReadOnlyDictionary<string, int> Orders,
        IReadOnlyDictionary<string, List<string>> FillsByClientOrderId,
        long OutboxLength);

    /// <summary>Clients that post market and limit orders in a loop until stopped, and count the responses by status.</summary>
    private sealed class OrderLoad : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task[] _clients;
        private readonly ConcurrentQueue<string> _created = new();
        private int _unavailableWithRetryAfter;
        private int _unavailableWithoutRetryAfter;
        private int _unexpected;

        public OrderLoad(GatewayProcess gateway, int clients)
        {
            _clients = Enumerable.Range(0, clients).Select(c => Task.Run(() => RunAsync(gateway, c))).ToArray();
        }

        public IReadOnlyCollection<string> Created => _created;

        public int UnavailableWithRetryAfter => Volatile.Read(ref _unavailableWithRetryAfter);

        public int UnavailableWithoutRetryAfter => Volatile.Read(ref _unavailableWithoutRetryAfter);

        public int Unexpected => Volatile.Read(ref _unexpected);

        public Task WaitForCreatedAsync(int count) => WaitAsync(() => _created.Count >= count, "orders created");

        public Task WaitForUnavailableAsync(int count) =>
            WaitAsync(() => UnavailableWithRetryAfter >= count, "503 answers during the outage");

        public Task WaitForCreatedAfterRecoveryAsync(int count)
        {
            var start = _created.Count;
            return WaitAsync(() => _created.Count >= start + count, "orders created after the recovery");
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_clients);
        }

        public void Dispose() => _stop.Dispose();

        private static async Task WaitAsync(Func<bool> condition, string what)
        {
            var watch = Stopwatch.StartNew();
            while (!condition())
            {
                if (watch.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new TimeoutException($"Waited 30 s for {what}.");
                }

                await Task.Delay(20);
            }
        }

        private async Task RunAsync(GatewayProcess gateway, int clientNumber)
        {
            using var client = gateway.CreateClient();
            for (var i = 0; !_stop.IsCancellationRequested; i++)
            {
                var clientOrderId = $"load-{clientNumber}-{i}";
                var body = i % 2 == 0
                    ? ApiTestHelpers.Market(clientOrderId, quantity: 1)
                    : ApiTestHelpers.Limit(clientOrderId, price: 1.00m, quantity: 1);
                try
                {
                    using var response = await client.PostOrderAsync(body);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        _created.Enqueue(clientOrderId);
                    }
                    else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        if (response.Headers.RetryAfter is not null)
                        {
                            Interlocked.Increment(ref _unavailableWithRetryAfter);
                        }
                        else
                        {
                            Interlocked.Increment(ref _unavailableWithoutRetryAfter);
                        }

                        await Task.Delay(20);
                    }
                    else
                    {
                        Interlocked.Increment(ref _unexpected);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref _unexpected);
                }
            }
        }
    }
}

/// <summary>A fact that is skipped where no PostgreSQL binaries are installed (never under CI).</summary>
public sealed class SkippableOutageFactAttribute : FactAttribute
{
    public SkippableOutageFactAttribute()
    {
        Skip = PrivatePostgresServer.SkipReason;
    }
}
