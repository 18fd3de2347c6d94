using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.Dicom.Network;
using RadAI.Hosting.Storage;

namespace RadAI.DicomIngest.Receptions;

/// <summary>
/// Where C-STOREs land: each instance is streamed to a temporary file, checked, moved (fsync'd) into
/// its study/series folder and indexed in the database — all BEFORE the success status goes back.
/// Anything that fails on the way gets a failure status and leaves no file behind.
/// </summary>
public sealed partial class IngestStoreHandler(
    ReceptionRepository receptions,
    FileStores stores,
    IOptionsMonitor<DicomIngestOptions> options,
    TimeProvider clock,
    IngestMetrics metrics,
    ILogger<IngestStoreHandler> logger) : IDicomStoreHandler
{
    /// <summary>DIMSE status "Refused: not authorized" (PS3.7 C.5).</summary>
    public const ushort NotAuthorized = 0x0124;

    // Attempts to file an instance when the reception it was meant for completes under it (each opens a new one).
    private const int MaxFilingAttempts = 3;

    // Receptions each live association contributed to: released together when it ends.
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Guid, byte>> _jobsByAssociation = new();

    // How long a free-space reading is trusted (the disk can fill by at most this long's reception meanwhile).
    private static readonly TimeSpan FreeSpaceRefresh = TimeSpan.FromSeconds(1);

    // The last free-space reading of the store's disk (replaced whole: associations read it concurrently).
    private FreeSpaceReading? _freeSpace;

    private string InstancesRoot => stores.RootOf(StoreNames.Instances);

    private IngestMetrics Metrics => metrics;

    public async ValueTask<IDicomStoreSink> BeginStoreAsync(DicomStoreRequest request, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        if (!settings.SenderFor(request.Peer.CallingAeTitle).Allowed)
        {
            // A known sender that may not send: its associations are accepted (C-ECHO answers), its instances refused.
            metrics.Refused(NotAuthorized);
            LogRefused(request.Peer.AssociationId, request.SopInstanceUid, $"sender {request.Peer.CallingAeTitle} is not allowed to send");
            throw new DicomStoreRefusedException(NotAuthorized, $"Sender {request.Peer.CallingAeTitle} is not allowed to send.");
        }

        var incoming = Path.Combine(InstancesRoot, ".incoming");
        var free = FreeBytes(incoming);
        if (free < settings.MinimumFreeBytes)
        {
            metrics.Refused(DimseStatus.OutOfResources);
            LogRefused(request.Peer.AssociationId, request.SopInstanceUid, "disk nearly full");
            throw new DicomStoreRefusedException(DimseStatus.OutOfResources, $"Store disk nearly full ({free / (1024 * 1024)} MiB free).");
        }

        var temporary = Path.Combine(incoming, $"{Guid.NewGuid():N}.part");
        var file = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Options = FileOptions.Asynchronous,
            BufferSize = 256 * 1024,
        });
        try
        {
            await WriteHeaderAsync(file, request, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            File.Delete(temporary);
            throw;
        }

        return new Sink(this, file, temporary, request, settings);
    }

    /// <summary>
    /// Free space of the store's disk, looked up (with the <c>.incoming</c> folder made sure of) at most every
    /// <see cref="FreeSpaceRefresh"/>: at hundreds of instances a second, a <c>statfs</c> per instance buys nothing.
    /// </summary>
    private long FreeBytes(string incoming)
    {
        var now = clock.GetTimestamp();
        var reading = _freeSpace;
        if (reading is null || clock.GetElapsedTime(reading.At, now) >= FreeSpaceRefresh)
        {
            Directory.CreateDirectory(incoming);
            reading = new FreeSpaceReading(new DriveInfo(incoming).AvailableFreeSpace, now);
            _freeSpace = reading;
        }

        return reading.Free;
    }

    /// <summary>An association ended: the receptions it carried may now complete after the grace period.</summary>
    public async Task AssociationEndedAsync(Guid associationId, CancellationToken cancellationToken)
    {
        if (_jobsByAssociation.TryRemove(associationId, out var jobs) && !jobs.IsEmpty)
        {
            await receptions.AssociationsEndedAsync(jobs.Keys, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteHeaderAsync(Stream stream, DicomStoreRequest request, CancellationToken cancellationToken)
    {
        var head = new byte[132];
        "DICM"u8.CopyTo(head.AsSpan(128));
        await stream.WriteAsync(head, cancellationToken).ConfigureAwait(false);
        var meta = new DicomDataset()
            .AddOrUpdate(DicomTags.FileMetaInformationGroupLength, DicomVR.UL, 0u)
            .AddOrUpdateBytes(DicomTags.FileMetaInformationVersion, DicomVR.OB, [0x00, 0x01])
            .AddOrUpdate(DicomTags.MediaStorageSOPClassUID, DicomVR.UI, request.SopClassUid)
            .AddOrUpdate(DicomTags.MediaStorageSOPInstanceUID, DicomVR.UI, request.SopInstanceUid)
            .AddOrUpdate(DicomTags.TransferSyntaxUID, DicomVR.UI, request.TransferSyntax.Uid)
            .AddOrUpdate(DicomTags.ImplementationClassUID, DicomVR.UI, DicomUidGenerator.ImplementationClassUid)
            .AddOrUpdate(DicomTags.ImplementationVersionName, DicomVR.SH, DicomUidGenerator.ImplementationVersionName)
            .AddOrUpdate(DicomTags.SourceApplicationEntityTitle, DicomVR.AE, request.Peer.CallingAeTitle);
        await DicomWriter.WriteDatasetAsync(stream, meta, DicomTransferSyntax.ExplicitVRLittleEndian, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task<DicomStoreResult> FileAsync(string temporary, long size, DicomStoreRequest request, DicomIngestOptions settings, CancellationToken cancellationToken)
    {
        DicomFile header;
        try
        {
            header = await DicomFile.OpenAsync(temporary, DicomReadOptions.Default with { StopBeforeTag = DicomTags.PixelData }, cancellationToken).ConfigureAwait(false);
        }
        catch (DicomFormatException e)
        {
            return Refuse(request, DimseStatus.CannotUnderstand, "the data set does not parse: " + e.Message);
        }

        var dataset = header.Dataset;
        if (dataset.TryGetString(DicomTags.SOPInstanceUID, out var instance) && instance != request.SopInstanceUid)
        {
            return Refuse(request, DimseStatus.DataSetDoesNotMatchSopClass, "SOP Instance UID differs from the command's");
        }

        if (!dataset.TryGetString(DicomTags.StudyInstanceUID, out var study) || !DicomValueValidator.IsValidUid(study))
        {
            return Refuse(request, DimseStatus.CannotUnderstand, "no valid Study Instance UID");
        }

        if (!dataset.TryGetString(DicomTags.SeriesInstanceUID, out var series) || !DicomValueValidator.IsValidUid(series) || !DicomValueValidator.IsValidUid(request.SopInstanceUid))
        {
            return Refuse(request, DimseStatus.CannotUnderstand, "no valid Series or SOP Instance UID");
        }

        var sender = settings.SenderFor(request.Peer.CallingAeTitle);
        var modality = dataset.TryGetString(DicomTags.Modality, out var m) && m.Length > 0 ? m : "OT";
        var bodyPart = dataset.TryGetString(DicomTags.BodyPartExamined, out var b) && b.Length > 0 ? b : null;
        var description = dataset.TryGetString(DicomTags.SeriesDescription, out var d) && d.Length > 0 ? d : null;
        var joined = _jobsByAssociation.GetOrAdd(request.Peer.AssociationId, _ => new());
        for (var attempt = 1; ; attempt++)
        {
            var now = clock.GetUtcNow();
            var reception = await receptions.OpenReceptionAsync(
                request.Peer.CallingAeTitle, request.Peer.CalledAeTitle, study, sender.RoutingProfile ?? settings.DefaultRoutingProfile,
                sender.StableTimeout ?? settings.StableTimeout, now, cancellationToken).ConfigureAwait(false);
            if (reception.TotalBytes + size > settings.MaxStudyBytes)
            {
                return Refuse(request, DimseStatus.OutOfResources, $"study larger than {settings.MaxStudyBytes} bytes");
            }

            // One folder per study (and reception), then per series.
            var key = $"{reception.StoreKey}/{series}/{request.SopInstanceUid}.dcm";
            var target = stores.PathOf(new Contracts.StorageReference(StoreNames.Instances, key));
            var join = !joined.ContainsKey(reception.JobId);
            var outcome = await receptions.RecordInstanceAsync(
                new InstanceRecord(reception.JobId, request.SopInstanceUid, series, request.SopClassUid, request.TransferSyntax.Uid, size, key, now, modality, bodyPart, description),
                join,
                () => Place(temporary, target, settings.Fsync),
                cancellationToken).ConfigureAwait(false);
            if (outcome == RecordOutcome.ReceptionClosed)
            {
                // Completed between opening and filing: the instance belongs to a new reception.
                if (attempt < MaxFilingAttempts)
                {
                    continue;
                }

                return Refuse(request, DimseStatus.OutOfResources, "the reception kept completing while the instance was filed; send it again");
            }

            if (join)
            {
                joined.TryAdd(reception.JobId, 0);
            }

            if (outcome == RecordOutcome.Duplicate)
            {
                metrics.Duplicate();
                LogDuplicate(request.Peer.AssociationId, reception.JobId, request.SopInstanceUid);
                return new DicomStoreResult(settings.DuplicateStatus, settings.DuplicateStatus == 0 ? null : "duplicate SOP Instance UID in this reception");
            }

            metrics.Received(size);
            return DicomStoreResult.Success;
        }
    }

    /// <summary>
    /// Moves a received instance to its place in the store, durably: every folder created on the way is
    /// fsync'd, then the file is renamed, then the file (data and inode) and its folder (the new name) are
    /// fsync'd — all before the index row commits, so before the success status. The data is synced after
    /// the rename, not before: on a journalling file system (ext4, XFS) the file's fsync then commits the
    /// rename in the same journal transaction, and the folder's fsync that follows (still made: POSIX asks
    /// for it) finds no journal work left — one journal commit per instance instead of two (the folder's fsync
    /// may still flush the device's cache: ≈ 0.6 ms measured on the benchmark machine, see docs/benchmarks.md).
    /// A crash before the index commits leaves at most an orphan file the index does not know; whatever is at
    /// the target is such an orphan of an interrupted attempt: the newest copy replaces it.
    /// </summary>
    private void Place(string temporary, string target, bool fsync)
    {
        var folder = Path.GetDirectoryName(target)!;
        DurableFile.CreateDirectory(folder, InstancesRoot, fsync);
        File.Move(temporary, target, overwrite: true);
        if (fsync)
        {
            using (var file = new FileStream(target, FileMode.Open, FileAccess.Write, FileShare.Read, bufferSize: 0))
            {
                file.Flush(flushToDisk: true);
            }

            DurableFile.FlushDirectory(folder);
        }
    }

    private DicomStoreResult Refuse(DicomStoreRequest request, ushort status, string reason)
    {
        metrics.Refused(status);
        LogRefused(request.Peer.AssociationId, request.SopInstanceUid, reason);
        return new DicomStoreResult(status, reason);
    }

    private sealed class Sink(IngestStoreHandler handler, FileStream file, string temporary, DicomStoreRequest request, DicomIngestOptions settings) : IDicomStoreSink
    {
        private long _datasetBytes;
        private bool _closed;
        private bool _done;

        public ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
        {
            _datasetBytes += chunk.Length;
            if (_datasetBytes > settings.MaxInstanceBytes)
            {
                var reason = $"instance larger than {settings.MaxInstanceBytes} bytes";
                handler.Metrics.Refused(DimseStatus.OutOfResources);
                handler.LogRefused(request.Peer.AssociationId, request.SopInstanceUid, reason);
                throw new DicomStoreRefusedException(DimseStatus.OutOfResources, reason);
            }

            return file.WriteAsync(chunk, cancellationToken);
        }

        public async ValueTask<DicomStoreResult> CompleteAsync(CancellationToken cancellationToken)
        {
            // A failure here (disk full...) propagates: the server answers A700 and disposes the sink, which cleans up.
            // Written to the page cache only: Place syncs the file once it has its name (see there).
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            var size = file.Length;
            await file.DisposeAsync().ConfigureAwait(false);
            _closed = true;
            try
            {
                return await handler.FileAsync(temporary, size, request, settings, cancellationToken).ConfigureAwait(false);
            }
            catch (System.Data.Common.DbException e)
            {
                // Not indexed means not received: the sender gets a failure and sends again later.
                return handler.Refuse(request, DimseStatus.OutOfResources, "database unavailable: " + e.Message);
            }
            catch (Exception e) when (e is not (OperationCanceledException or IOException or UnauthorizedAccessException or DicomStoreRefusedException))
            {
                // Never a success for an instance not filed, and never an association lost for it.
                handler.LogFilingFailed(request.Peer.AssociationId, request.SopInstanceUid, e);
                return handler.Refuse(request, DimseStatus.ProcessingFailure, "filing failed: " + e.Message);
            }
            finally
            {
                _done = true;
                TryDelete(temporary);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_closed)
            {
                _closed = true;
                try
                {
                    await file.DisposeAsync().ConfigureAwait(false);
                }
                catch (IOException)
                {
                    // Flushing what was left failed (disk full...): the instance is refused anyway.
                }
            }

            if (!_done)
            {
                // The transfer was interrupted or refused: nothing of it remains.
                TryDelete(temporary);
            }
        }

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // Left in .incoming: not part of any study.
            }
        }
    }

    private sealed record FreeSpaceReading(long Free, long At);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Association {AssociationId}: instance {SopInstanceUid} refused: {Reason}")]
    private partial void LogRefused(Guid associationId, string sopInstanceUid, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "Association {AssociationId}: filing instance {SopInstanceUid} failed")]
    private partial void LogFilingFailed(Guid associationId, string sopInstanceUid, Exception exception);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Association {AssociationId}: duplicate instance {SopInstanceUid} in job {JobId} kept once")]
    private partial void LogDuplicate(Guid associationId, Guid jobId, string sopInstanceUid);
}
