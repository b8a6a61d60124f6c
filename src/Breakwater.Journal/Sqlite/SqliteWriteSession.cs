using Breakwater.Domain.Orders;
using Microsoft.Data.Sqlite;

namespace Breakwater.Journal.Sqlite;

/// <summary>
/// The single write connection of a <see cref="SqliteOrderJournal"/> and its prepared statements. Only the
/// group-commit writer loop calls it, so it needs no locking.
/// </summary>
internal sealed class SqliteWriteSession(SqliteOrderJournal journal) : IJournalBatchExecutor, IAsyncDisposable
{
    private SqliteConnection? _connection;
    private Statements? _statements;

    public async Task ExecuteBatchAsync(IReadOnlyList<JournalWrite> batch, CancellationToken cancellationToken)
    {
        var (connection, statements) = await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            statements.Enlist(transaction);
            foreach (var write in batch)
            {
                switch (write)
                {
                    case InsertOrderWrite insert:
                        insert.SetPending(statements.Insert(insert.Order));
                        break;
                    case AppendChangeWrite append:
                        append.SetPending(statements.Append(append.Change));
                        break;
                    default:
                        throw new InvalidOperationException($"Unknown journal write {write.GetType().Name}.");
                }
            }

            transaction.Commit();
        }
        catch (SqliteException exception) when (JournalFailures.IsTransient(exception))
        {
            // The connection may be unusable (disk error, file replaced); the next batch opens a fresh one.
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _statements?.Dispose();
        _statements = null;
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }
    }

    private async Task<(SqliteConnection Connection, Statements Statements)> EnsureOpenAsync(
        CancellationToken cancellationToken)
    {
        if (_connection is not null && _statements is not null)
        {
            return (_connection, _statements);
        }

        var connection = await journal.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        _connection = connection;
        _statements = new Statements(connection);
        return (connection, _statements);
    }

    /// <summary>Prepared commands reused by every batch; parameters are rebound per write.</summary>
    private sealed class Statements : IDisposable
    {
        private readonly SqliteCommand _insertOrder;
        private readonly SqliteCommand _findByClientOrderId;
        private readonly SqliteCommand _insertEvent;
        private readonly SqliteCommand _fillExists;
        private readonly SqliteCommand _updateOrder;
        private readonly SqliteCommand _orderExists;
        private readonly SqliteCommand _insertFill;
        private readonly SqliteCommand[] _all;

        public Statements(SqliteConnection connection)
        {
            _insertOrder = Create(
                connection,
                $"INSERT INTO orders ({JournalRows.OrderColumns}) VALUES ($id, $clientOrderId, $symbol, $side, " +
                "$quantity, $type, $limitPrice, $timeInForce, $status, $filledQuantity, $averageFillPrice, " +
                "$brokerOrderId, $reason, $attention, $createdAt, $updatedAt, $version) " +
                "ON CONFLICT (client_order_id) DO NOTHING;",
                "$id", "$clientOrderId", "$symbol", "$side", "$quantity", "$type", "$limitPrice", "$timeInForce",
                "$status", "$filledQuantity", "$averageFillPrice", "$brokerOrderId", "$reason", "$attention",
                "$createdAt", "$updatedAt", "$version");
            _findByClientOrderId = Create(
                connection,
                $"SELECT {JournalRows.OrderColumns} FROM orders WHERE client_order_id = $clientOrderId;",
                "$clientOrderId");
            _insertEvent = Create(
                connection,
                "INSERT INTO order_events (order_id, version, kind, status, time, execution_id, detail) " +
                "VALUES ($orderId, $version, $kind, $status, $time, $executionId, $detail);",
                "$orderId", "$version", "$kind", "$status", "$time", "$executionId", "$detail");
            _fillExists = Create(
                connection, "SELECT 1 FROM fills WHERE execution_id = $executionId;", "$executionId");
            _updateOrder = Create(
                connection,
                "UPDATE orders SET status = $status, filled_quantity = $filledQuantity, " +
                "average_fill_price = $averageFillPrice, broker_order_id = $brokerOrderId, reason = $reason, " +
                "attention = $attention, updated_at = $updatedAt, version = $version " +
                "WHERE id = $id AND version < $version;",
                "$status", "$filledQuantity", "$averageFillPrice", "$brokerOrderId", "$reason", "$attention",
                "$updatedAt", "$version", "$id");
            _orderExists = Create(connection, "SELECT 1 FROM orders WHERE id = $id;", "$id");
            _insertFill = Create(
                connection,
                "INSERT INTO fills (execution_id, order_id, quantity, price, time) " +
                "VALUES ($executionId, $orderId, $quantity, $price, $time);",
                "$executionId", "$orderId", "$quantity", "$price", "$time");
            _all =
            [
                _insertOrder, _findByClientOrderId, _insertEvent, _fillExists, _updateOrder, _orderExists,
                _insertFill,
            ];
        }

        public void Enlist(SqliteTransaction transaction)
        {
            foreach (var command in _all)
            {
                command.Transaction = transaction;
            }
        }

        public Domain.Journal.JournalInsertResult Insert(Order order)
        {
            Bind(
                _insertOrder,
                order.Id, order.ClientOrderId, order.Symbol, order.Side.ToString(), order.Quantity,
                order.Type.ToString(), JournalCodec.ToText(order.LimitPrice), order.TimeInForce.ToString(),
                order.Status.ToString(), order.FilledQuantity, JournalCodec.ToText(order.AverageFillPrice),
                order.BrokerOrderId, order.Reason, order.Attention.ToString(), JournalCodec.ToTicks(order.CreatedAt),
                JournalCodec.ToTicks(order.UpdatedAt), order.Version);
            if (_insertOrder.ExecuteNonQuery() == 0)
            {
                Bind(_findByClientOrderId, order.ClientOrderId);
                using var reader = _findByClientOrderId.ExecuteReader();
                if (!reader.Read())
                {
                    throw new InvalidOperationException(
                        $"The insert of order {order.Id} conflicted on client order id '{order.ClientOrderId}', " +
                        "but no order with that client order id was found.");
                }

                return new(JournalRows.ReadOrder(reader, decimalsAsText: true), Inserted: false);
            }

            InsertEvent(new OrderEvent(
                order.Id, order.Version, OrderEventKind.Created, order.Status, order.CreatedAt, Fill: null, null));
            return new(order, Inserted: true);
        }

        public Domain.Journal.AppendOutcome Append(Domain.Journal.OrderChange change)
        {
            var (order, orderEvent) = (change.Order, change.Event);
            if (orderEvent.Fill is { } fill)
            {
                Bind(_fillExists, fill.ExecutionId);
                if (_fillExists.ExecuteScalar() is not null)
                {
                    return Domain.Journal.AppendOutcome.DuplicateFill;
                }
            }

            Bind(
                _updateOrder,
                order.Status.ToString(), order.FilledQuantity, JournalCodec.ToText(order.AverageFillPrice),
                order.BrokerOrderId, order.Reason, order.Attention.ToString(), JournalCodec.ToTicks(order.UpdatedAt),
                order.Version, order.Id);
            if (_updateOrder.ExecuteNonQuery() == 0)
            {
                Bind(_orderExists, order.Id);
                return _orderExists.ExecuteScalar() is not null
                    ? Domain.Journal.AppendOutcome.VersionConflict
                    : throw new InvalidOperationException(
                        $"The change of order {order.Id} to version {order.Version} cannot be journaled because " +
                        "the order is not in the journal.");
            }

            if (orderEvent.Fill is { } newFill)
            {
                Bind(
                    _insertFill,
                    newFill.ExecutionId, order.Id, newFill.Quantity, JournalCodec.ToText(newFill.Price),
                    JournalCodec.ToTicks(newFill.Time));
                _insertFill.ExecuteNonQuery();
            }

            InsertEvent(orderEvent);
            return Domain.Journal.AppendOutcome.Appended;
        }

        public void Dispose()
        {
            foreach (var command in _all)
            {
                command.Dispose();
            }
        }

        private void InsertEvent(OrderEvent orderEvent) => Bind(
            _insertEvent,
            orderEvent.OrderId, orderEvent.Version, orderEvent.Kind.ToString(), orderEvent.Status.ToString(),
            JournalCodec.ToTicks(orderEvent.Time), orderEvent.Fill?.ExecutionId, orderEvent.Detail)
            .ExecuteNonQuery();

        private static SqliteCommand Create(SqliteConnection connection, string sql, params string[] parameters)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            return command;
        }

        private static SqliteCommand Bind(SqliteCommand command, params object?[] values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            return command;
        }
    }
}
