using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace Breakwater.Dashboard;

/// <summary>
/// The dashboard files embedded in this assembly, keyed by request path. The page itself is served at <c>/</c> and
/// every other file under <see cref="AssetPrefix"/>. Immutable after construction, so it is safe to share.
/// </summary>
internal sealed class DashboardAssetCatalog
{
    /// <summary>The request path prefix of the scripts, styles and images.</summary>
    public const string AssetPrefix = "/dashboard/";

    private const string ResourcePrefix = "Breakwater.Dashboard.wwwroot/";
    private const string PageResource = "index.html";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".json"] = "application/json; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, DashboardAsset> _assets;

    private DashboardAssetCatalog(FrozenDictionary<string, DashboardAsset> assets) => _assets = assets;

    /// <summary>The request paths of every file, for diagnostics and tests.</summary>
    public IEnumerable<string> Paths => _assets.Keys;

    /// <summary>Reads every embedded file of the dashboard from <paramref name="assembly"/>.</summary>
    /// <exception cref="InvalidOperationException">
    /// A file has an extension without a known content type, or the page itself is missing.
    /// </exception>
    public static DashboardAssetCatalog Load(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var assets = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var relative = resource[ResourcePrefix.Length..].Replace('\\', '/');
            var path = relative == PageResource ? "/" : AssetPrefix + relative;
            assets[path] = ReadAsset(assembly, resource, relative, path);
        }

        if (!assets.ContainsKey("/"))
        {
            throw new InvalidOperationException(
                $"The assembly {assembly.GetName().Name} does not embed the dashboard page {ResourcePrefix}{PageResource}; "
                + "the project must include wwwroot/index.html as an embedded resource.");
        }

        return new DashboardAssetCatalog(assets.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>Finds the file served at <paramref name="path"/>; the comparison is case-sensitive.</summary>
    public bool TryGet(string path, out DashboardAsset asset) => _assets.TryGetValue(path, out asset!);

    private static DashboardAsset ReadAsset(Assembly assembly, string resource, string relative, string path)
    {
        var extension = System.IO.Path.GetExtension(relative);
        if (!ContentTypes.TryGetValue(extension, out var contentType))
        {
            throw new InvalidOperationException(
                $"The dashboard file {relative} has the extension '{extension}', which has no content type; "
                + $"known extensions are {string.Join(", ", ContentTypes.Keys.Order(StringComparer.Ordinal))}.");
        }

        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded resource {resource} could not be opened.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var content = buffer.ToArray();
        var hash = SHA256.HashData(content);
        var etag = "\"" + Convert.ToBase64String(hash, 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "\"";
        return new DashboardAsset(path, contentType, content, etag);
    }
}
