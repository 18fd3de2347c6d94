using RadAI.Contracts.Findings;
using RadAI.Dicom;

namespace RadAI.Inference.Analysis;

/// <summary>
/// Nodule candidates from a probability map: thresholded, split into 3D components, small ones
/// dropped (manifest), each candidate scored by its highest probability, the best
/// <see cref="MaxCandidates"/> kept and measured (volume, longest 3D diameter, mean HU). A candidate
/// longer than 30 mm is called a mass, as in the Fleischner glossary.
/// </summary>
public sealed class NoduleCandidatesAnalyzer : IAnalyzer
{
    /// <summary>More candidates than this is noise for a reader.</summary>
    public const int MaxCandidates = 20;

    /// <summary>A nodule is at most 30 mm across; beyond, a mass.</summary>
    private const double MaxNoduleDiameterMm = 30;

    public string Name => "nodule-candidates";

    public AnalyzerOutput Analyze(AnalyzerInput input, CancellationToken cancellationToken)
    {
        var volume = input.Volume;
        var (_, map) = input.FirstSegmentation();
        var labels = input.FirstSegmentationLabels();
        var mask = new byte[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            mask[i] = labels[i] != 0 ? (byte)1 : (byte)0;
        }

        // The probability of "nodule": the last channel of a softmax pair, the only one of a sigmoid.
        var probabilityOffset = (long)(map.Channels - 1) * volume.VoxelCount;
        var candidates = ConnectedComponents.Find3D(mask, volume.SizeX, volume.SizeY, volume.SizeZ)
            .Select(c => (Voxels: c, Score: c.Max(i => map.Data[probabilityOffset + i])))
            .OrderByDescending(c => c.Score)
            .ToList();
        var notes = new List<RunNote>();
        if (candidates.Count > MaxCandidates)
        {
            notes.Add(new RunNote("candidates-truncated", "info", $"{candidates.Count} candidates: the {MaxCandidates} with the highest scores are reported."));
        }

        var labelMap = new byte[volume.VoxelCount];
        var segments = new List<SegmentInfo>();
        var findings = new List<Finding>();
        var category = RadAICodes.MorphologicallyAbnormalStructure.ToCode();
        foreach (var (voxels, score) in candidates.Take(MaxCandidates))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var number = segments.Count + 1;
            var measured = RegionMeasurements.Compute(volume, voxels, measureDiameter: true);
            var type = measured.Diameter?.LengthMm > MaxNoduleDiameterMm ? SrCodes.Finding.Mass : SrCodes.Finding.Nodule;
            FindingFactory.Paint(labelMap, voxels, number);
            segments.Add(new SegmentInfo(number, $"{type.Meaning} candidate {number}", category, type.ToCode(), null, voxels.Length));
            var measurements = FindingFactory.SizeAndIntensity(volume, measured);
            measurements.Add(FindingFactory.Measure(RadAICodes.CandidateScore, Math.Round(score, 3), SrCodes.Unit.NoUnits));
            findings.Add(new Finding($"candidate-{number}", "lesion", type.ToCode(), null, number, measurements, FindingFactory.Region(volume, measured)));
        }

        return new AnalyzerOutput(segments.Count > 0 ? labelMap : null, segments, findings, notes);
    }
}
