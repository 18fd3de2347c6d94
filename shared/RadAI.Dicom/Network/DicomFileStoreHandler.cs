using RadAI.Dicom.IO;

namespace RadAI.Dicom.Network;

/// <summary>How <see cref="DicomFileStoreHandler"/> writes received instances.</summary>
public sealed record DicomFileStoreOptions
{
    /// <summary>fsync each file before answering success (durable against a power cut; slower).</summary>
    public bool Fsync { get; init; }

    /// <summary>Read back each file before answering: an unreadable or truncated data set gets C000, a SOP instance or class other than the command's A900.</summary>
    public bool Validate { get; init; } = true;

    /// <summary>Refuse (A700, out of resources) when the disk has less free space than this.</summary>
    public long MinimumFreeBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Relative path of a stored instance; default <c>&lt;SOP Instance UID&gt;.dcm</c>.</summary>
    public Func<DicomStoreRequest, string> RelativePath { get; init; } = request => request.SopInstanceUid + ".dcm";
}

/// <summary>
/// Writes each received instance as a Part 10 file: the meta group RadAI builds, then the data set bytes
/// exactly as received (no re-encoding). The file is written under a temporary name and renamed into
/// place only once complete (and fsync'd when asked): a partial file never appears as an instance.
/// </summary>
public sealed class DicomFileStoreHandler(string directory, DicomFileStoreOptions? options = null) : IDicomStoreHandler
{
    private readonly DicomFileStoreOptions _options = options ?? new DicomFileStoreOptions();
    private readonly string _incoming = Path.Combine(directory, ".incoming");

    public async ValueTask<IDicomStoreSink> BeginStoreAsync(DicomStoreRequest request, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_incoming);
        var free = new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
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
        var file = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Options = FileOptions.Asynchronous,
            BufferSize = 128 * 1024,
        });
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

        return new Sink(file, temporary, target, request, _options);
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

    private sealed class Sink(FileStream file, string temporary, string target, DicomStoreRequest request, DicomFileStoreOptions options) : IDicomStoreSink
    {
        private bool _completed;

        public ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken) => file.WriteAsync(chunk, cancellationToken);

        public async ValueTask<DicomStoreResult> CompleteAsync(CancellationToken cancellationToken)
        {
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (options.Fsync)
            {
                file.Flush(flushToDisk: true);
            }

            await file.DisposeAsync().ConfigureAwait(false);
            if (options.Validate)
            {
                var problem = await ValidateAsync(cancellationToken).ConfigureAwait(false);
                if (problem is not null)
                {
                    File.Delete(temporary);
                    _completed = true;
                    return problem;
                }
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(temporary, target, overwrite: true);
            _completed = true;
            return DicomStoreResult.Success;
        }

        private async Task<DicomStoreResult?> ValidateAsync(CancellationToken cancellationToken)
        {
            try
            {
                // The whole data set is parsed (large values, pixel data, stay on disk: their lengths are checked
                // against the file's): a peer that flags as last a data set it cut short gets C000, not a stored
                // instance that ends inside a value.
                var stored = await DicomFile.OpenAsync(temporary, DicomReadOptions.Default, cancellationToken).ConfigureAwait(false);
                if (stored.Dataset.TryGetString(DicomTags.SOPInstanceUID, out var instance) && instance != request.SopInstanceUid)
                {
                    return new DicomStoreResult(DimseStatus.DataSetDoesNotMatchSopClass, "SOP Instance UID of the data set differs from the command's");
                }

                if (stored.Dataset.TryGetString(DicomTags.SOPClassUID, out var sopClass) && sopClass != request.SopClassUid)
                {
                    return new DicomStoreResult(DimseStatus.DataSetDoesNotMatchSopClass, "SOP Class UID of the data set differs from the command's");
                }

                return null;
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
