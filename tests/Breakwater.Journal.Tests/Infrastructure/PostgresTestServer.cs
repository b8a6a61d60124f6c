using Npgsql;

namespace Breakwater.Journal.Tests.Infrastructure;

/// <summary>The PostgreSQL server that ./test.sh starts, named by <c>BREAKWATER_TEST_POSTGRES</c>.</summary>
public static class PostgresTestServer
{
    public const string Variable = "BREAKWATER_TEST_POSTGRES";

    public static string? AdminConnectionString => Environment.GetEnvironmentVariable(Variable);

    private static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns why PostgreSQL tests are skipped, or null when they run (a server is set, or this is CI).</summary>
    public static string? SkipReason => string.IsNullOrWhiteSpace(AdminConnectionString) && !IsCi
        ? $"{Variable} is not set; run ./test.sh, which starts a PostgreSQL server and sets it."
        : null;

    /// <summary>Creates an empty database and returns a connection string for it.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var admin = AdminConnectionString;
        if (string.IsNullOrWhiteSpace(admin))
        {
            throw new InvalidOperationException(
                $"{Variable} must be set when CI=true; ./test.sh starts a PostgreSQL server and sets it.");
        }

        var name = "bw_test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = false }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
