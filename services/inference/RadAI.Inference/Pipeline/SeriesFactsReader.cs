using RadAI.Contracts;
using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.Inference.Routing;

namespace RadAI.Inference.Pipeline;

/// <summary>What routing needs of a series: the event's attributes, and slice thickness, contrast and frames from one instance header.</summary>
public static class SeriesFactsReader
{
    private static readonly DicomReadOptions HeaderOnly = new() { StopBeforeTag = DicomTags.PixelData };

    public static Task<SeriesFacts> ReadAsync(ReceivedSeries series, string folder, CancellationToken cancellationToken) =>
        ReadAsync(series, folder, DicomFileSource.FromPath, cancellationToken);

    /// <summary>The facts of <paramref name="series"/>, its instance header read through <paramref name="sourceOf"/> (the stores': decrypted when encrypted at rest).</summary>
    public static async Task<SeriesFacts> ReadAsync(ReceivedSeries series, string folder, Func<string, DicomFileSource> sourceOf, CancellationToken cancellationToken)
    {
        double? thickness = null;
        var contrast = false;
        var frames = 1;
        var first = Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.dcm").Order(StringComparer.Ordinal).FirstOrDefault() : null;
        if (first is not null)
        {
            var file = await DicomFile.OpenAsync(sourceOf(first), HeaderOnly, cancellationToken).ConfigureAwait(false);
            var ds = file.Dataset;
            thickness = ds.TryGetValue<double>(DicomTags.SliceThickness, out var value) ? value : SharedThickness(ds);
            contrast = ds.TryGetString(DicomTags.ContrastBolusAgent, out var agent) && agent.Trim().Length > 0
                || (ds.TryGetSequence(DicomTags.ContrastBolusAgentSequence, out var agents) && agents.Count > 0);
            frames = ds.TryGetValue<int>(DicomTags.NumberOfFrames, out var count) ? count : 1;
        }

        return new SeriesFacts(series.SeriesInstanceUid, series.Modality, series.SopClassUid, series.InstanceCount,
            series.BodyPartExamined, series.SeriesDescription, thickness, contrast, frames);
    }

    /// <summary>Enhanced multi-frame images keep Slice Thickness in the shared Pixel Measures macro.</summary>
    private static double? SharedThickness(DicomDataset ds) =>
        ds.TryGetSequence(DicomTags.SharedFunctionalGroupsSequence, out var shared) && shared.Count > 0
        && shared[0].TryGetSequence(DicomTags.PixelMeasuresSequence, out var measures) && measures.Count > 0
        && measures[0].TryGetValue<double>(DicomTags.SliceThickness, out var thickness)
            ? thickness
            : null;
}
