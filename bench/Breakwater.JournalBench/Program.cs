// Measures the order journal under the gateway's write pattern: each order is one insert and three changes
// (submitted, partial fill, final fill), written by concurrent writers that each wait for durability before the
// next write. Usage:
//   dotnet run -c Release --project bench/Breakwater.JournalBench -- sqlite [orders] [writers]
//   dotnet run -c Release --project bench/Breakwater.JournalBench -- postgres "<connection string>" [orders] [writers]
using System.Globalization;
using Breakwater.Domain.Journal;
using Breakwater.Domain.Orders;
using Breakwater.Journal;
using Breakwater.Journal.Postgres;
using Breakwater.Journal.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

if (args.Length == 0 || args[0] is not ("sqlite" or "postgres") || (args[0] == "postgres" && args.Length < 2))
{
    Console.Error.WriteLine(
        "Usage: Breakwater.JournalBench sqlite [orders] [writers] | postgres <connection string> [orders] [writers]");
    return 2;
}

var provider = args[0];
var rest = provider == "postgres" ? args[2..] : args[1..];
var orders = rest.Length > 0 ? int.Parse(rest[0], CultureInfo.InvariantCulture) : 20_000;
var writers = rest.Length > 1 ? int.Parse(rest[1], CultureInfo.InvariantCulture) : 32;
var time = TimeProvider.System;

var directory = Path.Combine(Path.GetTempPath(), "breakwater-journal-bench", Guid.NewGuid().ToString("N"));
Npgsql.NpgsqlDataSource? dataSource = null;
IOrderJournal journal;
if (provider == "sqlite")
{
    journal = new SqliteOrderJournal(
        Options.Create(new JournalOptions { DataDirectory = directory }), time, NullLogger<SqliteOrderJournal>.Instance);
}
else
{
    var options = new JournalOptions { Provider = JournalProvider.Postgres, ConnectionString = args[1] };
    dataSource = PostgresOrderJournal.CreateDataSource(options, loggerFactory: null);
    journal = new PostgresOrderJournal(
        dataSource, Options.Create(options), time, NullLogger<PostgresOrderJournal>.Instance);
}

await journal.MigrateAsync(CancellationToken.None);
var firstId = await journal.GetMaxOrderIdAsync(CancellationToken.None) + 1;
var latencies = new double[orders * 4];
var nextOrder = -1;
var start = time.GetTimestamp();

await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
{
    int index;
    while ((index = Interlocked.Increment(ref nextOrder)) < orders)
    {
        var id = firstId + index;
        var now = time.GetUtcNow();
        var order = Order.Create(
            id,
            new OrderRequest($"bench-{id}", "AAPL", OrderSide.Buy, 100, OrderType.Limit, 187.25m, TimeInForce.Day),
            now);
        var slot = index * 4;
        latencies[slot] = await Measure(() => journal.InsertOrderAsync(order, CancellationToken.None));
        var submitted = Change(order, OrderStatus.Submitted, OrderEventKind.StatusChanged, fill: null);
        latencies[slot + 1] = await Measure(() => journal.AppendChangeAsync(submitted, CancellationToken.None));
        var partial = Change(
            submitted.Order, OrderStatus.PartiallyFilled, OrderEventKind.Filled, new Fill($"{id}-1", 40, 187.25m, now));
        latencies[slot + 2] = await Measure(() => journal.AppendChangeAsync(partial, CancellationToken.None));
        var filled = Change(
            partial.Order, OrderStatus.Filled, OrderEventKind.Filled, new Fill($"{id}-2", 60, 187.2m, now));
        latencies[slot + 3] = await Measure(() => journal.AppendChangeAsync(filled, CancellationToken.None));
    }
})));

var elapsed = time.GetElapsedTime(start);
Array.Sort(latencies);
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"{provider}: {orders} orders x 4 writes, {writers} writers, {elapsed.TotalSeconds:F2} s, " +
    $"{orders / elapsed.TotalSeconds:F0} orders/s, {orders * 4 / elapsed.TotalSeconds:F0} writes/s, " +
    $"write p50 {Percentile(0.50):F2} ms, p99 {Percentile(0.99):F2} ms, max {latencies[^1]:F2} ms"));

await ((IAsyncDisposable)journal).DisposeAsync();
if (dataSource is not null)
{
    await dataSource.DisposeAsync();
}

Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
if (Directory.Exists(directory))
{
    Directory.Delete(directory, recursive: true);
}

return 0;

double Percentile(double quantile) => latencies[(int)Math.Min(latencies.Length - 1, quantile * latencies.Length)];

async Task<double> Measure<T>(Func<Task<T>> write)
{
    var started = time.GetTimestamp();
    await write();
    return time.GetElapsedTime(started).TotalMilliseconds;
}

static OrderChange Change(Order order, OrderStatus status, OrderEventKind kind, Fill? fill)
{
    var filled = order.FilledQuantity + (fill?.Quantity ?? 0);
    var next = order with
    {
        Status = status,
        FilledQuantity = filled,
        AverageFillPrice = fill is null
            ? order.AverageFillPrice
            : (((order.AverageFillPrice ?? 0m) * order.FilledQuantity) + (fill.Price * fill.Quantity)) / filled,
        Version = order.Version + 1,
    };
    return new OrderChange(next, new OrderEvent(order.Id, next.Version, kind, status, order.UpdatedAt, fill, null));
}
