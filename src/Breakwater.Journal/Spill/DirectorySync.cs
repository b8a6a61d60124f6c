using System.Runtime.InteropServices;

namespace Breakwater.Journal.Spill;

/// <summary>
/// Flushes a directory's entries to disk, so that a newly created file survives a power loss. .NET cannot open a
/// directory as a file, so this calls the C library on Linux; elsewhere it does nothing.
/// </summary>
internal static partial class DirectorySync
{
    // O_RDONLY is 0 on every Linux architecture; O_DIRECTORY is not (x86-64 and arm64 differ), so it is left out.
    private const int ReadOnly = 0;

    /// <summary>Fsyncs <paramref name="path"/>; throws <see cref="IOException"/> when the C library reports an error.</summary>
    public static void Flush(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var descriptor = Open(path, ReadOnly);
        if (descriptor < 0)
        {
            throw new IOException(
                $"Opening the directory {path} to flush it failed with errno {Marshal.GetLastPInvokeError()}.");
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException(
                    $"Flushing the directory {path} to disk failed with errno {Marshal.GetLastPInvokeError()}.");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
