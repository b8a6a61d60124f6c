using System.Diagnostics;
using System.Text;

namespace Breakwater.Dashboard.Tests.Infrastructure;

/// <summary>Runs a Node.js script of tests/browser and collects its output.</summary>
internal static class BrowserScript
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <summary>The repository root: the nearest ancestor of the test binaries that contains Breakwater.slnx.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The folder that receives screenshots: BREAKWATER_TEST_ARTIFACTS, or artifacts/ in the repository.</summary>
    public static string ArtifactsRoot =>
        Environment.GetEnvironmentVariable("BREAKWATER_TEST_ARTIFACTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(RepositoryRoot, "artifacts");

    /// <summary>
    /// Runs <c>node</c> with <paramref name="arguments"/> in tests/browser and returns its exit code with the standard
    /// output and error interleaved as they arrived.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        var folder = Path.Combine(RepositoryRoot, "tests", "browser");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "playwright-core")))
        {
            return (-1, $"The Node packages of {folder} are not installed; run `npm ci` there (test.sh does).");
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Append(output, $"The script was stopped after {Timeout.TotalSeconds} s.");
            return (-1, Snapshot(output));
        }

        // The parameterless wait returns once the redirected streams have reached their end.
        await process.WaitForExitAsync();
        return (process.ExitCode, Snapshot(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Breakwater.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No ancestor of {AppContext.BaseDirectory} contains Breakwater.slnx, so the repository root is unknown.");
    }
}
