using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Breakwater.Domain.Journal;
using Microsoft.Extensions.Logging;

namespace Breakwater.Journal.Spill;

/// <summary>
/// An append-only file of <see cref="OrderChange"/> records that keeps changes durable while the journal database is
/// unavailable, and replays them into the journal once it is back.
/// </summary>
/// <remarks>
/// <para>
/// Each record is one line: the JSON's byte length in 10 digits, a space, the first 16 hex digits of the JSON's
/// SHA-256, a space, the JSON of the change and a line feed. An append is fsynced before its task completes. A record whose length or
/// checksum does not match (a write torn by a crash) is discarded with everything after it when the file is opened,
/// and a warning is logged.
/// </para>
/// <para>
/// A second file, <c>&lt;log&gt;.offset</c>, stores the committed offset: the start of the first record not yet
/// applied. <see cref="ReplayAsync"/> advances it after each applied record and empties the log when everything is
/// applied. After a crash mid-replay the records from the committed offset on are applied again; because
/// <see cref="IOrderJournal.AppendChangeAsync"/> ignores changes it already has, a replay is exactly-once in effect.
/// </para>
/// <para>Thread safe: appends may run while a replay is in progress; one replay runs at a time.</para>
/// </remarks>
public sealed partial class DurableSpillQueue : IAsyncDisposable
{
    private const int LengthDigits = 10;
    private const int ChecksumDigits = 16;
    private const int HeaderLength = LengthDigits + 1 + ChecksumDigits + 1;

    /// <summary>The largest JSON record accepted, 1 MiB; an order change is a few hundred bytes.</summary>
    private const int MaxRecordLength = 1 << 20;

    private static readonly JsonSerializerOptions SerializerOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly SemaphoreSlim _fileGate = new(1, 1);
    private readonly SemaphoreSlim _replayGate = new(1, 1);
    private readonly ILogger<DurableSpillQueue> _logger;
    private FileStream? _stream;
    private long _length;
    private long _committed;

    /// <summary>Creates a queue over <paramref name="path"/>; the file and its directory are created on first use.</summary>
    public DurableSpillQueue(string path, ILogger<DurableSpillQueue> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(logger);
        FilePath = Path.GetFullPath(path);
        OffsetPath = FilePath + ".offset";
        _logger = logger;
    }

    /// <summary>The absolute path of the record log.</summary>
    public string FilePath { get; }

    /// <summary>The absolute path of the committed-offset file.</summary>
    public string OffsetPath { get; }

    /// <summary>Returns <c>&lt;data directory&gt;/spill/journal-spill.log</c>.</summary>
    public static string GetDefaultPath(JournalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Path.Combine(options.GetFullDataDirectory(), "spill", "journal-spill.log");
    }

    /// <summary>Appends <paramref name="change"/> and returns after the record is flushed to disk.</summary>
    public async Task AppendAsync(OrderChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var record = Encode(change);
        await _fileGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stream = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
            stream.Position = _length;
            try
            {
                // The write takes no cancellation: a half-written record followed by later appends would make the
                // next open discard those appends too.
                await stream.WriteAsync(record, CancellationToken.None).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            catch
            {
                stream.SetLength(_length);
                throw;
            }

            _length += record.Length;
        }
        finally
        {
            _fileGate.Release();
        }
    }

    /// <summary>Returns whether records wait to be replayed.</summary>
    public async Task<bool> HasPendingAsync(CancellationToken cancellationToken)
    {
        await _fileGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
            return _committed < _length;
        }
        finally
        {
            _fileGate.Release();
        }
    }

    /// <summary>
    /// Applies every pending record in append order, including records appended during the replay, and empties the
    /// log when all are applied.
    /// </summary>
    /// <param name="apply">
    /// Writes one change to the journal, normally <see cref="IOrderJournal.AppendChangeAsync"/>. It returns true when
    /// it wrote the change and false when the journal had it already; either way the record counts as applied. An
    /// exception stops the replay, leaves that record and the ones after it pending, and propagates.
    /// </param>
    public async Task<SpillReplayResult> ReplayAsync(
        Func<OrderChange, Task<bool>> apply,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(apply);
        await _replayGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var written = 0;
            var alreadyJournaled = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var next = await ReadNextPendingAsync(cancellationToken).ConfigureAwait(false);
                if (next is not { } pending)
                {
                    break;
                }

                if (await apply(pending.Change).ConfigureAwait(false))
                {
                    written++;
                }
                else
                {
                    alreadyJournaled++;
                }

                await CommitOffsetAsync(pending.End).ConfigureAwait(false);
            }

            if (written + alreadyJournaled > 0)
            {
                Log.Replayed(_logger, written, alreadyJournaled);
            }

            return new SpillReplayResult(written, alreadyJournaled);
        }
        finally
        {
            _replayGate.Release();
        }
    }

    /// <summary>Closes the file. Pending records stay on disk for the next process.</summary>
    public async ValueTask DisposeAsync()
    {
        await _fileGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_stream is not null)
            {
                await _stream.DisposeAsync().ConfigureAwait(false);
                _stream = null;
            }
        }
        finally
        {
            _fileGate.Release();
        }
    }

    private static byte[] Encode(OrderChange change)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(change, SerializerOptions);
        if (json.Length > MaxRecordLength)
        {
            throw new ArgumentException(
                $"The change of order {change.Order.Id} serializes to {json.Length} bytes; the spill queue accepts " +
                $"at most {MaxRecordLength}.",
                nameof(change));
        }

        var header = string.Create(
            CultureInfo.InvariantCulture,
            $"{json.Length.ToString("D10", CultureInfo.InvariantCulture)} {Checksum(json)} ");
        var record = new byte[HeaderLength + json.Length + 1];
        Encoding.ASCII.GetBytes(header, record);
        json.CopyTo(record.AsSpan(HeaderLength));
        record[^1] = (byte)'\n';
        return record;
    }

    private static string Checksum(ReadOnlySpan<byte> json) =>
        Convert.ToHexStringLower(SHA256.HashData(json).AsSpan(0, ChecksumDigits / 2));

    private async Task<(OrderChange Change, long End)?> ReadNextPendingAsync(CancellationToken cancellationToken)
    {
        await _fileGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stream = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
            if (_committed >= _length)
            {
                if (_length > 0)
                {
                    // Everything is applied: reset the offset first, so that a crash between the two steps replays
                    // the applied records again (harmless) instead of skipping future ones.
                    await WriteOffsetFileAsync(0).ConfigureAwait(false);
                    stream.SetLength(0);
                    stream.Flush(flushToDisk: true);
                    _length = 0;
                    _committed = 0;
                }

                return null;
            }

            var record = await TryReadRecordAsync(stream, _committed, _length, cancellationToken)
                .ConfigureAwait(false);
            return record ?? throw new InvalidDataException(
                $"The spill record at offset {_committed} of {FilePath} became unreadable after it was validated.");
        }
        finally
        {
            _fileGate.Release();
        }
    }

    private async Task CommitOffsetAsync(long offset)
    {
        await _fileGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            _committed = offset;
            await WriteOffsetFileAsync(offset).ConfigureAwait(false);
        }
        finally
        {
            _fileGate.Release();
        }
    }

    /// <summary>
    /// Replaces the offset file through a rename, which is atomic, so a crash leaves the old or the new offset. It
    /// is not fsynced: an offset lost with the page cache only makes the next replay apply records again.
    /// </summary>
    private async Task WriteOffsetFileAsync(long offset)
    {
        var temporary = OffsetPath + ".tmp";
        await File.WriteAllTextAsync(
            temporary, offset.ToString(CultureInfo.InvariantCulture), CancellationToken.None).ConfigureAwait(false);
        File.Move(temporary, OffsetPath, overwrite: true);
    }

    private async Task<FileStream> OpenLockedAsync(CancellationToken cancellationToken)
    {
        if (_stream is not null)
        {
            return _stream;
        }

        var directory = Path.GetDirectoryName(FilePath)!;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory);
            DirectorySync.Flush(Path.GetDirectoryName(directory) ?? directory);
        }

        var created = !File.Exists(FilePath);
        var stream = new FileStream(
            FilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0,
            FileOptions.Asynchronous);
        if (created)
        {
            // Without this, a power loss can drop the new file's directory entry even after its data was fsynced.
            // NOTE: only Linux flushes the directory; on other systems a brand-new log can still be lost this way.
            DirectorySync.Flush(directory);
        }

        try
        {
            var committed = await ReadOffsetFileAsync(stream.Length, cancellationToken).ConfigureAwait(false);
            var validEnd = committed;
            while (await TryReadRecordAsync(stream, validEnd, stream.Length, cancellationToken)
                .ConfigureAwait(false) is { } record)
            {
                validEnd = record.End;
            }

            if (validEnd < stream.Length)
            {
                Log.TornRecordDiscarded(_logger, FilePath, validEnd, stream.Length - validEnd);
                stream.SetLength(validEnd);
                stream.Flush(flushToDisk: true);
            }

            _committed = committed;
            _length = validEnd;
            _stream = stream;
            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<long> ReadOffsetFileAsync(long fileLength, CancellationToken cancellationToken)
    {
        if (!File.Exists(OffsetPath))
        {
            return 0;
        }

        var text = await File.ReadAllTextAsync(OffsetPath, cancellationToken).ConfigureAwait(false);
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            && offset <= fileLength)
        {
            return offset;
        }

        // An offset beyond the end means the log was emptied after the offset was written; anything unreadable
        // is treated the same. Starting at 0 replays records again, which the journal ignores.
        Log.OffsetReset(_logger, OffsetPath, text.Length > 32 ? text[..32] : text);
        return 0;
    }

    /// <summary>Reads and checks the record at <paramref name="offset"/>; null when it is incomplete or corrupt.</summary>
    private static async Task<(OrderChange Change, long End)?> TryReadRecordAsync(
        FileStream stream,
        long offset,
        long end,
        CancellationToken cancellationToken)
    {
        if (end - offset < HeaderLength + 1)
        {
            return null;
        }

        var header = new byte[HeaderLength];
        stream.Position = offset;
        await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        if (header[LengthDigits] != (byte)' ' || header[^1] != (byte)' '
            || !Utf8Parser.TryParse(header.AsSpan(0, LengthDigits), out int length, out var consumed)
            || consumed != LengthDigits || length is < 2 or > MaxRecordLength
            || end - offset < HeaderLength + length + 1)
        {
            return null;
        }

        var body = new byte[length + 1];
        await stream.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
        var json = body.AsSpan(0, length);
        var expected = Encoding.ASCII.GetString(header, LengthDigits + 1, ChecksumDigits);
        if (body[^1] != (byte)'\n' || !string.Equals(Checksum(json), expected, StringComparison.Ordinal))
        {
            return null;
        }

        var change = JsonSerializer.Deserialize<OrderChange>(json, SerializerOptions);
        return change is null ? null : (change, offset + HeaderLength + length + 1);
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 3101,
            EventName = "SpillTornRecordDiscarded",
            Level = LogLevel.Warning,
            Message = "Discarded {Bytes} bytes at offset {Offset} of the spill log {Path}: the record there is " +
                "incomplete or fails its checksum, as after a crash during an append")]
        public static partial void TornRecordDiscarded(ILogger logger, string path, long offset, long bytes);

        [LoggerMessage(
            EventId = 3102,
            EventName = "SpillOffsetReset",
            Level = LogLevel.Warning,
            Message = "The spill offset file {Path} contains '{Content}', which is not an offset inside the log; " +
                "replaying from the start")]
        public static partial void OffsetReset(ILogger logger, string path, string content);

        [LoggerMessage(
            EventId = 3103,
            EventName = "SpillReplayed",
            Level = LogLevel.Information,
            Message = "Replayed the spill log: {Written} changes written to the journal, {AlreadyJournaled} " +
                "already there")]
        public static partial void Replayed(ILogger logger, int written, int alreadyJournaled);
    }
}

/// <param name="Written">Records that the journal wrote during the replay.</param>
/// <param name="AlreadyJournaled">Records that the journal already had, from an earlier replay or a retry.</param>
public readonly record struct SpillReplayResult(int Written, int AlreadyJournaled);
