using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Breakwater.Gateway.Tests.Outage;

/// <summary>
/// A PostgreSQL cluster of one test's own, created with initdb in a temporary directory and listening on a free
/// loopback port, which the test may stop and start. The server that ./test.sh starts is shared by tests running in
/// parallel, so an outage test must not stop that one.
/// </summary>
/// <remarks>
/// The binaries come from <c>BREAKWATER_TEST_POSTGRES_BIN</c>, else the newest <c>/usr/lib/postgresql/*/bin</c>.
/// PostgreSQL refuses to run as root, so as root every command runs through <c>runuser -u USER --</c>, where USER is
/// <c>BREAKWATER_TEST_POSTGRES_USER</c> (default <c>postgres</c>). Not thread safe.
/// </remarks>
public sealed class PrivatePostgresServer : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string? _runAs;
    private readonly string _directory;
    private bool _running;

    private PrivatePostgresServer(string bin, string? runAs, string directory, int port)
    {
        _bin = bin;
        _runAs = runAs;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>A connection string for the superuser <c>breakwater</c> and the database <c>postgres</c>.</summary>
    public string ConnectionString => string.Create(
        CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=breakwater;Database=postgres");

    /// <summary>Returns why the outage tests cannot run here, or null when PostgreSQL binaries are installed.</summary>
    public static string? SkipReason =>
        FindBinaries() is null && !string.Equals(
            Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? "No PostgreSQL binaries: set BREAKWATER_TEST_POSTGRES_BIN or install PostgreSQL; ./test.sh does both."
            : null;

    /// <summary>Creates the cluster and starts the server.</summary>
    public static async Task<PrivatePostgresServer> StartAsync()
    {
        var bin = FindBinaries() ?? throw new InvalidOperationException(
            "No PostgreSQL binaries were found in BREAKWATER_TEST_POSTGRES_BIN or /usr/lib/postgresql/*/bin.");
        var runAs = Environment.UserName == "root"
            ? Environment.GetEnvironmentVariable("BREAKWATER_TEST_POSTGRES_USER") is { Length: > 0 } user ? user : "postgres"
            : null;
        var directory = Directory.CreateTempSubdirectory("breakwater-outage-pg-").FullName;
        var server = new PrivatePostgresServer(bin, runAs, directory, FreePort());
        try
        {
            if (runAs is not null)
            {
                await RunAsync("chown", [runAs, directory]);
            }

            await server.RunAsPostgresAsync(
                "initdb", ["-D", server.DataDirectory, "-U", "breakwater", "--auth=trust", "-E", "UTF8", "--no-sync"]);
            await server.StartServerAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server and waits until it accepts connections.</summary>
    public async Task StartServerAsync()
    {
        var options = string.Create(
            CultureInfo.InvariantCulture,
            $"-c listen_addresses=127.0.0.1 -p {Port} -k {_directory} -c max_connections=100");
        await RunAsPostgresAsync(
            "pg_ctl", ["-D", DataDirectory, "-l", Path.Combine(_directory, "server.log"), "-w", "-o", options, "start"]);
        _running = true;
    }

    /// <summary>Stops the server: <c>fast</c> disconnects clients and shuts down cleanly, <c>immediate</c> aborts.</summary>
    public async Task StopServerAsync(string mode = "fast")
    {
        await RunAsPostgresAsync("pg_ctl", ["-D", DataDirectory, "-m", mode, "-w", "stop"]);
        _running = false;
    }

    /// <summary>Runs <paramref name="sql"/> on a new connection and returns the first column of every row.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, string? database = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false };
        if (database is not null)
        {
            builder.Database = database;
        }

        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetFieldValue<T>(0));
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        if (_running)
        {
            try
            {
                await StopServerAsync("immediate");
            }
            catch (InvalidOperationException)
            {
                // The directory is removed below either way.
            }
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean up with the other temporary files.
        }
    }

    private static string? FindBinaries()
    {
        var configured = Environment.GetEnvironmentVariable("BREAKWATER_TEST_POSTGRES_BIN");
        if (!string.IsNullOrWhiteSpace(configured) && File.Exists(Path.Combine(configured, "pg_ctl")))
        {
            return configured;
        }

        const string Root = "/usr/lib/postgresql";
        return Directory.Exists(Root)
            ? Directory.GetDirectories(Root)
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "pg_ctl")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
                .FirstOrDefault()
            : null;
    }

    private Task RunAsPostgresAsync(string tool, IReadOnlyList<string> arguments)
    {
        var path = Path.Combine(_bin, tool);
        return _runAs is null
            ? RunAsync(path, arguments)
            : RunAsync("runuser", ["-u", _runAs, "--", path, .. arguments]);
    }

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
