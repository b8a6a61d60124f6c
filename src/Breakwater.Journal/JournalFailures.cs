using System.Net.Sockets;
using Breakwater.Domain.Dependencies;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Breakwater.Journal;

/// <summary>
/// Classifies journal exceptions for the database circuit breaker. The journal lets provider exceptions
/// (<see cref="NpgsqlException"/>, <see cref="SqliteException"/>) surface unchanged, and this helper classifies them:
/// the store is unavailable, or the request was wrong.
/// </summary>
public static class JournalFailures
{
    // SQLite primary result codes (https://www.sqlite.org/rescode.html).
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteNoMemory = 7;
    private const int SqliteReadOnly = 8;
    private const int SqliteInterrupt = 9;
    private const int SqliteIoError = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteCannotOpen = 14;
    private const int SqliteProtocol = 15;
    private const int SqliteNotADatabase = 26;

    /// <summary>
    /// Returns whether <paramref name="exception"/> means that the journal store could not serve the call (down,
    /// unreachable, timed out, out of space, locked), so that a breaker should count it. Constraint violations,
    /// SQL errors and argument errors return false: retrying them cannot help. Cancellation requested by the caller
    /// also returns false.
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            DependencyUnavailableException dependency => dependency.Dependency == DependencyNames.Database,
            PostgresException postgres => IsTransientSqlState(postgres.SqlState),
            // Npgsql raises a plain NpgsqlException (not a PostgresException) only for client-side trouble: a failed
            // connect, a broken stream, a timeout or an exhausted pool.
            NpgsqlException => true,
            SqliteException sqlite => IsTransientSqliteCode(sqlite.SqliteErrorCode & 0xFF),
            TimeoutException => true,
            IOException or SocketException => true,
            OperationCanceledException => false,
            _ => false,
        };
    }

    /// <summary>
    /// Returns whether <paramref name="exception"/> is a unique-constraint violation, which the journal treats as the
    /// idempotency path and never as a store failure.
    /// </summary>
    public static bool IsUniqueViolation(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        _ => false,
    };

    /// <summary>
    /// Returns whether a transaction was aborted by a deadlock or serialization conflict with another transaction;
    /// the journal retries such a write itself.
    /// </summary>
    internal static bool IsConflict(Exception exception) => exception is PostgresException
    {
        SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure,
    };

    private static bool IsTransientSqlState(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal) // connection exception
        || sqlState.StartsWith("53", StringComparison.Ordinal) // insufficient resources (disk full, too many clients)
        || sqlState.StartsWith("57P", StringComparison.Ordinal) // operator intervention: shutdown, cannot connect now
        || sqlState.StartsWith("58", StringComparison.Ordinal) // system error (I/O)
        || sqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
            or PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.QueryCanceled
            or PostgresErrorCodes.ReadOnlySqlTransaction;

    private static bool IsTransientSqliteCode(int primaryCode) => primaryCode is SqliteBusy or SqliteLocked
        or SqliteNoMemory or SqliteReadOnly or SqliteInterrupt or SqliteIoError or SqliteCorrupt or SqliteFull
        or SqliteCannotOpen or SqliteProtocol or SqliteNotADatabase;
}
