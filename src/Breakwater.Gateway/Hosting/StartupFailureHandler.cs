using Microsoft.Extensions.Options;

namespace Breakwater.Gateway.Hosting;

/// <summary>Exit codes of the gateway process, after the BSD sysexits convention.</summary>
public static class GatewayExitCodes
{
    /// <summary>A setting or a file the gateway reads at start is invalid (EX_CONFIG); the fatal line names it.</summary>
    public const int ConfigurationError = 78;

    /// <summary>Any other unhandled exception ended the process (EX_SOFTWARE).</summary>
    public const int InternalError = 70;
}

/// <summary>
/// Turns an exception that would end the process with an unhandled-exception abort (exit 134) into one fatal line on
/// standard error and a documented exit code.
/// </summary>
public static class StartupFailureHandler
{
    /// <summary>Installs the handler for the whole process; call it first in <c>Program.cs</c>.</summary>
    public static void Install() => AppDomain.CurrentDomain.UnhandledException += (_, args) =>
    {
        var exception = args.ExceptionObject as Exception;
        var configuration = FindConfigurationError(exception);
        if (configuration is not null)
        {
            Console.Error.WriteLine(
                $"crit: The gateway cannot start because of its configuration: {configuration.Message} " +
                $"Exiting with code {GatewayExitCodes.ConfigurationError}.");
            Console.Error.Flush();
            Environment.Exit(GatewayExitCodes.ConfigurationError);
        }

        Console.Error.WriteLine(
            $"crit: The gateway stopped on an unhandled exception; exiting with code {GatewayExitCodes.InternalError}. " +
            exception);
        Console.Error.Flush();
        Environment.Exit(GatewayExitCodes.InternalError);
    };

    /// <summary>Returns the configuration error in <paramref name="exception"/> or its inner exceptions, if any.</summary>
    public static Exception? FindConfigurationError(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is GatewayConfigurationException or OptionsValidationException)
            {
                return current;
            }

            if (current is AggregateException aggregate)
            {
                return aggregate.InnerExceptions.Select(FindConfigurationError).FirstOrDefault(found => found is not null);
            }
        }

        return null;
    }
}
