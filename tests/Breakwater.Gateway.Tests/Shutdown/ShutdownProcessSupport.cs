using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Breakwater.Gateway.Tests.Api;
using Breakwater.Gateway.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Breakwater.Gateway.Tests.Shutdown;

/// <summary>One order as the gateway's journal file stores it.</summary>
internal sealed record JournalRow(long Id, string ClientOrderId, string Status, string Attention);

/// <summary>One order as the paper broker's book file stores it; the status is the OrderStatus enum value.</summary>
internal sealed record BookRow(string? ClientOrderId, int Status);

/// <summary>Helpers of the shutdown tests that run the real gateway process.</summary>
internal static class ShutdownProcessSupport
{
    /// <summary>Paper status value of OrderStatus.Cancelled in the book file.</summary>
    public const int BookCancelled = 5;

    /// <summary>A limit buy far below the market, so that it rests until cancelled.</summary>
    public static string RestingOrder(string clientOrderId) => ApiTestHelpers.Limit(clientOrderId, price: 1.00m, quantity: 10);

    /// <summary>Places <paramref name="count"/> resting orders, <paramref name="parallelism"/> at a time.</summary>
    public static async Task<List<long>> PlaceRestingOrdersAsync(
        HttpClient client, string prefix, int count, int parallelism = 8)
    {
        var ids = new long[count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (i, _) =>
            {
                using var response = await client.PostOrderAsync(RestingOrder($"{prefix}-{i}"));
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                ids[i] = (await response.ReadJsonAsync()).GetProperty("id").GetInt64();
            });
        return [.. ids];
    }

    /// <summary>Waits until readiness returns 200, which needs the first health snapshot and a running lifecycle.</summary>
    public static async Task WaitForReadyAsync(GatewayProcess gateway, TimeSpan timeout)
    {
        using var client = gateway.CreateClient(authorized: false);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await client.GetAsync("/api/health/ready");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException(
                    $"Readiness did not return 200 within {timeout}; last status {response.StatusCode}. Output:\n" +
                    gateway.Output);
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Sets the paper broker's fault through the gateway's fault endpoint.</summary>
    public static async Task SetBrokerFaultAsync(HttpClient client, string mode, int? latencyMs = null)
    {
        var latency = latencyMs is { } value ? $",\"latencyMs\":{value.ToString(CultureInfo.InvariantCulture)}" : "";
        using var response = await client.PostAsync(
            "/api/paper/faults", ApiTestHelpers.JsonBody($$"""{"target":"broker","mode":"{{mode}}"{{latency}}}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Reads every order of the gateway's SQLite journal in the data directory.</summary>
    public static List<JournalRow> ReadJournal(string dataDirectory)
    {
        using var connection = Open(Path.Combine(dataDirectory, "journal.db"));
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, client_order_id, status, attention FROM orders ORDER BY id";
        using var reader = command.ExecuteReader();
        var rows = new List<JournalRow>();
        while (reader.Read())
        {
            rows.Add(new JournalRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }

        return rows;
    }

    /// <summary>Reads every order of the paper broker's book file in the data directory.</summary>
    public static List<BookRow> ReadBook(string dataDirectory)
    {
        using var connection = Open(Path.Combine(dataDirectory, "paper-broker.db"));
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT client_order_id, status FROM orders ORDER BY number";
        using var reader = command.ExecuteReader();
        var rows = new List<BookRow>();
        while (reader.Read())
        {
            rows.Add(new BookRow(reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt32(1)));
        }

        return rows;
    }

    /// <summary>Returns the status string of the order in a gateway API response.</summary>
    public static async Task<string?> ReadStatusAsync(HttpClient client, long id)
    {
        using var response = await client.GetAsync($"/api/orders/{id}");
        var body = await response.ReadJsonAsync();
        return body.ValueKind == JsonValueKind.Object && body.TryGetProperty("status", out var status)
            ? status.GetString()
            : null;
    }

    private static SqliteConnection Open(string path)
    {
        Assert.True(File.Exists(path), $"{path} does not exist.");
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }
}
