using RadAI.Dicom.IO;

namespace RadAI.Dicom.Network;

/// <summary>How <see cref="DicomFileStoreHandler"/> writes received instances.</summary>
public sealed record DicomFileStoreOptions
{
    /// <summary>fsync each file before answering success (durable against a power cut; slower).</summary>
    public bool Fsync { get; init; }

    /// <summary>
    /// Check each data set before answering: one that is cut short or does not parse gets C000, one whose SOP Instance or
    /// Class UID differs from the command's A900. The element structure is followed as the bytes stream to the file (no
    /// second read; values are not decoded); a deflated data set is read back from the file instead.
    /// </summary>
    public bool Validate { get; init; } = true;

    /// <summary>
    /// Refuse (A700, out of resources) when the disk has less free space than this. The free space is read from the file
    /// system at most once a second or every <see cref="FreeSpaceCheckBytes"/> received, and estimated in between.
    /// </summary>
    public long MinimumFreeBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Bytes stored after which the free space is read again from the file system (besides once a second).</summary>
    public long FreeSpaceCheckBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Relative path of a stored instance; default <c>&lt;SOP Instance UID&gt;.dcm</c>.</summary>
    public Func<DicomStoreRequest, string> RelativePath { get; init; } = request => request.SopInstanceUid + ".dcm";
}

/// <summary>
/// Writes each received instance as a Part 10 file: the meta group RadAI builds, then the data set bytes
/// exactly as received (no re-encoding), streamed to disk in constant memory. The file is written under a temporary
/// name and renamed into place only once complete, checked (<see cref="DicomFileStoreOptions.Validate"/>) and fsync'd
/// when asked: a partial file never appears as an instance.
/// </summary>
public sealed class DicomFileStoreHandler(string directory, DicomFileStoreOptions? options = null) : IDicomStoreHandler
{
    private readonly DicomFileStoreOptions _options = options ?? new DicomFileStoreOptions();
    private readonly string _incoming = Path.Combine(directory, ".incoming");
    private readonly Lock _freeSpaceLock = new();
    private long _freeBytes;
    private long _freeReadAt = -1_000_000;
    private long _writtenSinceRead;
    private volatile bool _incomingCreated;

    public async ValueTask<IDicomStoreSink> BeginStoreAsync(DicomStoreRequest request, CancellationToken cancellationToken)
    {
        if (!_incomingCreated)
        {
            Directory.CreateDirectory(_incoming);
            _incomingCreated = true;
        }

        var free = FreeBytes();
        if (free < _options.MinimumFreeBytes)
        {
            throw new DicomStoreRefusedException(DimseStatus.OutOfResources, $"Only {free / (1024 * 1024)} MiB free on the store's disk.");
        }

        var target = Path.GetFullPath(Path.Combine(directory, _options.RelativePath(request)));
        if (!target.StartsWith(Path.GetFullPath(directory) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new DicomStoreRefusedException(DimseStatus.CannotUnderstand, "The SOP Instance UID does not make a valid file name.");
        }

        var temporary = Path.Combine(_incoming, $"{Guid.NewGuid():N}.part");
        FileStream file;
        try
        {
            file = new FileStream(temporary, TemporaryFile);
        }
        catch (DirectoryNotFoundException)
        {
            // The first instance (or the folder was removed): created once, not checked for every instance.
            Directory.CreateDirectory(_incoming);
            file = new FileStream(temporary, TemporaryFile);
        }

        try
        {
            await WritePreambleAndMetaAsync(file, request, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            File.Delete(temporary);
            throw;
        }

        return new Sink(file, temporary, target, request, _options, this);
    }

    // Synchronous writes: a received chunk goes to the page cache (no thread-pool round trip per write, as
    // FileOptions.Asynchronous costs on Linux); the buffer turns 16 KB PDUs into 128 KiB writes.
    private static readonly FileStreamOptions TemporaryFile = new()
    {
        Mode = FileMode.CreateNew,
        Access = FileAccess.Write,
        BufferSize = 128 * 1024,
    };

    /// <summary>Free bytes on the store's disk: read at most once a second or every <see cref="DicomFileStoreOptions.FreeSpaceCheckBytes"/>, estimated in between.</summary>
    private long FreeBytes()
    {
        lock (_freeSpaceLock)
        {
            var now = Environment.TickCount64;
            var estimate = _freeBytes - _writtenSinceRead;
            if (now - _freeReadAt >= 1000 || _writtenSinceRead >= _options.FreeSpaceCheckBytes || estimate < _options.MinimumFreeBytes)
            {
                _freeBytes = new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
                _freeReadAt = now;
                _writtenSinceRead = 0;
                estimate = _freeBytes;
            }

            return estimate;
        }
    }

    private void Stored(long bytes)
    {
        lock (_freeSpaceLock)
        {
            _writtenSinceRead += bytes;
        }
    }

    private static async Task WritePreambleAndMetaAsync(Stream stream, DicomStoreRequest request, CancellationToken cancellationToken)
    {
        var head = new byte[132];
        "DICM"u8.CopyTo(head.AsSpan(128));
        await stream.WriteAsync(head, cancellationToken).ConfigureAwait(false);
        var meta = new DicomDataset()
            .AddOrUpdate(DicomTags.FileMetaInformationGroupLength, DicomVR.UL, 0u)
            .AddOrUpdateBytes(DicomTags.FileMetaInformationVersion, DicomVR.OB, [0x00, 0x01])
            // The peer's values as it sent them (a UID with a leading zero, an AE with odd characters): stored, not refused.
            .AddOrUpdateBytes(DicomTags.MediaStorageSOPClassUID, DicomVR.UI, System.Text.Encoding.ASCII.GetBytes(request.SopClassUid))
            .AddOrUpdateBytes(DicomTags.MediaStorageSOPInstanceUID, DicomVR.UI, System.Text.Encoding.ASCII.GetBytes(request.SopInstanceUid))
            .AddOrUpdate(DicomTags.TransferSyntaxUID, DicomVR.UI, request.TransferSyntax.Uid)
            .AddOrUpdate(DicomTags.ImplementationClassUID, DicomVR.UI, DicomUidGenerator.ImplementationClassUid)
            .AddOrUpdate(DicomTags.ImplementationVersionName, DicomVR.SH, DicomUidGenerator.ImplementationVersionName)
            .AddOrUpdateBytes(DicomTags.SourceApplicationEntityTitle, DicomVR.AE, System.Text.Encoding.ASCII.GetBytes(request.Peer.CallingAeTitle));
        await DicomWriter.WriteDatasetAsync(stream, meta, DicomTransferSyntax.ExplicitVRLittleEndian, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private sealed class Sink(FileStream file, string temporary, string target, DicomStoreRequest request, DicomFileStoreOptions options, DicomFileStoreHandler handler) : IDicomStoreSink
    {
        private readonly DataSetStructureCheck? _check = options.Validate && DataSetStructureCheck.Supports(request.TransferSyntax) ? new(request.TransferSyntax) : null;
        private bool _completed;

        public ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
        {
            _check?.Append(chunk.Span);
            file.Write(chunk.Span);
            return ValueTask.CompletedTask;
        }

        public async ValueTask<DicomStoreResult> CompleteAsync(CancellationToken cancellationToken)
        {
            file.Flush(flushToDisk: options.Fsync);
            handler.Stored(file.Length);
            await file.DisposeAsync().ConfigureAwait(false);
            if (options.Validate)
            {
                var problem = _check is not null ? Check(_check) : await ValidateAsync(cancellationToken).ConfigureAwait(false);
                if (problem is not null)
                {
                    File.Delete(temporary);
                    _completed = true;
                    return problem;
                }
            }

            try
            {
                File.Move(temporary, target, overwrite: true);
            }
            catch (DirectoryNotFoundException)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Move(temporary, target, overwrite: true);
            }

            _completed = true;
            return DicomStoreResult.Success;
        }

        private DicomStoreResult? Check(DataSetStructureCheck check)
        {
            if (check.Complete() is { } problem)
            {
                return new DicomStoreResult(DimseStatus.CannotUnderstand, "The data set does not parse: " + problem);
            }

            return Compare(check.SopInstanceUid, check.SopClassUid);
        }

        private DicomStoreResult? Compare(string? instance, string? sopClass)
        {
            if (instance is not null && instance != request.SopInstanceUid)
            {
                return new DicomStoreResult(DimseStatus.DataSetDoesNotMatchSopClass, "SOP Instance UID of the data set differs from the command's");
            }

            if (sopClass is not null && sopClass != request.SopClassUid)
            {
                return new DicomStoreResult(DimseStatus.DataSetDoesNotMatchSopClass, "SOP Class UID of the data set differs from the command's");
            }

            return null;
        }

        private async Task<DicomStoreResult?> ValidateAsync(CancellationToken cancellationToken)
        {
            try
            {
                // The whole data set is parsed (large values, pixel data, stay on disk: their lengths are checked
                // against the file's): a peer that flags as last a data set it cut short gets C000, not a stored
                // instance that ends inside a value.
                var stored = await DicomFile.OpenAsync(temporary, DicomReadOptions.Default, cancellationToken).ConfigureAwait(false);
                return Compare(
                    stored.Dataset.TryGetString(DicomTags.SOPInstanceUID, out var instance) ? instance : null,
                    stored.Dataset.TryGetString(DicomTags.SOPClassUID, out var sopClass) ? sopClass : null);
            }
            catch (Exception e) when (e is DicomFormatException or InvalidDataException or EndOfStreamException)
            {
                // InvalidDataException: a deflated data set that does not inflate.
                return new DicomStoreResult(DimseStatus.CannotUnderstand, "The data set does not parse: " + e.Message);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await file.DisposeAsync().ConfigureAwait(false);
            if (!_completed)
            {
                // An interrupted transfer leaves nothing behind.
                File.Delete(temporary);
            }
        }
    }
}
