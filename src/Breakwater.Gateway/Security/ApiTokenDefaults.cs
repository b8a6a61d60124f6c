namespace Breakwater.Gateway.Security;

public static class ApiTokenDefaults
{
    /// <summary>Authentication scheme that checks <c>Authorization: Bearer &lt;token&gt;</c> against the API token.</summary>
    public const string Scheme = "Bearer";

    /// <summary>
    /// Authorization policy for every endpoint that needs the API token: the order API, market data, and admin
    /// endpoints. Apply it with <c>RequireAuthorization(ApiTokenDefaults.PolicyName)</c>.
    /// </summary>
    public const string PolicyName = "BreakwaterApiClient";

    /// <summary>File name of the generated token inside the data directory.</summary>
    public const string TokenFileName = "api-token";
}
