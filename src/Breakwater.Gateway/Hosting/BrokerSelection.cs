using Breakwater.Gateway.Hosting.Ibkr;
using Breakwater.Gateway.Security;
using Breakwater.Paper;
using Breakwater.Paper.Faults;

namespace Breakwater.Gateway.Hosting;

/// <summary>
/// Chooses the broker adapter from <c>Breakwater:Broker:Kind</c>: <c>Paper</c> (default) or <c>Ibkr</c>, in any
/// letter case. The older scalar key <c>Breakwater:Broker</c> is still read when <c>Kind</c> is not set.
/// </summary>
public static class BrokerSelection
{
    public const string ConfigurationKey = "Breakwater:Broker:Kind";

    /// <summary>The earlier key, read only when <see cref="ConfigurationKey"/> is not set.</summary>
    public const string LegacyConfigurationKey = "Breakwater:Broker";

    public const string Paper = "paper";

    public const string Ibkr = "ibkr";

    /// <summary>Returns the configured broker kind, lower-cased; throws when it is neither Paper nor Ibkr.</summary>
    public static string GetBroker(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var key = ConfigurationKey;
        var value = configuration[ConfigurationKey];
        if (string.IsNullOrWhiteSpace(value))
        {
            key = LegacyConfigurationKey;
            value = configuration[LegacyConfigurationKey];
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            return Paper;
        }

        var broker = value.Trim().ToLowerInvariant();
        return broker is Paper or Ibkr
            ? broker
            : throw new GatewayConfigurationException(
                $"{key} must be 'Paper' or 'Ibkr' (any letter case), but it is '{value}'.");
    }

    /// <summary>
    /// Registers the embedded paper broker and simulated market data, or the Interactive Brokers adapter (broker and
    /// market data, with its breaker coordination and probes), as <c>Breakwater:Broker:Kind</c> says.
    /// </summary>
    public static IServiceCollection AddGatewayBroker(this IServiceCollection services, IConfiguration configuration) =>
        GetBroker(configuration) == Ibkr
            ? services.AddGatewayIbkr(configuration)
            : services.AddPaperBroker(configuration);

    /// <summary>Maps the paper broker's fault endpoints (behind the API token) when the paper broker is in use.</summary>
    public static WebApplication MapGatewayBrokerEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (GetBroker(app.Configuration) == Paper)
        {
            app.MapPaperFaultEndpoints().RequireAuthorization(ApiTokenDefaults.PolicyName);
        }

        return app;
    }
}
