using Breakwater.Domain.Journal;
using Breakwater.Domain.Orders;
using Npgsql;
using NpgsqlTypes;

namespace Breakwater.Journal.Postgres;

/// <summary>
/// Writes one group-commit batch to PostgreSQL in one round trip: every write becomes one statement of a single
/// <see cref="NpgsqlBatch"/> sent without an explicit transaction. The statements before the batch's one Sync message
/// run as one implicit transaction, which PostgreSQL commits when it reaches the Sync, and a failing statement rolls
/// back the whole batch. Each statement also returns what its caller needs when it wrote nothing, so no query has to
/// follow inside the transaction. Only the group-commit writer loop calls it.
/// </summary>
internal sealed class PostgresBatchExecutor(NpgsqlDataSource dataSource) : IJournalBatchExecutor
{
    // The order row and its Created event in one statement. ON CONFLICT leaves an existing client order id alone
    // (the idempotency path) and the statement then returns that existing order; a duplicate primary key still fails.
    // The columns are the existing order (all null after an insert), then the number of rows inserted.
    private static readonly string InsertSql =
        "WITH inserted AS (" +
        $"INSERT INTO orders ({JournalRows.OrderColumns}) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) " +
        "ON CONFLICT (client_order_id) DO NOTHING RETURNING id), " +
        "created AS (INSERT INTO order_events (order_id, version, kind, status, time, execution_id, detail) " +
        "SELECT id, $17, 'Created', $9, $15, NULL, NULL FROM inserted) " +
        $"SELECT {Prefixed("existing", JournalRows.OrderColumns)}, (SELECT count(*) FROM inserted) " +
        "FROM (SELECT 1) AS one " +
        "LEFT JOIN orders AS existing ON existing.client_order_id = $2 AND NOT EXISTS (SELECT 1 FROM inserted)";

    // The order row, the fill and the event in one statement, all conditional on the update: nothing is written
    // when the version is not newer or the execution id is already journaled. The columns show whether it wrote and, if
    // not, whether the order exists and whether the fill was already journaled.
    private const string AppendSql =
        "WITH updated AS (" +
        "UPDATE orders SET status = $1, filled_quantity = $2, average_fill_price = $3, broker_order_id = $4, " +
        "reason = $5, attention = $6, updated_at = $7, version = $8 " +
        "WHERE id = $9 AND version < $8 AND NOT EXISTS (SELECT 1 FROM fills WHERE execution_id = $10) " +
        "RETURNING id), " +
        "filled AS (INSERT INTO fills (execution_id, order_id, quantity, price, time) " +
        "SELECT $10, id, $11, $12, $13 FROM updated WHERE $10 IS NOT NULL), " +
        "appended AS (INSERT INTO order_events (order_id, version, kind, status, time, execution_id, detail) " +
        "SELECT id, $8, $14, $1, $15, $10, $16 FROM updated) " +
        "SELECT (SELECT count(*) FROM updated), EXISTS (SELECT 1 FROM orders WHERE id = $9), " +
        "EXISTS (SELECT 1 FROM fills WHERE execution_id = $10)";

    private const int InsertedOrdinal = 17;

    public async Task ExecuteBatchAsync(IReadOnlyList<JournalWrite> batch, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        List<InsertOrderWrite>? unresolved = null;
        List<AppendChangeWrite>? orphans = null;
        List<AppendChangeWrite>? fillsToCheck = null;
        List<(JournalWrite Write, Exception Error)>? unreadable = null;
        await using (var statements = new NpgsqlBatch(connection))
        {
            foreach (var write in batch)
            {
                statements.BatchCommands.Add(write switch
                {
                    InsertOrderWrite insert => CreateInsert(insert.Order),
                    AppendChangeWrite append => CreateAppend(append.Change),
                    _ => throw new InvalidOperationException($"Unknown journal write {write.GetType().Name}."),
                });
            }

            await using var reader = await statements.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
            {
                if (i > 0)
                {
                    await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                }

                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    switch (batch[i])
                    {
                        case InsertOrderWrite insert when !ReadInsert(reader, insert):
                            (unresolved ??= []).Add(insert);
                            break;
                        case AppendChangeWrite append:
                            switch (ReadAppend(reader, append))
                            {
                                case AppendReading.OrderMissing:
                                    (orphans ??= []).Add(append);
                                    break;
                                case AppendReading.FillUnknown:
                                    (fillsToCheck ??= []).Add(append);
                                    break;
                                default:
                                    break;
                            }

                            break;
                        default:
                            break;
                    }
                }
#pragma warning disable CA1031 // The server commits the batch anyway, so a row that cannot be read fails its write.
                catch (Exception exception) when (exception is not (OperationCanceledException or NpgsqlException))
#pragma warning restore CA1031
                {
                    (unreadable ??= []).Add((batch[i], exception));
                }
            }

            // Reading to the end consumes the reply to the Sync, which PostgreSQL sends after the commit is durable,
            // so a failed commit throws here, before any caller learns that its write is stored.
            while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
            {
            }
        }

        // The batch is committed from here on, so nothing below may throw: a failure would make the writer run the
        // committed writes again. A write that cannot be resolved fails alone.
        foreach (var (write, error) in unreadable ?? [])
        {
            write.Fail(error);
        }

        foreach (var orphan in orphans ?? [])
        {
            orphan.Fail(new InvalidOperationException(
                $"The change of order {orphan.Change.Order.Id} to version {orphan.Change.Order.Version} cannot be " +
                "journaled because the order is not in the journal."));
        }

        await ResolveAfterCommitAsync(
                unresolved ?? [], insert => ReadConflictingOrderAsync(connection, insert, cancellationToken))
            .ConfigureAwait(false);
        await ResolveAfterCommitAsync(
                fillsToCheck ?? [], append => CheckFillAsync(connection, append, cancellationToken))
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Stores the result of an insert; false when it conflicted but its statement saw no existing order.
    /// </summary>
    private static bool ReadInsert(NpgsqlDataReader reader, InsertOrderWrite insert)
    {
        if (reader.GetInt64(InsertedOrdinal) == 1)
        {
            insert.SetPending(new JournalInsertResult(insert.Order, Inserted: true));
            return true;
        }

        if (reader.IsDBNull(0))
        {
            return false;
        }

        var existing = JournalRows.ReadOrder(reader, decimalsAsText: false);
        insert.SetPending(new JournalInsertResult(existing, Inserted: false));
        return true;
    }

    /// <summary>Stores the outcome of a change, or returns what must be resolved after the commit.</summary>
    private static AppendReading ReadAppend(NpgsqlDataReader reader, AppendChangeWrite append)
    {
        if (reader.GetInt64(0) == 1)
        {
            append.SetPending(AppendOutcome.Appended);
            return AppendReading.Resolved;
        }

        if (!reader.GetBoolean(1))
        {
            return AppendReading.OrderMissing;
        }

        if (reader.GetBoolean(2))
        {
            append.SetPending(AppendOutcome.DuplicateFill);
            return AppendReading.Resolved;
        }

        // A batch beside this one may have committed the same fill while this statement waited for the order's row,
        // after the statement's snapshot was taken, so only a new query can tell a duplicate fill from a conflict.
        if (append.Change.Event.Fill is not null)
        {
            return AppendReading.FillUnknown;
        }

        append.SetPending(AppendOutcome.VersionConflict);
        return AppendReading.Resolved;
    }

    /// <summary>
    /// Runs <paramref name="resolve"/> for each write after the batch committed. A write whose query fails fails
    /// alone, because the writer must not see an exception once the batch is committed.
    /// </summary>
    private static async Task ResolveAfterCommitAsync<TWrite>(List<TWrite> writes, Func<TWrite, Task> resolve)
        where TWrite : JournalWrite
    {
        foreach (var write in writes)
        {
            try
            {
                await resolve(write).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The caller receives the failure; the rest of the committed batch stays complete.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                write.Fail(exception);
            }
        }
    }

    /// <summary>
    /// Reads back the order of an insert that conflicted on a client order id committed by a batch running beside
    /// this one after the statement's snapshot was taken. This is rare, so it is an ordinary query.
    /// </summary>
    private static async Task ReadConflictingOrderAsync(
        NpgsqlConnection connection, InsertOrderWrite insert, CancellationToken cancellationToken)
    {
        await using var find = new NpgsqlCommand(
            $"SELECT {JournalRows.OrderColumns} FROM orders WHERE client_order_id = $1", connection);
        find.Parameters.Add(new NpgsqlParameter<string> { TypedValue = insert.Order.ClientOrderId });
        await using var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException(
                $"The insert of order {insert.Order.Id} conflicted on client order id " +
                $"'{insert.Order.ClientOrderId}', but no order with that client order id was found.");
        }

        var existing = JournalRows.ReadOrder(reader, decimalsAsText: false);
        insert.SetPending(new JournalInsertResult(existing, Inserted: false));
    }

    /// <summary>
    /// Decides between a duplicate fill and a version conflict for a change that wrote nothing, with a query that
    /// sees fills committed after the statement's snapshot.
    /// </summary>
    private static async Task CheckFillAsync(
        NpgsqlConnection connection, AppendChangeWrite append, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT 1 FROM fills WHERE execution_id = $1", connection);
        var executionId = append.Change.Event.Fill!.ExecutionId;
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = executionId });
        var found = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
        append.SetPending(found ? AppendOutcome.DuplicateFill : AppendOutcome.VersionConflict);
    }

    private enum AppendReading
    {
        Resolved,
        OrderMissing,
        FillUnknown,
    }

    private static string Prefixed(string table, string columns) =>
        string.Join(", ", columns.Split(", ").Select(column => $"{table}.{column}"));

    private static NpgsqlBatchCommand CreateInsert(Order order)
    {
        var command = new NpgsqlBatchCommand(InsertSql);
        var parameters = command.Parameters;
        parameters.Add(new NpgsqlParameter<long> { TypedValue = order.Id });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = order.ClientOrderId });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = order.Symbol });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = order.Side.ToString() });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = order.Quantity });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = order.Type.ToString() });
        parameters.Add(Nullable(NpgsqlDbType.Numeric, order.LimitPrice));
        parameters.Add(new NpgsqlParameter<string> { TypedValue = order.TimeInForce.ToString() });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = order.Status.ToString() });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = order.FilledQuantity });
        parameters.Add(Nullable(NpgsqlDbType.Numeric, order.AverageFillPrice));
        parameters.Add(Nullable(NpgsqlDbType.Text, order.BrokerOrderId));
        parameters.Add(Nullable(NpgsqlDbType.Text, order.Reason));
        parameters.Add(new NpgsqlParameter<string> { TypedValue = order.Attention.ToString() });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = JournalCodec.ToTicks(order.CreatedAt) });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = JournalCodec.ToTicks(order.UpdatedAt) });
        parameters.Add(new NpgsqlParameter<int> { TypedValue = order.Version });
        return command;
    }

    private static NpgsqlBatchCommand CreateAppend(OrderChange change)
    {
        var (order, orderEvent) = (change.Order, change.Event);
        var fill = orderEvent.Fill;
        var command = new NpgsqlBatchCommand(AppendSql);
        var parameters = command.Parameters;
        parameters.Add(new NpgsqlParameter<string> { TypedValue = order.Status.ToString() });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = order.FilledQuantity });
        parameters.Add(Nullable(NpgsqlDbType.Numeric, order.AverageFillPrice));
        parameters.Add(Nullable(NpgsqlDbType.Text, order.BrokerOrderId));
        parameters.Add(Nullable(NpgsqlDbType.Text, order.Reason));
        parameters.Add(new NpgsqlParameter<string> { TypedValue = order.Attention.ToString() });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = JournalCodec.ToTicks(order.UpdatedAt) });
        parameters.Add(new NpgsqlParameter<int> { TypedValue = order.Version });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = order.Id });
        parameters.Add(Nullable(NpgsqlDbType.Text, fill?.ExecutionId));
        parameters.Add(Nullable(NpgsqlDbType.Bigint, fill?.Quantity));
        parameters.Add(Nullable(NpgsqlDbType.Numeric, fill?.Price));
        parameters.Add(Nullable(NpgsqlDbType.Bigint, fill is null ? null : JournalCodec.ToTicks(fill.Time)));
        parameters.Add(new NpgsqlParameter<string> { TypedValue = orderEvent.Kind.ToString() });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = JournalCodec.ToTicks(orderEvent.Time) });
        parameters.Add(Nullable(NpgsqlDbType.Text, orderEvent.Detail));
        return command;
    }

    private static NpgsqlParameter Nullable(NpgsqlDbType type, object? value) =>
        new() { NpgsqlDbType = type, Value = value ?? DBNull.Value };
}
