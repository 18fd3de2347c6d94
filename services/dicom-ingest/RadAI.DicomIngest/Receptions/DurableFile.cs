using System.Runtime.InteropServices;

namespace RadAI.DicomIngest.Receptions;

/// <summary>Making a rename durable: the file's data is fsync'd before, its folder's entry after.</summary>
internal static partial class DurableFile
{
    private const int ReadOnly = 0;

    /// <summary>
    /// Creates <paramref name="folder"/> and the folders above it up to <paramref name="root"/> (which exists);
    /// with <paramref name="fsync"/>, each new folder's entry is made durable in its parent, so that a file
    /// renamed into it later survives a power cut with its whole path.
    /// </summary>
    public static void CreateDirectory(string folder, string root, bool fsync)
    {
        if (Directory.Exists(folder))
        {
            return;
        }

        var parent = Path.GetDirectoryName(folder);
        if (parent is not null && parent.Length >= root.Length && !Directory.Exists(parent))
        {
            CreateDirectory(parent, root, fsync);
        }

        Directory.CreateDirectory(folder);
        if (fsync && parent is not null)
        {
            FlushDirectory(parent);
        }
    }

    /// <summary>fsync of a folder, so that a rename into it survives a power cut (Linux; a no-op elsewhere).</summary>
    public static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Cannot open {directory} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of {directory} failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
