namespace Breakwater.Gateway.Hosting;

/// <summary>
/// Raised when a setting or a startup file is invalid; the message names the setting or file, the rule and what to
/// do, and never contains a secret.
/// </summary>
public sealed class GatewayConfigurationException(string message, Exception? innerException = null)
    : Exception(message, innerException);
