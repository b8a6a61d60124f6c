using Microsoft.AspNetCore.Authentication;

namespace Breakwater.Gateway.Security;

public static class SecurityServiceCollectionExtensions
{
    /// <summary>
    /// Registers the bearer token authentication and the <see cref="ApiTokenDefaults.PolicyName"/> policy.
    /// </summary>
    public static IServiceCollection AddGatewaySecurity(this IServiceCollection services)
    {
        services.AddSingleton<ApiTokenStore>();
        services.AddAuthentication(ApiTokenDefaults.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenDefaults.Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiTokenDefaults.PolicyName, policy => policy
                .AddAuthenticationSchemes(ApiTokenDefaults.Scheme)
                .RequireAuthenticatedUser());
        return services;
    }

    /// <summary>
    /// Loads or generates the API token now, so that the token file exists before the first request, then adds
    /// authentication and authorization to the pipeline.
    /// </summary>
    public static WebApplication UseGatewaySecurity(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        _ = app.Services.GetRequiredService<ApiTokenStore>();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
