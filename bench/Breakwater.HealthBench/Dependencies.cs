using System.Net;
using System.Net.Sockets;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Domain.Journal;
using Breakwater.Domain.MarketData;
using Breakwater.Domain.Orders;
using Microsoft.Data.Sqlite;

namespace Breakwater.HealthBench;

/// <summary>The three dependency checks, each doing real I/O and counting how often it runs.</summary>
internal sealed class BenchDependencies : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _echoLoop;
    private readonly string _databasePath;
    private long _databaseCalls;
    private long _brokerCalls;
    private long _marketDataCalls;

    private readonly TimeSpan _brokerDelay;

    /// <param name="brokerDelay">Added before the echo server replies, to stand for a broker across a network.</param>
    public BenchDependencies(TimeSpan brokerDelay)
    {
        _brokerDelay = brokerDelay;
        _databasePath = Path.Combine(Path.GetTempPath(), $"breakwater-healthbench-{Guid.NewGuid():N}.db");
        ConnectionString = $"Data Source={_databasePath};Pooling=True";
        _listener.Start();
        _echoLoop = EchoAsync();
    }

    public string ConnectionString { get; }

    /// <summary>Reads the calls of each check so far. Failures are not counted.</summary>
    public CallReading ReadCalls() => new(
        new Dictionary<string, long>(StringComparer.Ordinal)
        {
            [DependencyNames.Database] = Interlocked.Read(ref _databaseCalls),
            [DependencyNames.Broker] = Interlocked.Read(ref _brokerCalls),
            [DependencyNames.MarketData] = Interlocked.Read(ref _marketDataCalls),
        },
        Failed: null,
        BrokerRequestsAtEmulator: null);

    /// <summary>Runs <c>SELECT 1</c> on the SQLite file, as the journal's ping does.</summary>
    public async Task PingDatabaseAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _databaseCalls);
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>Opens a loopback TCP connection and echoes one byte, as a broker heartbeat would.</summary>
    public async Task PingBrokerAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _brokerCalls);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)_listener.LocalEndpoint).Port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(new byte[] { 1 }, cancellationToken);
        var buffer = new byte[1];
        _ = await stream.ReadAsync(buffer, cancellationToken);
    }

    /// <summary>Returns the newest quote time, which the feed refreshes continuously in this benchmark.</summary>
    public DateTimeOffset ReadLastQuoteTime()
    {
        Interlocked.Increment(ref _marketDataCalls);
        return TimeProvider.System.GetUtcNow();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _echoLoop;
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }

        SqliteConnection.ClearAllPools();
        File.Delete(_databasePath);
        _stop.Dispose();
    }

    private async Task EchoAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var connection = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(async () =>
            {
                using (connection)
                {
                    var stream = connection.GetStream();
                    var buffer = new byte[1];
                    if (await stream.ReadAsync(buffer, _stop.Token) == 1)
                    {
                        if (_brokerDelay > TimeSpan.Zero)
                        {
                            await Task.Delay(_brokerDelay, TimeProvider.System, _stop.Token);
                        }

                        await stream.WriteAsync(buffer, _stop.Token);
                    }
                }
            });
        }
    }
}

/// <summary>Adapts the benchmark dependencies to the domain interfaces the Breakwater probes use.</summary>
internal sealed class BenchJournal(BenchDependencies dependencies) : IOrderJournal
{
    public Task PingAsync(CancellationToken cancellationToken) => dependencies.PingDatabaseAsync(cancellationToken);

    public Task MigrateAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<JournalInsertResult> InsertOrderAsync(Order order, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<AppendOutcome> AppendChangeAsync(OrderChange change, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<Order?> GetOrderAsync(long id, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<Order?> FindByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<OrderPage> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<IReadOnlyList<Order>> GetOpenOrdersAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<IReadOnlyList<OrderEvent>> GetHistoryAsync(long orderId, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<long> GetMaxOrderIdAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
}

internal sealed class BenchBroker(BenchDependencies dependencies) : IBroker
{
    public Task PingAsync(CancellationToken cancellationToken) => dependencies.PingBrokerAsync(cancellationToken);

    public Task<BrokerAck> PlaceOrderAsync(BrokerOrder order, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task CancelOrderAsync(BrokerOrderReference order, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<IReadOnlyList<BrokerOrderState>> GetOpenOrdersAsync(OpenOrderScope scope, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<BrokerOrderState?> FindOrderAsync(string clientOrderId, CancellationToken cancellationToken) =>
        throw new NotSupportedException();
}

internal sealed class BenchFeed(BenchDependencies dependencies) : IMarketDataFeed
{
    public DateTimeOffset? LastQuoteTime => dependencies.ReadLastQuoteTime();

    public Task<Quote> GetQuoteAsync(string symbol, CancellationToken cancellationToken) =>
        throw new NotSupportedException();
}
