using Microsoft.Extensions.Logging;
using RadAI.Contracts;
using RadAI.Dicom;
using RadAI.Hosting.Storage;

namespace RadAI.DicomIngest.Receptions;

/// <summary>
/// Before a reception is declared complete, indexes the instances its folder holds that the index does not
/// name. An acknowledged instance's file is durable before its success goes back, its index row only at the
/// database's next flushed commit (<see cref="ReceptionRepository.RecordInstanceAsync"/>): a power cut, or a
/// crash of the database server, can lose the last rows, never the files, and this puts the rows back from
/// the files (path: job, series, SOP Instance UID; meta group: SOP class, transfer syntax; header: the rest).
/// A file that does not read up to Pixel Data was never acknowledged (the same check refuses it on
/// reception) and is left alone; so is a file that does not match its path.
/// </summary>
public sealed partial class ReceptionRecovery(ReceptionRepository receptions, FileStores stores, ILogger<ReceptionRecovery> logger)
{
    private static readonly EnumerationOptions SeriesFolders = new() { RecurseSubdirectories = true, MaxRecursionDepth = 1, IgnoreInaccessible = true };

    /// <summary>
    /// Indexes what the reception's folder holds beyond its indexed instances; returns how many it indexed
    /// (then the reception changed: read it again before completing it). Only a folder holding more instance
    /// files than the reception counts is looked at closer, so the usual cost is one listing of the folder.
    /// </summary>
    public async Task<int> IndexUnindexedAsync(PendingReception reception, CancellationToken cancellationToken)
    {
        var folder = stores.PathOf(new StorageReference(StoreNames.Instances, reception.StoreKey));
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        var files = Directory.GetFiles(folder, "*.dcm", SeriesFolders);
        if (files.Length <= reception.InstanceCount)
        {
            return 0;
        }

        var indexed = await receptions.IndexedStoreKeysAsync(reception.JobId, cancellationToken).ConfigureAwait(false);
        var recovered = 0;
        foreach (var path in files)
        {
            var relative = Path.GetRelativePath(folder, path).Replace(Path.DirectorySeparatorChar, '/');
            var key = $"{reception.StoreKey}/{relative}";
            if (indexed.Contains(key))
            {
                continue;
            }

            var record = await ReadAsync(reception, path, relative, key, cancellationToken).ConfigureAwait(false);
            if (record is not null && await receptions.IndexRecoveredAsync(record, cancellationToken).ConfigureAwait(false))
            {
                recovered++;
                LogRecovered(reception.JobId, record.SopInstanceUid);
            }
        }

        return recovered;
    }

    private async Task<InstanceRecord?> ReadAsync(PendingReception reception, string path, string relative, string key, CancellationToken cancellationToken)
    {
        var parts = relative.Split('/');
        if (parts.Length != 2)
        {
            LogSkipped(reception.JobId, relative, "not in a series folder");
            return null;
        }

        InstanceHeader header;
        Dicom.IO.DicomFile file;
        try
        {
            (header, file) = await InstanceHeader.ReadFileAsync(stores.DicomSourceOf(path), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DicomFormatException or IOException or EndOfStreamException or InvalidDataException)
        {
            LogSkipped(reception.JobId, relative, "it does not read: " + e.Message);
            return null;
        }

        var series = parts[0];
        var instance = Path.GetFileNameWithoutExtension(parts[1]);
        var sopClass = file.FileMetaInformation.TryGetString(DicomTags.MediaStorageSOPClassUID, out var c) ? c : null;
        if (header.StudyInstanceUid != reception.StudyInstanceUid || header.SeriesInstanceUid != series
            || (header.SopInstanceUid is { } uid && uid != instance) || string.IsNullOrEmpty(sopClass))
        {
            LogSkipped(reception.JobId, relative, "its data set does not match its place");
            return null;
        }

        // The instance's size, as dicom-ingest records it: its plaintext's when the file is encrypted at rest.
        var info = new FileInfo(path);
        long size;
        try
        {
            await using var plain = await stores.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
            size = plain.Length;
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            LogSkipped(reception.JobId, relative, "it does not read: " + e.Message);
            return null;
        }

        return new InstanceRecord(reception.JobId, instance, series, sopClass, file.TransferSyntax.Uid, size, key,
            new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero), header.Modality, header.BodyPartExamined, header.SeriesDescription);
    }

    [LoggerMessage(EventId = 4204, Level = LogLevel.Warning, Message = "Job {JobId}: instance {SopInstanceUid} found in the store without its index row (lost to a crash); indexed again")]
    private partial void LogRecovered(Guid jobId, string sopInstanceUid);

    [LoggerMessage(EventId = 4205, Level = LogLevel.Warning, Message = "Job {JobId}: file {Path} of the reception's folder not indexed: {Reason}")]
    private partial void LogSkipped(Guid jobId, string path, string reason);
}
