using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Breakwater.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Breakwater.Gateway.Security;

/// <summary>
/// The API token that clients send as a bearer token: <c>Breakwater:ApiToken</c> when set, otherwise a random token
/// generated at first start and kept in <c>&lt;data directory&gt;/api-token</c> (mode 0600) for later starts.
/// </summary>
/// <remarks>Thread safe. Only a SHA-256 digest of the token stays in memory, and the token is never logged.</remarks>
public sealed partial class ApiTokenStore
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Maximum length of a token, configured or presented. A longer presented token is rejected without hashing it, so
    /// a longer configured token could never match and is rejected at start.
    /// </summary>
    public const int MaxPresentedLength = 256;

    private const string TokenKey = "Breakwater:ApiToken";

    private readonly byte[] _digest;

    public ApiTokenStore(IOptions<GatewayOptions> options, ILogger<ApiTokenStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configured = options.Value.ApiToken;
        if (!string.IsNullOrEmpty(configured))
        {
            _digest = SHA256.HashData(Encoding.UTF8.GetBytes(configured));
            Log.ConfiguredTokenUsed(logger);
            return;
        }

        TokenFilePath = Path.GetFullPath(Path.Combine(options.Value.DataDirectory, ApiTokenDefaults.TokenFileName));
        var token = LoadOrCreate(TokenFilePath, logger);
        _digest = SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }

    /// <summary>Path of the token file, or null when the token comes from configuration.</summary>
    public string? TokenFilePath { get; }

    /// <summary>Returns whether <paramref name="presented"/> is the API token, in time independent of where they differ.</summary>
    public bool Matches(ReadOnlySpan<char> presented)
    {
        // Comparing fixed-length digests keeps the comparison constant-time even when the lengths differ.
        if (presented.Length > MaxPresentedLength)
        {
            return false;
        }

        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(MaxPresentedLength)];
        var length = Encoding.UTF8.GetBytes(presented, utf8);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], digest);
        return CryptographicOperations.FixedTimeEquals(digest, _digest);
    }

    private static string LoadOrCreate(string path, ILogger logger)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!Exists(path))
        {
            var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
            if (TryCreate(path, token))
            {
                Log.TokenGenerated(logger, path);
                return token;
            }

            // Another process created the file first; its token is used below.
        }

        var stored = ReadExisting(path);
        Log.TokenFileUsed(logger, path);
        return stored;
    }

    /// <summary>Returns whether anything, even a dangling symbolic link, exists at <paramref name="path"/>.</summary>
    private static bool Exists(string path) => new FileInfo(path) is { Exists: true } or { LinkTarget: not null }
        || Directory.Exists(path);

    /// <summary>
    /// Writes the token to a temporary file with mode 0600, flushes it to disk and then links it into place, so that
    /// a crash never leaves a partial token file and a concurrent start never overwrites another's token. Returns
    /// false when a token file appeared meanwhile.
    /// </summary>
    private static bool TryCreate(string path, string token)
    {
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            var streamOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                streamOptions.UnixCreateMode = OwnerOnly;
            }

            using (var stream = new FileStream(temporary, streamOptions))
            {
                stream.Write(Encoding.UTF8.GetBytes(token + "\n"));
                stream.Flush(flushToDisk: true);
            }

            // File.Move without overwrite fails when the destination exists, so two gateways starting at once on
            // one data directory end up with one token.
            File.Move(temporary, path, overwrite: false);
            return true;
        }
        catch (IOException) when (Exists(path))
        {
            return false;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Reads an existing token file, rejecting one that another user could have read or replaced: a symbolic link
    /// (which may point anywhere) or a file readable or writable by group or others. A leaked token cannot be made
    /// secret again by tightening the mode, so the message asks the operator to delete the file and hand out the new token.
    /// </summary>
    private static string ReadExisting(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            throw new GatewayConfigurationException(
                $"The API token file '{path}' is a symbolic link (to '{info.LinkTarget}'), which is not accepted " +
                "because the token could be read from or written to another place. Delete the link so that a new " +
                $"token is generated at the next start, or set {TokenKey}.");
        }

        if (Directory.Exists(path) || !info.Exists)
        {
            throw new GatewayConfigurationException(
                $"The API token file '{path}' is not a regular file. Remove it so that a new token is generated at " +
                $"the next start, or set {TokenKey}.");
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~OwnerOnly) != 0)
        {
            var mode = Convert.ToString((int)File.GetUnixFileMode(path), 8);
            throw new GatewayConfigurationException(
                $"The API token file '{path}' has mode 0{mode}, so other users may have read the token. Delete the " +
                "file so that a new token is generated at the next start, and give clients the new token.");
        }

        var stored = File.ReadAllText(path).Trim();
        if (stored.Length is < GatewayOptions.MinApiTokenLength or > MaxPresentedLength)
        {
            throw new GatewayConfigurationException(
                $"The API token file '{path}' must contain a token of {GatewayOptions.MinApiTokenLength} to " +
                $"{MaxPresentedLength} characters, but it contains {stored.Length}. Delete the file so that a new " +
                "token is generated at the next start.");
        }

        return stored;
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 2100,
            EventName = "ApiTokenGenerated",
            Level = LogLevel.Warning,
            Message = "No API token is configured; generated one and stored it in {TokenFile} (mode 0600). " +
                "Clients send it as 'Authorization: Bearer <token>'")]
        public static partial void TokenGenerated(ILogger logger, string tokenFile);

        [LoggerMessage(
            EventId = 2101,
            EventName = "ApiTokenFileUsed",
            Level = LogLevel.Information,
            Message = "Using the API token stored in {TokenFile}")]
        public static partial void TokenFileUsed(ILogger logger, string tokenFile);

        [LoggerMessage(
            EventId = 2102,
            EventName = "ApiTokenConfigured",
            Level = LogLevel.Information,
            Message = "Using the API token from configuration key Breakwater:ApiToken")]
        public static partial void ConfiguredTokenUsed(ILogger logger);
    }
}
