using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.Dicom.Network;
using RadAI.DicomIngest.Senders;
using RadAI.Hosting.Storage;

namespace RadAI.DicomIngest.Receptions;

/// <summary>
/// Where C-STOREs land: each instance is streamed to a temporary file, checked, moved (fsync'd) into
/// its study/series folder and indexed in the database — all BEFORE the success status goes back.
/// Anything that fails on the way gets a failure status and leaves no file behind.
/// Per instance the work is kept to what durability needs: the header is read from the data set's first bytes
/// as they stream through (not from the file again), the reception is looked up once per association and
/// study, the index row is one transaction whose commit the next flushed commit makes durable (the file
/// itself is, before the answer: see <see cref="ReceptionRepository.RecordInstanceAsync"/>).
/// When the instances store is encrypted at rest (<see cref="StorageEncryptionOptions"/>), the file is sealed as it is
/// written (<see cref="FileStores.SealingStreamFor"/>): no plaintext byte of it reaches the disk, not even in <c>.incoming</c>.
/// </summary>
public sealed partial class IngestStoreHandler(
    ReceptionRepository receptions,
    FileStores stores,
    IOptionsMonitor<DicomIngestOptions> options,
    SenderDirectory senders,
    TimeProvider clock,
    IngestMetrics metrics,
    ILogger<IngestStoreHandler> logger) : IDicomStoreHandler
{
    /// <summary>DIMSE status "Refused: not authorized" (PS3.7 C.5).</summary>
    public const ushort NotAuthorized = 0x0124;

    // Attempts to file an instance when the reception it was meant for completes under it (each opens a new one).
    private const int MaxFilingAttempts = 3;

    // The first bytes of each data set are kept in memory as they stream to the file: the header comes from them.
    private const int HeaderPrefixBytes = 64 * 1024;

    // Synchronous writes: a received chunk goes to the page cache at once (FileOptions.Asynchronous costs a
    // thread-pool round trip per write on Linux); the buffer turns PDU-sized chunks into 128 KiB writes.
    private const int FileBufferBytes = 128 * 1024;

    // Each live association's receptions (the ones it joined, and the open one per study): released when it ends.
    private readonly ConcurrentDictionary<Guid, AssociationReceptions> _associations = new();

    // How long a free-space reading is trusted (the disk can fill by at most this long's reception meanwhile).
    private static readonly TimeSpan FreeSpaceRefresh = TimeSpan.FromSeconds(1);

    // The last free-space reading of the store's disk (replaced whole: associations read it concurrently).
    private FreeSpaceReading? _freeSpace;

    private string InstancesRoot => stores.RootOf(StoreNames.Instances);

    private IngestMetrics Metrics => metrics;

    public async ValueTask<IDicomStoreSink> BeginStoreAsync(DicomStoreRequest request, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        if (!(await senders.ForAssociationAsync(request.Peer, cancellationToken).ConfigureAwait(false)).Allowed)
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
            BufferSize = FileBufferBytes,
        });
        EncryptingStream? sealing = null;
        try
        {
            sealing = stores.SealingStreamFor(temporary, file);
            await WriteHeaderAsync((Stream?)sealing ?? file, request, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            sealing?.Dispose();
            await file.DisposeAsync().ConfigureAwait(false);
            File.Delete(temporary);
            throw;
        }

        return new Sink(this, file, sealing, temporary, request, settings);
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
        if (_associations.TryRemove(associationId, out var state) && !state.Joined.IsEmpty)
        {
            await receptions.AssociationsEndedAsync(state.Joined.Keys, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Checks a received instance and files it. The header comes from <c>prefix</c>, the data set's first bytes
    /// (all of them when <c>whole</c>), or from the file when they do not settle it (or are empty: deflated).
    /// </summary>
    private async Task<DicomStoreResult> FileAsync(string temporary, long size, ReadOnlyMemory<byte> prefix, bool whole, DicomStoreRequest request, DicomIngestOptions settings, CancellationToken cancellationToken)
    {
        InstanceHeader header;
        try
        {
            header = (prefix.IsEmpty ? null : await InstanceHeader.FromPrefixAsync(prefix, whole, request.TransferSyntax, cancellationToken).ConfigureAwait(false))
                ?? (await InstanceHeader.ReadFileAsync(stores.DicomSourceOf(temporary), cancellationToken).ConfigureAwait(false)).Header;
        }
        catch (DicomFormatException e)
        {
            return Refuse(request, DimseStatus.CannotUnderstand, "the data set does not parse: " + e.Message);
        }

        if (header.SopInstanceUid is { } instance && instance != request.SopInstanceUid)
        {
            return Refuse(request, DimseStatus.DataSetDoesNotMatchSopClass, "SOP Instance UID differs from the command's");
        }

        if (header.StudyInstanceUid is not { } study || !DicomValueValidator.IsValidUid(study))
        {
            return Refuse(request, DimseStatus.CannotUnderstand, "no valid Study Instance UID");
        }

        if (header.SeriesInstanceUid is not { } series || !DicomValueValidator.IsValidUid(series) || !DicomValueValidator.IsValidUid(request.SopInstanceUid))
        {
            return Refuse(request, DimseStatus.CannotUnderstand, "no valid Series or SOP Instance UID");
        }

        var sender = await senders.ForAssociationAsync(request.Peer, cancellationToken).ConfigureAwait(false);
        var association = _associations.GetOrAdd(request.Peer.AssociationId, static _ => new());
        for (var attempt = 1; ; attempt++)
        {
            var now = clock.GetUtcNow();
            // The association's open reception of this study, looked up in the database once (and again when it completed).
            if (!association.ByStudy.TryGetValue(study, out var reception))
            {
                reception = await receptions.OpenReceptionAsync(
                    request.Peer.CallingAeTitle, request.Peer.CalledAeTitle, study, sender.RoutingProfile ?? settings.DefaultRoutingProfile,
                    sender.StableTimeout ?? settings.StableTimeout, now, cancellationToken).ConfigureAwait(false);
                association.ByStudy[study] = reception;
            }

            // One folder per study (and reception), then per series.
            var key = $"{reception.StoreKey}/{series}/{request.SopInstanceUid}.dcm";
            var target = stores.PathOf(new Contracts.StorageReference(StoreNames.Instances, key));
            var join = !association.Joined.ContainsKey(reception.JobId);
            var outcome = await receptions.RecordInstanceAsync(
                new InstanceRecord(reception.JobId, request.SopInstanceUid, series, request.SopClassUid, request.TransferSyntax.Uid, size, key, now,
                    header.Modality, header.BodyPartExamined, header.SeriesDescription),
                join,
                settings.MaxStudyBytes,
                () => Place(temporary, target, settings.Fsync),
                cancellationToken).ConfigureAwait(false);
            if (outcome == RecordOutcome.ReceptionClosed)
            {
                // Completed since it was opened (or looked up): the instance belongs to a new reception.
                association.ByStudy.TryRemove(study, out _);
                if (attempt < MaxFilingAttempts)
                {
                    continue;
                }

                return Refuse(request, DimseStatus.OutOfResources, "the reception kept completing while the instance was filed; send it again");
            }

            if (outcome == RecordOutcome.StudyTooLarge)
            {
                return Refuse(request, DimseStatus.OutOfResources, $"study larger than {settings.MaxStudyBytes} bytes");
            }

            if (join)
            {
                association.Joined.TryAdd(reception.JobId, 0);
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

    /// <summary>Streams one instance to its temporary file: through <paramref name="sealing"/> (which writes into <paramref name="file"/>) when the store is encrypted.</summary>
    private sealed class Sink(IngestStoreHandler handler, FileStream file, EncryptingStream? sealing, string temporary, DicomStoreRequest request, DicomIngestOptions settings) : IDicomStoreSink
    {
        // The data set's first bytes (not for a deflated one: its elements are inside the deflate stream); given back when done.
        private byte[]? _prefix = request.TransferSyntax.IsDeflated ? null : ArrayPool<byte>.Shared.Rent(HeaderPrefixBytes);
        private int _prefixUsed;
        private long _datasetBytes;
        private long _writebackFrom;
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

            if (_prefix is not null && _prefixUsed < HeaderPrefixBytes)
            {
                var n = Math.Min(HeaderPrefixBytes - _prefixUsed, chunk.Length);
                chunk.Span[..n].CopyTo(_prefix.AsSpan(_prefixUsed));
                _prefixUsed += n;
            }

            // To the page cache (synchronous, see FileBufferBytes): Place syncs the file once it has its name; with
            // fsync on, the disk starts writing each received 256 KiB meanwhile, so that the sync has little left to do.
            // Sealed first when encrypted: the file then grows a whole chunk at a time.
            if (sealing is null)
            {
                file.Write(chunk.Span);
            }
            else
            {
                sealing.Write(chunk.Span);
            }

            if (settings.Fsync && file.Position - _writebackFrom >= EarlyWriteback.Chunk)
            {
                file.Flush();
                var end = file.Position;
                EarlyWriteback.Start(file.SafeFileHandle, _writebackFrom, end - _writebackFrom);
                _writebackFrom = end;
            }

            return ValueTask.CompletedTask;
        }

        public async ValueTask<DicomStoreResult> CompleteAsync(CancellationToken cancellationToken)
        {
            // A failure here (disk full...) propagates: the server answers A700 and disposes the sink, which cleans up.
            // Written to the page cache only: Place syncs the file once it has its name (see there).
            // The size is the instance's (plaintext) size, whether the file is sealed or not.
            long size;
            if (sealing is not null)
            {
                await sealing.CompleteAsync(cancellationToken).ConfigureAwait(false);
                size = sealing.Position;
                sealing.Dispose();
            }
            else
            {
                size = file.Length;
            }

            file.Flush();
            await file.DisposeAsync().ConfigureAwait(false);
            _closed = true;
            try
            {
                var prefix = _prefix is null ? ReadOnlyMemory<byte>.Empty : _prefix.AsMemory(0, _prefixUsed);
                return await handler.FileAsync(temporary, size, prefix, _datasetBytes == _prefixUsed, request, settings, cancellationToken).ConfigureAwait(false);
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
                ReturnPrefix();
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_closed)
            {
                _closed = true;
                sealing?.Dispose();
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

            ReturnPrefix();
        }

        private void ReturnPrefix()
        {
            if (_prefix is { } prefix)
            {
                _prefix = null;
                ArrayPool<byte>.Shared.Return(prefix);
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

    /// <summary>What one association has to do with receptions: the ones it joined (counted open), the open one per study.</summary>
    private sealed class AssociationReceptions
    {
        public ConcurrentDictionary<Guid, byte> Joined { get; } = new();

        public ConcurrentDictionary<string, ReceptionRef> ByStudy { get; } = new(StringComparer.Ordinal);
    }

    private sealed record FreeSpaceReading(long Free, long At);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Association {AssociationId}: instance {SopInstanceUid} refused: {Reason}")]
    private partial void LogRefused(Guid associationId, string sopInstanceUid, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "Association {AssociationId}: filing instance {SopInstanceUid} failed")]
    private partial void LogFilingFailed(Guid associationId, string sopInstanceUid, Exception exception);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Association {AssociationId}: duplicate instance {SopInstanceUid} in job {JobId} kept once")]
    private partial void LogDuplicate(Guid associationId, Guid jobId, string sopInstanceUid);
}
