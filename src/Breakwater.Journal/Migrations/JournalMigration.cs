namespace Breakwater.Journal.Migrations;

/// <summary>One versioned schema change, written once per SQL dialect.</summary>
/// <param name="Version">Applied in increasing order and recorded in <c>schema_migrations</c>.</param>
/// <param name="Name">A stable name such as <c>001_create_orders</c>.</param>
internal sealed record JournalMigration(int Version, string Name, string Sqlite, string Postgres);

/// <summary>
/// The schema of the journal. Timestamps are stored as UTC ticks (100 ns since 0001-01-01, BIGINT) on both
/// providers, because PostgreSQL's <c>timestamptz</c> keeps only microseconds and a journal must return exactly what
/// it stored. Prices are NUMERIC on PostgreSQL and invariant-culture TEXT on SQLite, both exact for
/// <see cref="decimal"/>. Enums are stored by name.
/// </summary>
/// <remarks>Never edit a published migration: add a new one with the next version.</remarks>
internal static class JournalMigrations
{
    public static IReadOnlyList<JournalMigration> All { get; } =
    [
        new(1, "001_create_orders",
            Sqlite: """
                CREATE TABLE orders (
                    id INTEGER NOT NULL PRIMARY KEY,
                    client_order_id TEXT NOT NULL UNIQUE,
                    symbol TEXT NOT NULL,
                    side TEXT NOT NULL,
                    quantity INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    limit_price TEXT NULL,
                    time_in_force TEXT NOT NULL,
                    status TEXT NOT NULL,
                    filled_quantity INTEGER NOT NULL,
                    average_fill_price TEXT NULL,
                    broker_order_id TEXT NULL,
                    reason TEXT NULL,
                    attention TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    version INTEGER NOT NULL
                );
                """,
            Postgres: """
                CREATE TABLE orders (
                    id BIGINT NOT NULL PRIMARY KEY,
                    client_order_id TEXT NOT NULL UNIQUE,
                    symbol TEXT NOT NULL,
                    side TEXT NOT NULL,
                    quantity BIGINT NOT NULL,
                    type TEXT NOT NULL,
                    limit_price NUMERIC NULL,
                    time_in_force TEXT NOT NULL,
                    status TEXT NOT NULL,
                    filled_quantity BIGINT NOT NULL,
                    average_fill_price NUMERIC NULL,
                    broker_order_id TEXT NULL,
                    reason TEXT NULL,
                    attention TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    version INTEGER NOT NULL
                );
                """),
        new(2, "002_create_fills",
            Sqlite: """
                CREATE TABLE fills (
                    execution_id TEXT NOT NULL PRIMARY KEY,
                    order_id INTEGER NOT NULL REFERENCES orders (id),
                    quantity INTEGER NOT NULL,
                    price TEXT NOT NULL,
                    time INTEGER NOT NULL
                );
                CREATE INDEX ix_fills_order_id ON fills (order_id);
                """,
            Postgres: """
                CREATE TABLE fills (
                    execution_id TEXT NOT NULL PRIMARY KEY,
                    order_id BIGINT NOT NULL REFERENCES orders (id),
                    quantity BIGINT NOT NULL,
                    price NUMERIC NOT NULL,
                    time BIGINT NOT NULL
                );
                CREATE INDEX ix_fills_order_id ON fills (order_id);
                """),
        new(3, "003_create_order_events",
            Sqlite: """
                CREATE TABLE order_events (
                    order_id INTEGER NOT NULL REFERENCES orders (id),
                    version INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    status TEXT NOT NULL,
                    time INTEGER NOT NULL,
                    execution_id TEXT NULL REFERENCES fills (execution_id),
                    detail TEXT NULL,
                    PRIMARY KEY (order_id, version)
                );
                """,
            Postgres: """
                CREATE TABLE order_events (
                    order_id BIGINT NOT NULL REFERENCES orders (id),
                    version INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    status TEXT NOT NULL,
                    time BIGINT NOT NULL,
                    execution_id TEXT NULL REFERENCES fills (execution_id),
                    detail TEXT NULL,
                    PRIMARY KEY (order_id, version)
                );
                """),
        new(4, "004_index_orders",
            Sqlite: """
                CREATE INDEX ix_orders_status_id ON orders (status, id DESC);
                CREATE INDEX ix_orders_broker_order_id ON orders (broker_order_id);
                """,
            Postgres: """
                CREATE INDEX ix_orders_status_id ON orders (status, id DESC);
                CREATE INDEX ix_orders_broker_order_id ON orders (broker_order_id);
                """),
    ];
}
