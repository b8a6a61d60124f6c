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

    /// <summary>Longest token compared; longer ones are wrong without hashing them.</summary>
    private const int MaxPresentedLength = 256;

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
        if (!File.Exists(path) && TryPublish(path) is { } token)
        {
            Log.TokenGenerated(logger, path);
            return token;
        }

        var stored = File.ReadAllText(path).Trim();
        if (stored.Length < GatewayOptions.MinApiTokenLength)
        {
            throw new InvalidOperationException(
                $"The API token file '{path}' must contain a token of at least {GatewayOptions.MinApiTokenLength} " +
                $"characters, but it contains {stored.Length}; delete the file to generate a new token.");
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~OwnerOnly) != 0)
        {
            File.SetUnixFileMode(path, OwnerOnly);
            Log.TokenFileModeTightened(logger, path);
        }

        Log.TokenFileUsed(logger, path);
        return stored;
    }

    /// <summary>
    /// Writes a new token to a private temporary file, flushes it to disk and then links it in under
    /// <paramref name="path"/>, so that another process sees either no token file or a complete one. Returns null
    /// when another process published its token first.
    /// </summary>
    private static string? TryPublish(string path)
    {
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
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

            try
            {
                // Without overwrite the move fails when the file exists, so a token another process published first
                // is never replaced.
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                return null;
            }

            // NOTE: the directory entry itself is not fsynced, so a power loss right after the first start can lose
            // the file; the next start then generates a new token.
            return token;
        }
        finally
        {
            File.Delete(temporary);
        }
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

        [LoggerMessage(
            EventId = 2103,
            EventName = "ApiTokenFileModeTightened",
            Level = LogLevel.Warning,
            Message = "The API token file {TokenFile} was readable by other users; its mode is now 0600")]
        public static partial void TokenFileModeTightened(ILogger logger, string tokenFile);
    }
}
