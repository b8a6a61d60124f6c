using Microsoft.Extensions.Options;

namespace Breakwater.Gateway.Hosting;

/// <summary>Gateway-wide settings, bound from the configuration section <c>Breakwater</c>.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Breakwater";

    public const int MinApiTokenLength = 16;

    /// <summary>
    /// Directory for the API token file, the SQLite journal and the paper broker's book. Default <c>./data</c>,
    /// relative to the working directory; created when missing.
    /// </summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>
    /// The bearer token clients must send; 16 to 256 characters. Default: none, so a random token is generated and
    /// stored in <c>&lt;DataDirectory&gt;/api-token</c>.
    /// </summary>
    public string? ApiToken { get; set; }
}

internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add($"{GatewayOptions.SectionName}:{nameof(GatewayOptions.DataDirectory)} must name a directory, but it is empty.");
        }

        if (options.ApiToken is { Length: > 0 and < GatewayOptions.MinApiTokenLength } token)
        {
            errors.Add(
                $"{GatewayOptions.SectionName}:{nameof(GatewayOptions.ApiToken)} must be at least " +
                $"{GatewayOptions.MinApiTokenLength} characters long, but it has {token.Length}.");
        }

        // The value is never shown, because it is the secret itself.
        if (options.ApiToken is { Length: > Security.ApiTokenStore.MaxPresentedLength } longToken)
        {
            errors.Add(
                $"{GatewayOptions.SectionName}:{nameof(GatewayOptions.ApiToken)} must be at most " +
                $"{Security.ApiTokenStore.MaxPresentedLength} characters long, because clients cannot present a longer " +
                $"token, but it has {longToken.Length}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
