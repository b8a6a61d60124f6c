using System.Runtime.InteropServices;

namespace Breakwater.Gateway.Hosting;

/// <summary>
/// Keeps the data directory private to the gateway's user. The directory gets mode 0700. The process umask 077 makes
/// every file created later mode 0600, whichever library creates it: the API token, journal.db with its -wal and -shm
/// files, paper-broker.db and the spill files.
/// </summary>
public static class DataDirectoryPermissions
{
    private const UnixFileMode OwnerOnly =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Sets the umask to 077 and creates <c>Breakwater:DataDirectory</c> with mode 0700, or tightens an existing one
    /// to 0700, which also closes older files inside it to other users. Does nothing on Windows.
    /// </summary>
    public static WebApplicationBuilder UseOwnerOnlyDataDirectory(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (OperatingSystem.IsWindows())
        {
            return builder;
        }

        _ = SetUmask(Convert.ToUInt32("077", 8));
        var configured = builder.Configuration[$"{GatewayOptions.SectionName}:{nameof(GatewayOptions.DataDirectory)}"];
        var path = Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? "./data" : configured);
        try
        {
            if (!Directory.Exists(path))
            {
                Directory.CreateDirectory(path, OwnerOnly);
            }
            else if ((File.GetUnixFileMode(path) & ~OwnerOnly) != 0)
            {
                File.SetUnixFileMode(path, OwnerOnly);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new GatewayConfigurationException(
                $"{GatewayOptions.SectionName}:{nameof(GatewayOptions.DataDirectory)} '{path}' could not be created " +
                $"or set to mode 0700: {exception.Message}",
                exception);
        }

        return builder;
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs AllowUnsafeBlocks for the project; umask takes and returns an int.
    [DllImport("libc", EntryPoint = "umask")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern uint SetUmask(uint mask);
#pragma warning restore SYSLIB1054
}
