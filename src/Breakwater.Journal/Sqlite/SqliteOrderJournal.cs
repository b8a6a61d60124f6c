using Breakwater.Domain.Journal;
using Breakwater.Domain.Orders;
using Breakwater.Journal.Migrations;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Breakwater.Journal.Sqlite;

/// <summary>
/// The order journal in an embedded SQLite file, <c>journal.db</c> in the data directory.
/// </summary>
/// <remarks>
/// <para>
/// The file runs in WAL mode with <c>synchronous=FULL</c>, so a committed transaction survives a crash or power
/// loss. Writes go through a <see cref="GroupCommitWriter"/> that owns one long-lived write connection and commits
/// each batch in one <c>BEGIN IMMEDIATE</c> transaction, which is one fsync for all writes of the batch. Reads use
/// separate pooled connections; WAL lets them run beside the writer and see only committed data.
/// </para>
/// <para>Thread safe. Dispose it to commit the queued writes and close the file.</para>
/// </remarks>
public sealed partial class SqliteOrderJournal : IOrderJournal, IAsyncDisposable
{
    /// <summary>The file name of the journal inside the data directory.</summary>
    public const string FileName = "journal.db";

    private readonly string _connectionString;
    private readonly int _busyTimeoutMilliseconds;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SqliteOrderJournal> _logger;
    private readonly GroupCommitWriter _writer;
    private readonly SqliteWriteSession _writeSession;

    public SqliteOrderJournal(
        IOptions<JournalOptions> options,
        TimeProvider timeProvider,
        ILogger<SqliteOrderJournal> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        var settings = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;

        var directory = settings.GetFullDataDirectory();
        Directory.CreateDirectory(directory);
        FilePath = Path.Combine(directory, FileName);
        _busyTimeoutMilliseconds = (int)settings.CommandTimeout.TotalMilliseconds;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = settings.CommandTimeoutSeconds,
        }.ToString();

        _writeSession = new SqliteWriteSession(this);
        _writer = new GroupCommitWriter(_writeSession, settings.MaxBatchSize, maxConcurrentBatches: 1, logger);
        Log.Opened(_logger, FilePath);
    }

    /// <summary>The absolute path of the journal file.</summary>
    public string FilePath { get; }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // WAL is a property of the file; switching needs no transaction and is a no-op once set.
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);

        // BEGIN IMMEDIATE takes the write lock before reading schema_migrations. A second process that migrates at
        // the same time waits up to the busy timeout and then finds the migrations recorded.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await ExecuteAsync(
            connection,
            transaction,
            "CREATE TABLE IF NOT EXISTS schema_migrations " +
            "(version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);",
            cancellationToken).ConfigureAwait(false);

        var applied = new HashSet<int>();
        await using (var select = connection.CreateCommand())
        {
            select.Transaction = transaction;
            select.CommandText = "SELECT version FROM schema_migrations;";
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        foreach (var migration in JournalMigrations.All.Where(m => !applied.Contains(m.Version)))
        {
            await ExecuteAsync(connection, transaction, migration.Sqlite, cancellationToken).ConfigureAwait(false);
            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText =
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($version, $name, $appliedAt);";
            record.Parameters.AddWithValue("$version", migration.Version);
            record.Parameters.AddWithValue("$name", migration.Name);
            record.Parameters.AddWithValue("$appliedAt", JournalCodec.ToTicks(_timeProvider.GetUtcNow()));
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            Log.MigrationApplied(_logger, migration.Name);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

        // The migration may have created journal.db and its WAL; their directory entries must be durable before the
        // first order is acknowledged.
        Spill.DirectorySync.Flush(Path.GetDirectoryName(FilePath)!);
    }

    public Task<JournalInsertResult> InsertOrderAsync(Order order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        var write = new InsertOrderWrite(order);
        _writer.Enqueue(write, cancellationToken);
        return write.Task;
    }

    public Task<AppendOutcome> AppendChangeAsync(OrderChange change, CancellationToken cancellationToken)
    {
        JournalCodec.ValidateChange(change);
        var write = new AppendChangeWrite(change);
        _writer.Enqueue(write, cancellationToken);
        return write.Task;
    }

    public async Task<Order?> GetOrderAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {JournalRows.OrderColumns} FROM orders WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        return await ReadSingleOrderAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Order?> FindByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientOrderId);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT {JournalRows.OrderColumns} FROM orders WHERE client_order_id = $clientOrderId;";
        command.Parameters.AddWithValue("$clientOrderId", clientOrderId);
        return await ReadSingleOrderAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<OrderPage> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken)
    {
        JournalRows.ValidateQuery(query);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var conditions = new List<string>();
        if (query.Status != OrderStatusFilter.All)
        {
            conditions.Add(AddStatusCondition(command, JournalCodec.StatusNames(query.Status)));
        }

        if (query.BeforeId is { } beforeId)
        {
            conditions.Add("id < $beforeId");
            command.Parameters.AddWithValue("$beforeId", beforeId);
        }

        var where = conditions.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", conditions);
        command.CommandText =
            $"SELECT {JournalRows.OrderColumns} FROM orders{where} ORDER BY id DESC LIMIT $limit;";
        command.Parameters.AddWithValue("$limit", query.Limit + 1);
        var rows = await ReadOrdersAsync(command, cancellationToken).ConfigureAwait(false);
        return JournalRows.ToPage(rows, query.Limit);
    }

    public async Task<IReadOnlyList<Order>> GetOpenOrdersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var condition = AddStatusCondition(command, JournalCodec.StatusNames(OrderStatusFilter.Open));
        command.CommandText = $"SELECT {JournalRows.OrderColumns} FROM orders WHERE {condition} ORDER BY id;";
        return await ReadOrdersAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<OrderEvent>> GetHistoryAsync(long orderId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT {JournalRows.HistoryColumns} FROM order_events e " +
            "LEFT JOIN fills f ON f.execution_id = e.execution_id WHERE e.order_id = $orderId ORDER BY e.version;";
        command.Parameters.AddWithValue("$orderId", orderId);
        var events = new List<OrderEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(JournalRows.ReadEvent(reader, decimalsAsText: true));
        }

        return events;
    }

    public async Task<long> GetMaxOrderIdAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(id), 0) FROM orders;";
        var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "SELECT 1;", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Commits the queued writes, then closes the write connection and the pooled read connections.</summary>
    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync().ConfigureAwait(false);
        await _writeSession.DisposeAsync().ConfigureAwait(false);
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    internal async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(
                connection,
                null,
                $"PRAGMA busy_timeout={_busyTimeoutMilliseconds}; PRAGMA synchronous=FULL;",
                cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static string AddStatusCondition(SqliteCommand command, string[] statuses)
    {
        var names = new string[statuses.Length];
        for (var i = 0; i < statuses.Length; i++)
        {
            names[i] = "$status" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            command.Parameters.AddWithValue(names[i], statuses[i]);
        }

        return $"status IN ({string.Join(", ", names)})";
    }

    private static async Task ExecuteAsync(
        SqliteConnection connection,
        SqliteTransaction? transaction,
        string sql,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Order?> ReadSingleOrderAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? JournalRows.ReadOrder(reader, decimalsAsText: true)
            : null;
    }

    private static async Task<List<Order>> ReadOrdersAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var orders = new List<Order>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            orders.Add(JournalRows.ReadOrder(reader, decimalsAsText: true));
        }

        return orders;
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 3001,
            EventName = "SqliteJournalOpened",
            Level = LogLevel.Information,
            Message = "The order journal uses the SQLite file {Path}")]
        public static partial void Opened(ILogger logger, string path);

        [LoggerMessage(
            EventId = 3002,
            EventName = "SqliteMigrationApplied",
            Level = LogLevel.Information,
            Message = "Applied the journal migration {Migration} to SQLite")]
        public static partial void MigrationApplied(ILogger logger, string migration);
    }
}
