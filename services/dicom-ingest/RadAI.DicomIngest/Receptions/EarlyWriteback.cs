using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RadAI.DicomIngest.Receptions;

/// <summary>
/// Starts writing a file's data to the disk while the rest of it is still arriving (Linux
/// <c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>: asynchronous, no wait for the device, no metadata): the fsync
/// made before the answer then finds most of the data written or on its way, and waits only for the tail and
/// the journal. A hint for speed, not for durability: the fsync is what makes the file durable, and a failure
/// here changes nothing (it is ignored). A no-op elsewhere than on Linux.
/// </summary>
internal static partial class EarlyWriteback
{
    /// <summary>How much received data is handed to the disk at a time.</summary>
    public const long Chunk = 256 * 1024;

    private const uint SyncFileRangeWrite = 2;

    /// <summary>Starts the writeback of <paramref name="length"/> bytes at <paramref name="offset"/> (already written to the file).</summary>
    public static void Start(SafeFileHandle file, long offset, long length)
    {
        if (OperatingSystem.IsLinux() && length > 0)
        {
            _ = SyncFileRange(file, offset, length, SyncFileRangeWrite);
        }
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range")]
    private static partial int SyncFileRange(SafeFileHandle fd, long offset, long nbytes, uint flags);
}
