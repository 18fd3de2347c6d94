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
/// contexts are needed): headers are read first, one context is proposed per (SOP class, transfer
/// syntax) found, with the uncompressed syntaxes as fallbacks; each file's status is reported.
/// </summary>
public static class DicomSender
{
    private const int MaxContexts = 128;

    public static async Task<IReadOnlyList<DicomFileSendResult>> SendAsync(
        DicomClientOptions options,
        IEnumerable<string> paths,
        IProgress<DicomFileSendResult>? progress = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        var results = new List<DicomFileSendResult>();
        var files = new List<(string Path, string SopClass, string TransferSyntax)>();
        foreach (var path in Expand(paths))
        {
            try
            {
                var header = await DicomFile.OpenAsync(path, DicomReadOptions.Default with { StopBeforeTag = DicomTags.PixelData }, cancellationToken).ConfigureAwait(false);
                var sopClass = header.Dataset.TryGetString(DicomTags.SOPClassUID, out var c) ? c
                    : header.FileMetaInformation.TryGetString(DicomTags.MediaStorageSOPClassUID, out var mc) ? mc : null;
                if (sopClass is null)
                {
                    Report(new DicomFileSendResult(path, null, null, "no SOP Class UID: not a DICOM instance"));
                    continue;
                }

                files.Add((path, sopClass, header.TransferSyntax.Uid));
            }
            catch (Exception e) when (e is DicomFormatException or IOException or UnauthorizedAccessException)
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
                        var response = await client.StoreFileAsync(file.Path, cancellationToken).ConfigureAwait(false);
                        Report(new DicomFileSendResult(file.Path, response.SopInstanceUid, response.Status, response.ErrorComment));
                    }
                    catch (DicomAssociationAbortedException e)
                    {
                        Report(new DicomFileSendResult(file.Path, null, null, e.Message));
                        break;
                    }
                    catch (Exception e) when (e is DicomNetworkException or DicomFormatException or IOException)
                    {
                        Report(new DicomFileSendResult(file.Path, null, null, e.Message));
                        if (e is IOException or DicomProtocolException)
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
            foreach (var file in batch.Where(f => results.All(r => r.Path != f.Path)))
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

    private static IEnumerable<List<(string Path, string SopClass, string TransferSyntax)>> Batches(List<(string Path, string SopClass, string TransferSyntax)> files)
    {
        var batch = new List<(string, string, string)>();
        var keys = new HashSet<(string, string)>();
        foreach (var file in files)
        {
            if (keys.Add((file.SopClass, file.TransferSyntax)) && keys.Count > MaxContexts)
            {
                yield return batch;
                batch = [];
                keys = [(file.SopClass, file.TransferSyntax)];
            }

            batch.Add(file);
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    private static List<PresentationContextProposal> Propose(List<(string Path, string SopClass, string TransferSyntax)> files)
    {
        var proposals = new List<PresentationContextProposal>();
        byte id = 1;
        foreach (var (sopClass, syntax) in files.Select(f => (f.SopClass, f.TransferSyntax)).Distinct())
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
