using Breakwater.Domain.Brokers;
using Breakwater.Domain.Dependencies;
using Breakwater.Gateway.Hosting;
using Breakwater.Resilience.CircuitBreaking;
using Breakwater.Resilience.DependencyInjection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Breakwater.Gateway.Tests.Outage;

/// <summary>What the gateway's <c>database</c> breaker counts as a failure.</summary>
public sealed class DatabaseBreakerPredicateTests
{
    private static CircuitBreaker DatabaseBreaker()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddBreakwaterBreakers(new ConfigurationBuilder().Build());
        services.AddGatewayJournalOutageHandling();
        return services.BuildServiceProvider().GetRequiredService<BreakerRegistry>().Get(DependencyNames.Database);
    }

    public static TheoryData<string, Exception> Failures() => new()
    {
        { "npgsql transport", new NpgsqlException("Exception while reading from stream", new IOException("reset")) },
        { "postgres shutting down", new PostgresException("terminating connection", "FATAL", "FATAL", "57P01") },
        { "postgres cannot connect now", new PostgresException("starting up", "FATAL", "FATAL", "57P03") },
        { "sqlite busy", new SqliteException("database is locked", 5) },
        { "sqlite io error", new SqliteException("disk I/O error", 10) },
        { "timeout", new TimeoutException("timed out") },
        { "database unavailable", new DependencyUnavailableException(DependencyNames.Database, "down") },
    };

    public static TheoryData<string, Exception> NotFailures() => new()
    {
        { "postgres unique violation", new PostgresException("duplicate key", "ERROR", "ERROR", "23505") },
        { "postgres syntax error", new PostgresException("syntax error", "ERROR", "ERROR", "42601") },
        { "sqlite constraint", new SqliteException("UNIQUE constraint failed", 19, 2067) },
        { "broker rejection", new BrokerRejectionException(BrokerRejectionCode.InvalidOrder, "invalid") },
        { "argument", new ArgumentException("bad") },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void ShouldCount_StoreUnavailable_ReturnsTrue(string name, Exception exception)
    {
        Assert.True(DatabaseBreaker().ShouldCount(exception), name);
    }

    [Theory]
    [MemberData(nameof(NotFailures))]
    public void ShouldCount_BusinessOutcome_ReturnsFalse(string name, Exception exception)
    {
        Assert.False(DatabaseBreaker().ShouldCount(exception), name);
    }
}
