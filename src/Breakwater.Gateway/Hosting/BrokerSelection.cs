using Breakwater.Gateway.Security;
using Breakwater.Ibkr;
using Breakwater.Paper;
using Breakwater.Paper.Faults;

namespace Breakwater.Gateway.Hosting;

/// <summary>Chooses the broker adapter from <c>Breakwater:Broker</c>: <c>paper</c> (default) or <c>ibkr</c>.</summary>
public static class BrokerSelection
{
    public const string ConfigurationKey = "Breakwater:Broker";

    public const string Paper = "paper";

    public const string Ibkr = "ibkr";

    /// <summary>Returns the configured broker name, lower-cased; throws when it is neither paper nor ibkr.</summary>
    public static string GetBroker(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[ConfigurationKey];
        if (string.IsNullOrWhiteSpace(value))
        {
            return Paper;
        }

        var broker = value.Trim().ToLowerInvariant();
        return broker is Paper or Ibkr
            ? broker
            : throw new InvalidOperationException(
                $"{ConfigurationKey} must be '{Paper}' or '{Ibkr}', but it is '{value}'.");
    }

    /// <summary>
    /// Registers the embedded paper broker and simulated market data, or the Interactive Brokers adapter (broker and
    /// market data), as <c>Breakwater:Broker</c> says.
    /// </summary>
    public static IServiceCollection AddGatewayBroker(this IServiceCollection services, IConfiguration configuration) =>
        GetBroker(configuration) == Ibkr
            ? services.AddIbkrBroker(configuration)
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
