namespace Breakwater.Ibkr.Tests.Interop;

/// <summary>
/// A fact that needs Node.js and tests/interop/node_modules (installed by test.sh). Without them it is skipped with the
/// reason, except when CI=true, where it runs and fails so that a broken install cannot pass unnoticed.
/// </summary>
public sealed class InteropFactAttribute : FactAttribute
{
    public InteropFactAttribute()
    {
        if (!InteropPaths.PackageInstalled && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = $"@stoqey/ib is not installed in {InteropPaths.Folder}; run ./test.sh or npm ci there.";
        }
    }
}

internal static class InteropPaths
{
    public static string Folder { get; } = Path.Combine(FindRepositoryRoot(), "tests", "interop");

    public static bool PackageInstalled =>
        File.Exists(Path.Combine(Folder, "node_modules", "@stoqey", "ib", "package.json"));

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Breakwater.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName
            ?? throw new InvalidOperationException($"No Breakwater.slnx above {AppContext.BaseDirectory}.");
    }
}
