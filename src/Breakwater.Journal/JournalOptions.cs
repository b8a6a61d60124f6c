namespace Breakwater.Journal;

/// <summary>The store that backs the order journal.</summary>
public enum JournalProvider
{
    /// <summary>An embedded SQLite file, <c>journal.db</c> in the data directory. The default.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server reached through <see cref="JournalOptions.ConnectionString"/>.</summary>
    Postgres,
}

/// <summary>
/// Settings of the order journal, bound from <c>Breakwater:Journal</c>; <see cref="DataDirectory"/> comes from
/// <c>Breakwater:DataDirectory</c>.
/// </summary>
public sealed class JournalOptions
{
    /// <summary>The configuration section of the journal settings.</summary>
    public const string SectionName = "Breakwater:Journal";

    /// <summary>The configuration key of the data directory, shared with other components.</summary>
    public const string DataDirectoryKey = "Breakwater:DataDirectory";

    /// <summary>The store to use. Default <see cref="JournalProvider.Sqlite"/>.</summary>
    public JournalProvider Provider { get; set; } = JournalProvider.Sqlite;

    /// <summary>
    /// The Npgsql connection string; required when <see cref="Provider"/> is <see cref="JournalProvider.Postgres"/>
    /// and ignored otherwise. It usually contains a password, so it is never logged.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The directory of <c>journal.db</c> and of the spill queue, relative to the working directory unless rooted.
    /// Default <c>./data</c>; created when missing.
    /// </summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>
    /// The maximum number of pooled PostgreSQL connections, 1 to 1000. Default 20: one writer connection plus reads,
    /// well below PostgreSQL's default <c>max_connections</c> of 100 so that several gateways fit.
    /// </summary>
    public int MaxPoolSize { get; set; } = 20;

    /// <summary>
    /// How long one database command may run before it fails, 1 second to 10 minutes. Default 30 seconds. On SQLite
    /// it is also the busy timeout: how long a writer waits for another process's write lock.
    /// </summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The maximum number of writes committed in one transaction by the group-commit writer, 1 to 10,000.
    /// Default 512.
    /// </summary>
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>Returns the absolute path of <see cref="DataDirectory"/>.</summary>
    public string GetFullDataDirectory() => Path.GetFullPath(DataDirectory);

    internal int CommandTimeoutSeconds => Math.Max(1, (int)Math.Ceiling(CommandTimeout.TotalSeconds));
}
