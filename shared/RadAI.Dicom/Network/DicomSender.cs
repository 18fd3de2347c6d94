using Microsoft.Extensions.Logging;
using RadAI.Dicom.IO;

namespace RadAI.Dicom.Network;

/// <summary>The outcome of sending one file.</summary>
/// <param name="Path">The file.</param>
/// <param name="SopInstanceUid">Its SOP Instance UID, when it could be read.</param>
/// <param name="Status">DIMSE status of the C-STORE; null when the file was not sent.</param>
/// <param name="Message">Why it was not sent, or the peer's error comment.</param>
public sealed record DicomFileSendResult(string Path, string? SopInstanceUid, ushort? Status, string? Message)
{
    public bool Succeeded => Status is { } s && (DimseStatus.IsSuccess(s) || DimseStatus.IsWarning(s));
}

/// <summary>
/// Sends files and folders to an SCP over one association (more only when more than 128 presentation
/// contexts are needed): headers (up to SOP Instance UID) are read first, one context is proposed per (SOP
/// class, transfer syntax) found, with the uncompressed syntaxes as fallbacks; then each file's data set is
/// copied from the file as it is (one more read, no second parse) unless it must be transcoded; each
/// file's status is reported.
/// </summary>
public static class DicomSender
{
    private const int MaxContexts = 128;

    /// <summary>Reading stops after SOP Instance UID (0008,0018).</summary>
    private static readonly DicomReadOptions HeaderOnly = DicomReadOptions.Default with { StopBeforeTag = new DicomTag(0x0008, 0x0019) };

    /// <summary>A file as planned: what its header said (the SOP Instance UID missing from a data set is reported when sent).</summary>
    private sealed record PlannedFile(DicomFileSource Source, string SopClass, string? SopInstance, DicomTransferSyntax TransferSyntax, long? DatasetOffset)
    {
        public string Path => Source.Path;
    }

    public static Task<IReadOnlyList<DicomFileSendResult>> SendAsync(
        DicomClientOptions options,
        IEnumerable<string> paths,
        IProgress<DicomFileSendResult>? progress = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default) =>
        SendAsync(options, Expand(paths).Select(DicomFileSource.FromPath), progress, logger, cancellationToken);

    /// <summary>
    /// Sends the files read through <paramref name="sources"/> (files encrypted at rest are decrypted as they are read: the
    /// peer receives the DICOM bytes); each result names the source's <see cref="DicomFileSource.Path"/>.
    /// </summary>
    public static async Task<IReadOnlyList<DicomFileSendResult>> SendAsync(
        DicomClientOptions options,
        IEnumerable<DicomFileSource> sources,
        IProgress<DicomFileSendResult>? progress = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        var results = new List<DicomFileSendResult>();
        var files = new List<PlannedFile>();
        foreach (var source in sources)
        {
            var path = source.Path;
            try
            {
                // The meta group and the data set up to SOP Instance UID: all that planning and sending need (the
                // rest of the file is read once, when sent, as it is).
                var header = await DicomFile.OpenAsync(source, HeaderOnly, cancellationToken).ConfigureAwait(false);
                var sopClass = header.Dataset.TryGetString(DicomTags.SOPClassUID, out var c) ? c
                    : header.FileMetaInformation.TryGetString(DicomTags.MediaStorageSOPClassUID, out var mc) ? mc : null;
                if (sopClass is null)
                {
                    Report(new DicomFileSendResult(path, null, null, "no SOP Class UID: not a DICOM instance"));
                    continue;
                }

                var sopInstance = header.Dataset.TryGetString(DicomTags.SOPInstanceUID, out var i) ? i
                    : header.FileMetaInformation.TryGetString(DicomTags.MediaStorageSOPInstanceUID, out var mi) ? mi : null;
                files.Add(new PlannedFile(source, sopClass, sopInstance, header.TransferSyntax, header.DatasetOffset));
            }
            catch (Exception e) when (e is DicomFormatException or IOException or UnauthorizedAccessException or InvalidDataException)
            {
                Report(new DicomFileSendResult(path, null, null, "not a readable DICOM file: " + e.Message));
            }
        }

        foreach (var batch in Batches(files))
        {
            var contexts = Propose(batch);
            DicomClient client;
            try
            {
                client = await DicomClient.ConnectAsync(options, contexts, logger, cancellationToken).ConfigureAwait(false);
            }
            catch (DicomNetworkException e)
            {
                foreach (var file in batch)
                {
                    Report(new DicomFileSendResult(file.Path, null, null, e.Message));
                }

                continue;
            }

            await using (client.ConfigureAwait(false))
            {
                foreach (var file in batch)
                {
                    try
                    {
                        var response = file is { SopInstance: { } instance, DatasetOffset: { } offset }
                            ? await client.StoreFileAsync(file.Source, file.SopClass, instance, file.TransferSyntax, offset, cancellationToken).ConfigureAwait(false)
                            : await client.StoreAsync(await DicomFile.OpenAsync(file.Source, cancellationToken: cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                        Report(new DicomFileSendResult(file.Path, response.SopInstanceUid, response.Status, response.ErrorComment));
                    }
                    catch (DicomAssociationAbortedException e)
                    {
                        Report(new DicomFileSendResult(file.Path, null, null, e.Message));
                        break;
                    }
                    catch (Exception e) when (e is DicomNetworkException or DicomFormatException or IOException or InvalidDataException)
                    {
                        Report(new DicomFileSendResult(file.Path, null, null, e.Message));
                        if (e is IOException or DicomProtocolException || !client.IsOpen)
                        {
                            break;
                        }
                    }
                }

                try
                {
                    await client.ReleaseAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is DicomNetworkException or IOException or OperationCanceledException)
                {
                    // Every file already has its status; a failed release changes none of them.
                }
            }

            // Files of the batch never attempted (association lost) are reported too.
            var reported = results.Select(r => r.Path).ToHashSet(StringComparer.Ordinal);
            foreach (var file in batch.Where(f => !reported.Contains(f.Path)))
            {
                Report(new DicomFileSendResult(file.Path, null, null, "not sent: the association ended"));
            }
        }

        return results;

        void Report(DicomFileSendResult result)
        {
            results.Add(result);
            progress?.Report(result);
        }
    }

    /// <summary>Files of the given paths; folders are walked recursively in name order.</summary>
    public static IEnumerable<string> Expand(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal))
                {
                    yield return file;
                }
            }
            else
            {
                yield return path;
            }
        }
    }

    private static IEnumerable<List<PlannedFile>> Batches(List<PlannedFile> files)
    {
        var batch = new List<PlannedFile>();
        var keys = new HashSet<(string, string)>();
        foreach (var file in files)
        {
            if (keys.Add((file.SopClass, file.TransferSyntax.Uid)) && keys.Count > MaxContexts)
            {
                yield return batch;
                batch = [];
                keys = [(file.SopClass, file.TransferSyntax.Uid)];
            }

            batch.Add(file);
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    private static List<PresentationContextProposal> Propose(List<PlannedFile> files)
    {
        var proposals = new List<PresentationContextProposal>();
        byte id = 1;
        foreach (var (sopClass, syntax) in files.Select(f => (f.SopClass, f.TransferSyntax.Uid)).Distinct())
        {
            List<string> syntaxes = [syntax];
            if (!DicomTransferSyntax.Lookup(syntax).IsEncapsulated)
            {
                // An uncompressed data set can be re-encoded: offer the common uncompressed syntaxes too.
                syntaxes.AddRange(new[] { DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian }.Where(s => s != syntax));
            }

            proposals.Add(new PresentationContextProposal(id, sopClass, syntaxes));
            id += 2;
        }

        return proposals;
    }
}
