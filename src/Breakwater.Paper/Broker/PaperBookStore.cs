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
/// transaction, or part of the one <see cref="RunInTransaction"/> opened around several of them, so a crash never
/// repeats or loses half a fill. Not thread-safe: the broker calls it under its lock.
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

    // The per-order commands are prepared once and reused, because SQLite compiles a statement on every new command
    // and every order runs several of them. Callers use the store under the broker's lock, one call at a time.
    private SqliteCommand? _insertOrder;
    private SqliteCommand? _insertFill;
    private SqliteCommand? _updateOrder;
    private SqliteCommand? _insertOutbox;
    private SqliteCommand? _deleteOutbox;

    // The transaction RunInTransaction opened; while it is set, the record methods write inside it.
    private SqliteTransaction? _shared;

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
        var command = Reuse(ref _insertOrder, null, """
            INSERT INTO orders (client_order_id, gateway_order_id, symbol, side, quantity, type, limit_price,
                                time_in_force, status, filled_quantity, cancel_requested, external, reason, created_at)
            VALUES ($client, $gateway, $symbol, $side, $quantity, $type, $limit, $tif, $status, 0, 0, $external,
                    NULL, $created)
            RETURNING number
            """);
        Bind(command, "$client", (object?)order.ClientOrderId ?? DBNull.Value);
        Bind(command, "$gateway", order.GatewayOrderId);
        Bind(command, "$symbol", order.Symbol);
        Bind(command, "$side", (int)order.Side);
        Bind(command, "$quantity", order.Quantity);
        Bind(command, "$type", (int)order.Type);
        Bind(command, "$limit", order.LimitPrice is { } limit ? FormatDecimal(limit) : DBNull.Value);
        Bind(command, "$tif", (int)order.TimeInForce);
        Bind(command, "$status", (int)order.Status);
        Bind(command, "$external", order.External ? 1 : 0);
        Bind(command, "$created", FormatTime(order.CreatedAt));
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
        using var own = _shared is null ? _connection.BeginTransaction() : null;
        var transaction = own ?? _shared!;
        var command = Reuse(ref _insertFill, transaction, """
            INSERT INTO fills (execution_id, order_number, quantity, price, time)
            VALUES ($execution, $number, $quantity, $price, $time);
            UPDATE account SET cash = $cash WHERE id = 1;
            """);
        Bind(command, "$execution", fill.ExecutionId);
        Bind(command, "$number", order.Number);
        Bind(command, "$quantity", fill.Quantity);
        Bind(command, "$price", FormatDecimal(fill.Price));
        Bind(command, "$time", FormatTime(fill.Time));
        Bind(command, "$cash", FormatDecimal(cash));
        command.ExecuteNonQuery();

        UpdateOrder(transaction, order);
        var sequence = outbox is null ? (long?)null : InsertOutbox(transaction, order.Number, outbox);
        own?.Commit();
        return sequence;
    }

    /// <summary>
    /// Stores the order's new status and reason and, when set, the update for the sink, in one transaction.
    /// </summary>
    /// <returns>The outbox sequence, or null when no update is stored.</returns>
    public long? RecordStatus(PaperOrder order, BrokerOrderUpdate? outbox)
    {
        using var own = _shared is null ? _connection.BeginTransaction() : null;
        var transaction = own ?? _shared!;
        UpdateOrder(transaction, order);
        var sequence = outbox is null ? (long?)null : InsertOutbox(transaction, order.Number, outbox);
        own?.Commit();
        return sequence;
    }

    /// <summary>
    /// Runs <paramref name="writes"/> with every <see cref="RecordFill"/> and <see cref="RecordStatus"/> call inside
    /// one transaction, committed when <paramref name="writes"/> returns. When it throws, or the commit fails, none
    /// of its writes is stored. One commit for many orders is what keeps a busy step short.
    /// </summary>
    public void RunInTransaction(Action writes)
    {
        ArgumentNullException.ThrowIfNull(writes);
        if (_shared is not null)
        {
            throw new InvalidOperationException("A book transaction is already open; they do not nest.");
        }

        using var transaction = _connection.BeginTransaction();
        _shared = transaction;
        try
        {
            writes();
            transaction.Commit();
        }
        finally
        {
            _shared = null;
        }
    }

    /// <summary>Removes updates once the sink has accepted them, in one transaction.</summary>
    public void DeleteOutbox(IReadOnlyList<long> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        using var transaction = _connection.BeginTransaction();
        var command = Reuse(ref _deleteOutbox, transaction, "DELETE FROM outbox WHERE sequence = $sequence");
        foreach (var sequence in sequences)
        {
            Bind(command, "$sequence", sequence);
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    public void Dispose()
    {
        _insertOrder?.Dispose();
        _insertFill?.Dispose();
        _updateOrder?.Dispose();
        _insertOutbox?.Dispose();
        _deleteOutbox?.Dispose();
        _connection.Dispose();
    }

    private void UpdateOrder(SqliteTransaction transaction, PaperOrder order)
    {
        var command = Reuse(ref _updateOrder, transaction, """
            UPDATE orders SET status = $status, filled_quantity = $filled, cancel_requested = $cancel,
                              reason = $reason
            WHERE number = $number
            """);
        Bind(command, "$status", (int)order.Status);
        Bind(command, "$filled", order.FilledQuantity);
        Bind(command, "$cancel", order.CancelRequested ? 1 : 0);
        Bind(command, "$reason", (object?)order.Reason ?? DBNull.Value);
        Bind(command, "$number", order.Number);
        command.ExecuteNonQuery();
    }

    private long InsertOutbox(SqliteTransaction transaction, long orderNumber, BrokerOrderUpdate update)
    {
        var command = Reuse(ref _insertOutbox, transaction, """
            INSERT INTO outbox (order_number, status, filled_quantity, execution_id, reason, time)
            VALUES ($number, $status, $filled, $execution, $reason, $time)
            RETURNING sequence
            """);
        Bind(command, "$number", orderNumber);
        Bind(command, "$status", (int)update.Status);
        Bind(command, "$filled", update.FilledQuantity);
        Bind(command, "$execution", (object?)update.Fill?.ExecutionId ?? DBNull.Value);
        Bind(command, "$reason", (object?)update.Reason ?? DBNull.Value);
        Bind(command, "$time", FormatTime(update.Time));
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Returns the command cached in <paramref name="slot"/>, created on first use.</summary>
    private SqliteCommand Reuse(ref SqliteCommand? slot, SqliteTransaction? transaction, string sql)
    {
        slot ??= CreateCommand(sql);
        slot.Transaction = transaction;
        return slot;
    }

    private SqliteCommand CreateCommand(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private static void Bind(SqliteCommand command, string name, object value)
    {
        var parameters = command.Parameters;
        var index = parameters.IndexOf(name);
        if (index < 0)
        {
            parameters.AddWithValue(name, value);
        }
        else
        {
            parameters[index].Value = value;
        }
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
