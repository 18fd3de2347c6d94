using RadAI.Contracts.Findings;
using RadAI.Dicom.IO;

namespace RadAI.ReportBuilder.Rendering;

/// <summary>A key image that could not be rendered, and why (the report is made without it).</summary>
public sealed record KeyImageFailure(KeyImageSlot Slot, string Reason);

/// <summary>The key images of a report, and those that could not be rendered.</summary>
public sealed record KeyImageSet(IReadOnlyList<ReportKeyImage> Images, IReadOnlyList<KeyImageFailure> Failures)
{
    /// <summary>
    /// Selects the key images of <paramref name="results"/> (<see cref="KeyImageSelection.Select"/>) and renders them: the
    /// source file of each comes from <paramref name="sourcePath"/> (null: not found), the label map of each run is read
    /// once from <paramref name="openLabelMap"/> (null: the run has no mask, the image is shown without overlay). A source
    /// that is missing or cannot be decoded, or a label map that does not fit the run's grid, leaves that image out with
    /// its reason in <see cref="Failures"/> (no patient data in it: UIDs and toolkit messages only).
    /// </summary>
    public static async Task<KeyImageSet> RenderAsync(
        AnalysisResults results,
        int maxImages,
        Func<ImageReference, string?> sourcePath,
        Func<RunResults, CancellationToken, Task<Stream?>> openLabelMap,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(openLabelMap);
        return await RenderAsync(results, maxImages, sourcePath, (run, ct) => ReadLabelMapAsync(run, openLabelMap, ct), DicomFileSource.FromPath, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// As <see cref="RenderAsync(AnalysisResults, int, Func{ImageReference, string?}, Func{RunResults, CancellationToken, Task{Stream?}}, CancellationToken)"/>,
    /// with the runs' label maps already read (by run id, each on its run's grid; a run missing here is shown without overlay).
    /// </summary>
    public static Task<KeyImageSet> RenderAsync(
        AnalysisResults results,
        int maxImages,
        Func<ImageReference, string?> sourcePath,
        IReadOnlyDictionary<string, byte[]> labelMaps,
        CancellationToken cancellationToken = default) =>
        RenderAsync(results, maxImages, sourcePath, labelMaps, DicomFileSource.FromPath, cancellationToken);

    /// <summary>
    /// As <see cref="RenderAsync(AnalysisResults, int, Func{ImageReference, string?}, IReadOnlyDictionary{string, byte[]}, CancellationToken)"/>,
    /// each source file read through <paramref name="sourceOf"/> (the stores': decrypted when encrypted at rest).
    /// </summary>
    public static Task<KeyImageSet> RenderAsync(
        AnalysisResults results,
        int maxImages,
        Func<ImageReference, string?> sourcePath,
        IReadOnlyDictionary<string, byte[]> labelMaps,
        Func<string, DicomFileSource> sourceOf,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(labelMaps);
        return RenderAsync(results, maxImages, sourcePath,
            (run, _) => Task.FromResult<(byte[]?, string?)>((labelMaps.GetValueOrDefault(run.RunId), null)), sourceOf, cancellationToken);
    }

    private static async Task<KeyImageSet> RenderAsync(
        AnalysisResults results,
        int maxImages,
        Func<ImageReference, string?> sourcePath,
        Func<RunResults, CancellationToken, Task<(byte[]? Labels, string? Error)>> labelMapOf,
        Func<string, DicomFileSource> sourceOf,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(sourcePath);
        var images = new List<ReportKeyImage>();
        var failures = new List<KeyImageFailure>();
        var labelMaps = new Dictionary<string, (byte[]? Labels, string? Error)>(StringComparer.Ordinal);
        foreach (var slot in KeyImageSelection.Select(results, maxImages))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!labelMaps.TryGetValue(slot.Run.RunId, out var map))
            {
                map = await labelMapOf(slot.Run, cancellationToken).ConfigureAwait(false);
                labelMaps[slot.Run.RunId] = map;
            }

            if (map.Error is { } error)
            {
                failures.Add(new KeyImageFailure(slot, error));
                continue;
            }

            if (sourcePath(slot.Image) is not { } path || !File.Exists(path))
            {
                failures.Add(new KeyImageFailure(slot, $"Source image {slot.Image.SopInstanceUid} not found."));
                continue;
            }

            try
            {
                images.Add(new ReportKeyImage(slot, await KeyImageRenderer.RenderAsync(slot.ToRequest(path, map.Labels), sourceOf(path), cancellationToken).ConfigureAwait(false)));
            }
            catch (Exception e) when (e is RadAI.Dicom.Imaging.DicomPixelDataException or RadAI.Dicom.DicomFormatException or ArgumentException or IOException or InvalidDataException)
            {
                failures.Add(new KeyImageFailure(slot, $"Source image {slot.Image.SopInstanceUid} frame {slot.Image.Frame}: {e.Message}"));
            }
        }

        return new KeyImageSet(images, failures);
    }

    private static async Task<(byte[]? Labels, string? Error)> ReadLabelMapAsync(
        RunResults run, Func<RunResults, CancellationToken, Task<Stream?>> openLabelMap, CancellationToken cancellationToken)
    {
        if (run.Mask is null)
        {
            return (null, null);
        }

        var stream = await openLabelMap(run, cancellationToken).ConfigureAwait(false);
        if (stream is null)
        {
            return (null, $"Label map {run.Mask.Key} of {run.RunId} not found.");
        }

        await using (stream.ConfigureAwait(false))
        {
            try
            {
                return (await RunLabelMap.ReadAsync(stream, run, cancellationToken).ConfigureAwait(false), null);
            }
            catch (InvalidDataException e)
            {
                return (null, $"Label map of {run.RunId}: {e.Message}");
            }
        }
    }
}
