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
    // Receptions each live association contributed to: released together when it ends.
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Guid, byte>> _jobsByAssociation = new();

    private string InstancesRoot => stores.RootOf(StoreNames.Instances);

    private IngestMetrics Metrics => metrics;

    public async ValueTask<IDicomStoreSink> BeginStoreAsync(DicomStoreRequest request, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var incoming = Path.Combine(InstancesRoot, ".incoming");
        Directory.CreateDirectory(incoming);
        var free = new DriveInfo(incoming).AvailableFreeSpace;
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
        var folder = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(folder);
        try
        {
            // A duplicate keeps the file already there.
            File.Move(temporary, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            File.Delete(temporary);
        }

        if (settings.Fsync)
        {
            DurableFile.FlushDirectory(folder);
        }

        var associations = _jobsByAssociation.GetOrAdd(request.Peer.AssociationId, _ => new());
        if (associations.TryAdd(reception.JobId, 0))
        {
            await receptions.AssociationJoinedAsync(reception.JobId, cancellationToken).ConfigureAwait(false);
        }

        var isNew = await receptions.RecordInstanceAsync(new InstanceRecord(
            reception.JobId, request.SopInstanceUid, series, request.SopClassUid, request.TransferSyntax.Uid, size, key, now,
            dataset.TryGetString(DicomTags.Modality, out var modality) && modality.Length > 0 ? modality : "OT",
            dataset.TryGetString(DicomTags.BodyPartExamined, out var bodyPart) && bodyPart.Length > 0 ? bodyPart : null,
            dataset.TryGetString(DicomTags.SeriesDescription, out var description) && description.Length > 0 ? description : null), cancellationToken).ConfigureAwait(false);
        if (!isNew)
        {
            metrics.Duplicate();
            LogDuplicate(request.Peer.AssociationId, reception.JobId, request.SopInstanceUid);
            return new DicomStoreResult(settings.DuplicateStatus, settings.DuplicateStatus == 0 ? null : "duplicate SOP Instance UID in this reception");
        }

        metrics.Received(size);
        return DicomStoreResult.Success;
    }

    private DicomStoreResult Refuse(DicomStoreRequest request, ushort status, string reason)
    {
        metrics.Refused(status);
        LogRefused(request.Peer.AssociationId, request.SopInstanceUid, reason);
        return new DicomStoreResult(status, reason);
    }

    private sealed class Sink(IngestStoreHandler handler, FileStream file, string temporary, DicomStoreRequest request, DicomIngestOptions settings) : IDicomStoreSink
    {
        private long _size;
        private bool _done;

        public ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
        {
            _size += chunk.Length;
            if (_size > settings.MaxInstanceBytes)
            {
                handler.Metrics.Refused(DimseStatus.OutOfResources);
                throw new DicomStoreRefusedException(DimseStatus.OutOfResources, $"instance larger than {settings.MaxInstanceBytes} bytes");
            }

            return file.WriteAsync(chunk, cancellationToken);
        }

        public async ValueTask<DicomStoreResult> CompleteAsync(CancellationToken cancellationToken)
        {
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (settings.Fsync)
            {
                file.Flush(flushToDisk: true);
            }

            await file.DisposeAsync().ConfigureAwait(false);
            try
            {
                return await handler.FileAsync(temporary, _size, request, settings, cancellationToken).ConfigureAwait(false);
            }
            catch (System.Data.Common.DbException e)
            {
                // Not indexed means not received: the sender gets a failure and sends again later.
                return handler.Refuse(request, DimseStatus.OutOfResources, "database unavailable: " + e.Message);
            }
            finally
            {
                _done = true;
                if (File.Exists(temporary))
                {
                    File.Delete(temporary);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await file.DisposeAsync().ConfigureAwait(false);
            if (!_done)
            {
                // The transfer was interrupted: nothing of it remains.
                File.Delete(temporary);
            }
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Association {AssociationId}: instance {SopInstanceUid} refused: {Reason}")]
    private partial void LogRefused(Guid associationId, string sopInstanceUid, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Association {AssociationId}: duplicate instance {SopInstanceUid} in job {JobId} kept once")]
    private partial void LogDuplicate(Guid associationId, Guid jobId, string sopInstanceUid);
}
