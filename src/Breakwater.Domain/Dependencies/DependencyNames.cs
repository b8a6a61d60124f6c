namespace Breakwater.Domain.Dependencies;

/// <summary>Names of the dependencies that the gateway guards with a circuit breaker and reports in health.</summary>
public static class DependencyNames
{
    public const string Broker = "broker";
    public const string Database = "database";
    public const string MarketData = "marketData";

    public static IReadOnlyList<string> All { get; } = [Broker, Database, MarketData];
}
