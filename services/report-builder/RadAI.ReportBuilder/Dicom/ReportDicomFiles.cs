using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.Hosting.Storage;

namespace RadAI.ReportBuilder.Dicom;

/// <summary>Writing a built report object.</summary>
public static class ReportDicomFiles
{
    /// <summary>
    /// Writes <paramref name="file"/> as a Part 10 file at <paramref name="path"/> (folders created, written to a
    /// temporary file then renamed, flushed to disk) and returns its size in bytes.
    /// </summary>
    public static async Task<long> WriteAsync(DicomFile file, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        await file.SaveAsync(path, new DicomWriteOptions { Fsync = true }, cancellationToken).ConfigureAwait(false);
        return new FileInfo(path).Length;
    }

    /// <summary>
    /// Writes <paramref name="file"/> as a Part 10 file at <paramref name="path"/> in a store, durably (temporary file,
    /// fsync, rename, folder fsync) and sealed when the store is encrypted at rest (<see cref="FileStores.WriteAsync"/>);
    /// returns the object's size in bytes (the DICOM bytes, whether stored encrypted or not).
    /// </summary>
    public static async Task<long> WriteAsync(DicomFile file, string path, FileStores stores, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(stores);
        long size = 0;
        await stores.WriteAsync(path, async (stream, ct) =>
        {
            await file.SaveAsync(stream, cancellationToken: ct).ConfigureAwait(false);
            size = stream.Position;
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return size;
    }

    /// <summary>SOP Class UID of a built object.</summary>
    public static string SopClassUid(this DicomFile file) => file.Dataset.GetString(DicomTags.SOPClassUID);

    /// <summary>SOP Instance UID of a built object.</summary>
    public static string SopInstanceUid(this DicomFile file) => file.Dataset.GetString(DicomTags.SOPInstanceUID);

    /// <summary>Series Instance UID of a built object.</summary>
    public static string SeriesInstanceUid(this DicomFile file) => file.Dataset.GetString(DicomTags.SeriesInstanceUID);
}
