using Breakwater.Domain.Journal;
using Breakwater.Domain.Orders;
using Npgsql;
using NpgsqlTypes;

namespace Breakwater.Journal.Postgres;

/// <summary>
/// Writes one group-commit batch to PostgreSQL: every write becomes one statement of a single
/// <see cref="NpgsqlBatch"/>, so a batch costs two round trips (statements, commit) whatever its size. Only the
/// group-commit writer loop calls it.
/// </summary>
internal sealed class PostgresBatchExecutor(NpgsqlDataSource dataSource) : IJournalBatchExecutor
{
    // The order row and its Created event in one statement. ON CONFLICT leaves an existing client order id alone
    // (the idempotency path); a duplicate primary key still fails.
    private const string InsertSql =
        "WITH inserted AS (" +
        $"INSERT INTO orders ({JournalRows.OrderColumns}) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) " +
        "ON CONFLICT (client_order_id) DO NOTHING RETURNING id), " +
        "created AS (INSERT INTO order_events (order_id, version, kind, status, time, execution_id, detail) " +
        "SELECT id, $17, 'Created', $9, $15, NULL, NULL FROM inserted) " +
        "SELECT count(*) FROM inserted";

    // The order row, the fill and the event in one statement, all conditional on the update: nothing is written
    // when the version is not newer or the execution id is already journaled.
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
        "SELECT count(*) FROM updated";

    public async Task ExecuteBatchAsync(IReadOnlyList<JournalWrite> batch, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var statements = new NpgsqlBatch(connection, transaction))
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
            foreach (var write in batch)
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var affected = reader.GetInt64(0);
                switch (write)
                {
                    case InsertOrderWrite insert when affected == 1:
                        insert.SetPending(new JournalInsertResult(insert.Order, Inserted: true));
                        break;
                    case AppendChangeWrite append when affected == 1:
                        append.SetPending(AppendOutcome.Appended);
                        break;
                    default:
                        break;
                }

                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await ResolveNotWrittenAsync(connection, transaction, batch, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads back the existing orders of inserts that hit a known client order id, and checks that changes which
    /// wrote nothing belong to a journaled order. Rare, so these use ordinary queries after the batch.
    /// </summary>
    private static async Task ResolveNotWrittenAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        IReadOnlyList<JournalWrite> batch,
        CancellationToken cancellationToken)
    {
        foreach (var write in batch)
        {
            switch (write)
            {
                case InsertOrderWrite insert when !insert.HasPending:
                {
                    await using var find = new NpgsqlCommand(
                        $"SELECT {JournalRows.OrderColumns} FROM orders WHERE client_order_id = $1",
                        connection,
                        transaction);
                    find.Parameters.Add(new NpgsqlParameter<string> { TypedValue = insert.Order.ClientOrderId });
                    await using var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        throw new InvalidOperationException(
                            $"The insert of order {insert.Order.Id} conflicted on client order id " +
                            $"'{insert.Order.ClientOrderId}', but no order with that client order id was found.");
                    }

                    insert.SetPending(new JournalInsertResult(
                        JournalRows.ReadOrder(reader, decimalsAsText: false), Inserted: false));
                    break;
                }

                case AppendChangeWrite append when !append.HasPending:
                {
                    await using var exists = new NpgsqlCommand(
                        "SELECT 1 FROM orders WHERE id = $1", connection, transaction);
                    exists.Parameters.Add(new NpgsqlParameter<long> { TypedValue = append.Change.Order.Id });
                    if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
                    {
                        throw new InvalidOperationException(
                            $"The change of order {append.Change.Order.Id} to version " +
                            $"{append.Change.Order.Version} cannot be journaled because the order is not in the " +
                            "journal.");
                    }

                    append.SetPending(
                        await HoldsFillAsync(append.Change, connection, transaction, cancellationToken)
                            .ConfigureAwait(false)
                            ? AppendOutcome.DuplicateFill
                            : AppendOutcome.VersionConflict);
                    break;
                }

                default:
                    break;
            }
        }
    }

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

    private static async Task<bool> HoldsFillAsync(
        OrderChange change, NpgsqlConnection connection, NpgsqlTransaction transaction,
        CancellationToken cancellationToken)
    {
        if (change.Event.Fill is not { } fill)
        {
            return false;
        }

        await using var command = new NpgsqlCommand(
            "SELECT 1 FROM fills WHERE execution_id = $1", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = fill.ExecutionId });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
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
