using System.Security.Claims;
using System.Text.Encodings.Web;
using Breakwater.Gateway.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Breakwater.Gateway.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;token&gt;</c> against <see cref="ApiTokenStore"/> and responds to a
/// failed challenge with 401 problem details and <c>WWW-Authenticate: Bearer</c>.
/// </summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiTokenStore tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private const string Prefix = "Bearer ";

    private static readonly ClaimsPrincipal ApiClient = new(
        new ClaimsIdentity([new Claim(ClaimTypes.Name, "api-client")], ApiTokenDefaults.Scheme));

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
            || !tokens.Matches(header.AsSpan(Prefix.Length).Trim()))
        {
            return Task.FromResult(AuthenticateResult.Fail("The bearer token is missing or wrong."));
        }

        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(ApiClient, ApiTokenDefaults.Scheme)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var presented = Request.Headers.Authorization.Count > 0;
        Response.Headers.WWWAuthenticate = presented
            ? "Bearer error=\"invalid_token\", error_description=\"The bearer token is wrong.\""
            : "Bearer";
        var detail = presented
            ? "The bearer token in the Authorization header is wrong."
            : "Send the API token as 'Authorization: Bearer <token>'.";
        await Problems.WriteAsync(
            Context, Problems.Create(Context, StatusCodes.Status401Unauthorized, "unauthorized", detail));
    }
}
