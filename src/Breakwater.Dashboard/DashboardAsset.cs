namespace Breakwater.Dashboard;

/// <summary>One file of the dashboard, read from the assembly once and served from memory.</summary>
/// <param name="Path">The request path that serves the file, such as <c>/dashboard/main.js</c>.</param>
/// <param name="ETag">A strong entity tag derived from the SHA-256 of the content, quoted as HTTP requires.</param>
internal sealed record DashboardAsset(string Path, string ContentType, ReadOnlyMemory<byte> Content, string ETag);
