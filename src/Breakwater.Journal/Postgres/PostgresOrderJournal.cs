using Breakwater.Domain.Journal;
using Breakwater.Domain.Orders;
using Breakwater.Journal.Migrations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Breakwater.Journal.Postgres;

/// <summary>The order journal in a PostgreSQL database, for production.</summary>
/// <remarks>
/// <para>
/// All connections come from one pooled <see cref="NpgsqlDataSource"/> per process. Writes go through a
/// <see cref="GroupCommitWriter"/>: each batch is one transaction whose statements travel in one
/// <see cref="NpgsqlBatch"/> round trip, followed by one commit (one WAL flush with the server's default
/// <c>synchronous_commit=on</c>). Reads take their own pooled connections, so they do not queue behind the writer's batches.
/// </para>
/// <para>Thread safe. Dispose it to commit the queued writes; the data source belongs to whoever created it.</para>
/// </remarks>
public sealed partial class PostgresOrderJournal : IOrderJournal, IAsyncDisposable
{
    // Any constant works as long as every gateway uses the same one; this is "BrkwJrnl" in ASCII.
    private const long MigrationLockKey = 0x42726B774A726E6C;

    /// <summary>
    /// Batches committing at once, at most half of <see cref="JournalOptions.MaxPoolSize"/> so that reads keep
    /// connections. PostgreSQL flushes the WAL of concurrent commits together, so a few batches in flight hide the
    /// round trips of each.
    /// </summary>
    private const int MaxConcurrentBatches = 4;

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<PostgresOrderJournal> _logger;
    private readonly GroupCommitWriter _writer;

    public PostgresOrderJournal(
        NpgsqlDataSource dataSource,
        IOptions<JournalOptions> options,
        TimeProvider timeProvider,
        ILogger<PostgresOrderJournal> logger)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _dataSource = dataSource;
        _timeProvider = timeProvider;
        _logger = logger;
        _writer = new GroupCommitWriter(
            new PostgresBatchExecutor(dataSource),
            options.Value.MaxBatchSize,
            Math.Clamp(options.Value.MaxPoolSize / 2, 1, MaxConcurrentBatches),
            logger);

        var target = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Log.Opened(_logger, target.Host ?? "(default)", target.Port, target.Database ?? "(default)");
    }

    /// <summary>
    /// Builds the process's data source from <paramref name="options"/>: pooled, with
    /// <see cref="JournalOptions.MaxPoolSize"/> and <see cref="JournalOptions.CommandTimeout"/> applied over the
    /// connection string, automatic preparation of the journal's repeated statements, and no session reset when a
    /// connection returns to the pool.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(JournalOptions options, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new InvalidOperationException(
                $"{JournalOptions.SectionName}:{nameof(JournalOptions.ConnectionString)} is required when " +
                $"{JournalOptions.SectionName}:{nameof(JournalOptions.Provider)} is Postgres.");
        }

        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        var settings = builder.ConnectionStringBuilder;
        settings.Pooling = true;
        settings.MaxPoolSize = options.MaxPoolSize;
        settings.MinPoolSize = Math.Min(settings.MinPoolSize, options.MaxPoolSize);
        settings.CommandTimeout = options.CommandTimeoutSeconds;
        if (settings.MaxAutoPrepare == 0)
        {
            settings.MaxAutoPrepare = 32;
        }

        // The journal changes no session state, so the reset that Npgsql otherwise sends when a connection returns
        // to the pool is pure overhead on every batch.
        settings.NoResetOnClose = true;

        if (loggerFactory is not null)
        {
            builder.UseLoggerFactory(loggerFactory);
        }

        return builder.Build();
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // The transaction-scoped advisory lock serializes gateways that start together; the second one waits here
        // and then finds the migrations recorded. Commit or rollback releases it.
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter<long> { TypedValue = MigrationLockKey });
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var create = new NpgsqlCommand(
            "CREATE TABLE IF NOT EXISTS schema_migrations " +
            "(version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            connection,
            transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var applied = new HashSet<int>();
        await using (var select = new NpgsqlCommand("SELECT version FROM schema_migrations", connection, transaction))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        foreach (var migration in JournalMigrations.All.Where(m => !applied.Contains(m.Version)))
        {
            await using (var apply = new NpgsqlCommand(migration.Postgres, connection, transaction))
            {
                await apply.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using var record = new NpgsqlCommand(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                connection,
                transaction);
            record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = migration.Version });
            record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = migration.Name });
            record.Parameters.Add(
                new NpgsqlParameter<long> { TypedValue = JournalCodec.ToTicks(_timeProvider.GetUtcNow()) });
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            Log.MigrationApplied(_logger, migration.Name);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
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
        await using var command = _dataSource.CreateCommand(
            $"SELECT {JournalRows.OrderColumns} FROM orders WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
        var orders = await ReadOrdersAsync(command, cancellationToken).ConfigureAwait(false);
        return orders.Count == 0 ? null : orders[0];
    }

    public async Task<Order?> FindByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientOrderId);
        await using var command = _dataSource.CreateCommand(
            $"SELECT {JournalRows.OrderColumns} FROM orders WHERE client_order_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = clientOrderId });
        var orders = await ReadOrdersAsync(command, cancellationToken).ConfigureAwait(false);
        return orders.Count == 0 ? null : orders[0];
    }

    public async Task<OrderPage> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken)
    {
        JournalRows.ValidateQuery(query);

        // NULL parameters switch a condition off, so one statement (prepared once) serves every filter.
        await using var command = _dataSource.CreateCommand(
            $"SELECT {JournalRows.OrderColumns} FROM orders " +
            "WHERE ($1::text[] IS NULL OR status = ANY($1)) AND ($2::bigint IS NULL OR id < $2) " +
            "ORDER BY id DESC LIMIT $3");
        command.Parameters.Add(new NpgsqlParameter
        {
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text,
            Value = query.Status == OrderStatusFilter.All ? DBNull.Value : JournalCodec.StatusNames(query.Status),
        });
        command.Parameters.Add(new NpgsqlParameter
        {
            NpgsqlDbType = NpgsqlDbType.Bigint,
            Value = query.BeforeId is { } beforeId ? beforeId : DBNull.Value,
        });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = query.Limit + 1 });
        var rows = await ReadOrdersAsync(command, cancellationToken).ConfigureAwait(false);
        return JournalRows.ToPage(rows, query.Limit);
    }

    public async Task<IReadOnlyList<Order>> GetOpenOrdersAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            $"SELECT {JournalRows.OrderColumns} FROM orders WHERE status = ANY($1) ORDER BY id");
        command.Parameters.Add(
            new NpgsqlParameter<string[]> { TypedValue = JournalCodec.StatusNames(OrderStatusFilter.Open) });
        return await ReadOrdersAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<OrderEvent>> GetHistoryAsync(long orderId, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            $"SELECT {JournalRows.HistoryColumns} FROM order_events e " +
            "LEFT JOIN fills f ON f.execution_id = e.execution_id WHERE e.order_id = $1 ORDER BY e.version");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = orderId });
        var events = new List<OrderEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(JournalRows.ReadEvent(reader, decimalsAsText: false));
        }

        return events;
    }

    public async Task<long> GetMaxOrderIdAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT COALESCE(MAX(id), 0) FROM orders");
        var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return (long)result!;
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Commits the queued writes and stops the writer; the data source stays open.</summary>
    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    private static async Task<List<Order>> ReadOrdersAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var orders = new List<Order>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            orders.Add(JournalRows.ReadOrder(reader, decimalsAsText: false));
        }

        return orders;
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 3003,
            EventName = "PostgresJournalOpened",
            Level = LogLevel.Information,
            Message = "The order journal uses PostgreSQL at {Host}:{Port}, database {Database}")]
        public static partial void Opened(ILogger logger, string host, int port, string database);

        [LoggerMessage(
            EventId = 3004,
            EventName = "PostgresMigrationApplied",
            Level = LogLevel.Information,
            Message = "Applied the journal migration {Migration} to PostgreSQL")]
        public static partial void MigrationApplied(ILogger logger, string migration);
    }
}
