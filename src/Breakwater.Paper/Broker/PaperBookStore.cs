using System.Globalization;
using Breakwater.Domain.Brokers;
using Breakwater.Domain.Orders;
using Microsoft.Data.Sqlite;

namespace Breakwater.Paper.Broker;

/// <summary>
/// The paper broker's own book in a SQLite file, apart from the gateway's journal: orders, fills, cash and the outbox
/// of updates not yet delivered.
/// </summary>
/// <remarks>
/// WAL mode with <c>synchronous=NORMAL</c> keeps every committed transaction across a killed process (an operating
/// system crash may lose the newest ones). Each fill, with its order change, cash change and outbox entry, is one
/// transaction, so a crash never repeats or loses half a fill. Not thread-safe: the broker calls it under its lock.
/// </remarks>
internal sealed class PaperBookStore : IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS orders (
            number INTEGER PRIMARY KEY AUTOINCREMENT,
            client_order_id TEXT NULL UNIQUE,
            gateway_order_id INTEGER NOT NULL,
            symbol TEXT NOT NULL,
            side INTEGER NOT NULL,
            quantity INTEGER NOT NULL,
            type INTEGER NOT NULL,
            limit_price TEXT NULL,
            time_in_force INTEGER NOT NULL,
            status INTEGER NOT NULL,
            filled_quantity INTEGER NOT NULL,
            cancel_requested INTEGER NOT NULL,
            external INTEGER NOT NULL,
            reason TEXT NULL,
            created_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS fills (
            execution_id TEXT PRIMARY KEY,
            order_number INTEGER NOT NULL REFERENCES orders(number),
            quantity INTEGER NOT NULL,
            price TEXT NOT NULL,
            time TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS fills_order ON fills(order_number);
        CREATE TABLE IF NOT EXISTS outbox (
            sequence INTEGER PRIMARY KEY AUTOINCREMENT,
            order_number INTEGER NOT NULL REFERENCES orders(number),
            status INTEGER NOT NULL,
            filled_quantity INTEGER NOT NULL,
            execution_id TEXT NULL,
            reason TEXT NULL,
            time TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS account (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            cash TEXT NOT NULL);
        """;

    private readonly SqliteConnection _connection;

    private PaperBookStore(SqliteConnection connection)
    {
        _connection = connection;
    }

    public string Path { get; private init; } = "";

    /// <summary>Opens or creates the book file and its directory.</summary>
    public static PaperBookStore Open(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString();
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;");
            Execute(connection, "PRAGMA foreign_keys=ON;");
            Execute(connection, Schema);
            return new PaperBookStore(connection) { Path = fullPath };
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Returns the stored cash balance, first storing <paramref name="startingCash"/> in a new book.</summary>
    public decimal LoadOrInitializeCash(decimal startingCash)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "INSERT OR IGNORE INTO account (id, cash) VALUES (1, $cash); SELECT cash FROM account;";
        command.Parameters.AddWithValue("$cash", FormatDecimal(startingCash));
        return ParseDecimal((string)command.ExecuteScalar()!);
    }

    /// <summary>Loads every order with its fills, oldest first.</summary>
    public List<PaperOrder> LoadOrders()
    {
        var orders = new Dictionary<long, PaperOrder>();
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = """
                SELECT number, client_order_id, gateway_order_id, symbol, side, quantity, type, limit_price,
                       time_in_force, status, filled_quantity, cancel_requested, external, reason, created_at
                FROM orders ORDER BY number
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var order = new PaperOrder
                {
                    Number = reader.GetInt64(0),
                    ClientOrderId = reader.IsDBNull(1) ? null : reader.GetString(1),
                    GatewayOrderId = reader.GetInt64(2),
                    Symbol = reader.GetString(3),
                    Side = (OrderSide)reader.GetInt32(4),
                    Quantity = reader.GetInt64(5),
                    Type = (OrderType)reader.GetInt32(6),
                    LimitPrice = reader.IsDBNull(7) ? null : ParseDecimal(reader.GetString(7)),
                    TimeInForce = (TimeInForce)reader.GetInt32(8),
                    Status = (OrderStatus)reader.GetInt32(9),
                    FilledQuantity = reader.GetInt64(10),
                    CancelRequested = reader.GetInt64(11) != 0,
                    External = reader.GetInt64(12) != 0,
                    Reason = reader.IsDBNull(13) ? null : reader.GetString(13),
                    CreatedAt = ParseTime(reader.GetString(14)),
                };
                orders.Add(order.Number, order);
            }
        }

        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT order_number, execution_id, quantity, price, time FROM fills ORDER BY rowid";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var fill = new Fill(
                    reader.GetString(1),
                    reader.GetInt64(2),
                    ParseDecimal(reader.GetString(3)),
                    ParseTime(reader.GetString(4)));
                orders[reader.GetInt64(0)].Fills.Add(fill);
            }
        }

        return [.. orders.Values];
    }

    /// <summary>Loads the undelivered updates in the order they were produced.</summary>
    public List<OutboxEntry> LoadOutbox(IReadOnlyDictionary<long, PaperOrder> ordersByNumber)
    {
        var entries = new List<OutboxEntry>();
        using var command = _connection.CreateCommand();
        command.CommandText = """
            SELECT sequence, order_number, status, filled_quantity, execution_id, reason, time
            FROM outbox ORDER BY sequence
            """;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var order = ordersByNumber[reader.GetInt64(1)];
            var executionId = reader.IsDBNull(4) ? null : reader.GetString(4);
            var fill = executionId is null ? null : order.Fills.Single(f => f.ExecutionId == executionId);
            var update = new BrokerOrderUpdate(
                order.BrokerOrderId,
                order.ClientOrderId,
                (OrderStatus)reader.GetInt32(2),
                reader.GetInt64(3),
                fill,
                reader.IsDBNull(5) ? null : reader.GetString(5),
                ParseTime(reader.GetString(6)));
            entries.Add(new OutboxEntry(reader.GetInt64(0), update));
        }

        return entries;
    }

    /// <summary>Inserts a new order and returns its number, from which its broker order id is formed.</summary>
    public long InsertOrder(PaperOrder order)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = """
            INSERT INTO orders (client_order_id, gateway_order_id, symbol, side, quantity, type, limit_price,
                                time_in_force, status, filled_quantity, cancel_requested, external, reason, created_at)
            VALUES ($client, $gateway, $symbol, $side, $quantity, $type, $limit, $tif, $status, 0, 0, $external,
                    NULL, $created)
            RETURNING number
            """;
        command.Parameters.AddWithValue("$client", (object?)order.ClientOrderId ?? DBNull.Value);
        command.Parameters.AddWithValue("$gateway", order.GatewayOrderId);
        command.Parameters.AddWithValue("$symbol", order.Symbol);
        command.Parameters.AddWithValue("$side", (int)order.Side);
        command.Parameters.AddWithValue("$quantity", order.Quantity);
        command.Parameters.AddWithValue("$type", (int)order.Type);
        command.Parameters.AddWithValue(
            "$limit",
            order.LimitPrice is { } limit ? FormatDecimal(limit) : DBNull.Value);
        command.Parameters.AddWithValue("$tif", (int)order.TimeInForce);
        command.Parameters.AddWithValue("$status", (int)order.Status);
        command.Parameters.AddWithValue("$external", order.External ? 1 : 0);
        command.Parameters.AddWithValue("$created", FormatTime(order.CreatedAt));
        return (long)command.ExecuteScalar()!;
    }

    public void MarkCancelRequested(long number)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "UPDATE orders SET cancel_requested = 1 WHERE number = $number";
        command.Parameters.AddWithValue("$number", number);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Stores a fill, the order's new status and filled quantity, the new cash balance and, when
    /// <paramref name="outbox"/> is set, the update for the sink, all in one transaction.
    /// </summary>
    /// <returns>The outbox sequence, or null when no update is stored.</returns>
    public long? RecordFill(PaperOrder order, Fill fill, decimal cash, BrokerOrderUpdate? outbox)
    {
        using var transaction = _connection.BeginTransaction();
        using (var command = _connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO fills (execution_id, order_number, quantity, price, time)
                VALUES ($execution, $number, $quantity, $price, $time);
                UPDATE account SET cash = $cash WHERE id = 1;
                """;
            command.Parameters.AddWithValue("$execution", fill.ExecutionId);
            command.Parameters.AddWithValue("$number", order.Number);
            command.Parameters.AddWithValue("$quantity", fill.Quantity);
            command.Parameters.AddWithValue("$price", FormatDecimal(fill.Price));
            command.Parameters.AddWithValue("$time", FormatTime(fill.Time));
            command.Parameters.AddWithValue("$cash", FormatDecimal(cash));
            command.ExecuteNonQuery();
        }

        UpdateOrder(transaction, order);
        var sequence = outbox is null ? (long?)null : InsertOutbox(transaction, order.Number, outbox);
        transaction.Commit();
        return sequence;
    }

    /// <summary>
    /// Stores the order's new status and reason and, when set, the update for the sink, in one transaction.
    /// </summary>
    /// <returns>The outbox sequence, or null when no update is stored.</returns>
    public long? RecordStatus(PaperOrder order, BrokerOrderUpdate? outbox)
    {
        using var transaction = _connection.BeginTransaction();
        UpdateOrder(transaction, order);
        var sequence = outbox is null ? (long?)null : InsertOutbox(transaction, order.Number, outbox);
        transaction.Commit();
        return sequence;
    }

    /// <summary>Removes an update once the sink has accepted it.</summary>
    public void DeleteOutbox(long sequence)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "DELETE FROM outbox WHERE sequence = $sequence";
        command.Parameters.AddWithValue("$sequence", sequence);
        command.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();

    private void UpdateOrder(SqliteTransaction transaction, PaperOrder order)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            UPDATE orders SET status = $status, filled_quantity = $filled, cancel_requested = $cancel,
                              reason = $reason
            WHERE number = $number
            """;
        command.Parameters.AddWithValue("$status", (int)order.Status);
        command.Parameters.AddWithValue("$filled", order.FilledQuantity);
        command.Parameters.AddWithValue("$cancel", order.CancelRequested ? 1 : 0);
        command.Parameters.AddWithValue("$reason", (object?)order.Reason ?? DBNull.Value);
        command.Parameters.AddWithValue("$number", order.Number);
        command.ExecuteNonQuery();
    }

    private long InsertOutbox(SqliteTransaction transaction, long orderNumber, BrokerOrderUpdate update)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO outbox (order_number, status, filled_quantity, execution_id, reason, time)
            VALUES ($number, $status, $filled, $execution, $reason, $time)
            RETURNING sequence
            """;
        command.Parameters.AddWithValue("$number", orderNumber);
        command.Parameters.AddWithValue("$status", (int)update.Status);
        command.Parameters.AddWithValue("$filled", update.FilledQuantity);
        command.Parameters.AddWithValue("$execution", (object?)update.Fill?.ExecutionId ?? DBNull.Value);
        command.Parameters.AddWithValue("$reason", (object?)update.Reason ?? DBNull.Value);
        command.Parameters.AddWithValue("$time", FormatTime(update.Time));
        return (long)command.ExecuteScalar()!;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string FormatDecimal(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static decimal ParseDecimal(string text) => decimal.Parse(text, CultureInfo.InvariantCulture);

    private static string FormatTime(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
