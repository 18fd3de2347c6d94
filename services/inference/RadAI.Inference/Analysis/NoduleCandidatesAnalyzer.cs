using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Inference.Packages;

namespace RadAI.Inference.Analysis;

/// <summary>
/// The analyzer <c>nodule-candidates</c> (models/ct-nodule-demo/README.md, "The analyzer"): the probability map
/// thresholded as the manifest says (<c>postprocess.threshold</c>, 0.5), the per-slice masks joined into 3D
/// (26-connected) components and those below <c>minComponentMm3</c> dropped (both by <see cref="Postprocessing"/>);
/// each candidate reported with its centroid (the finding's region), its largest in-plane diameter (long axis, mm)
/// and its mean probability. A DEMO package's candidates are labelled DEMO and the run carries a DEMO note. The
/// <see cref="MaxCandidates"/> candidates of highest mean probability are kept.
/// </summary>
public sealed class NoduleCandidatesAnalyzer : IAnalyzer
{
    /// <summary>More candidates than this is noise for a reader.</summary>
    public const int MaxCandidates = 20;

    public string Name => "nodule-candidates";

    public AnalyzerOutput Analyze(AnalyzerInput input, CancellationToken cancellationToken)
    {
        var volume = input.Volume;
        var (spec, map) = input.FirstSegmentation();
        var labels = input.FirstSegmentationLabels();
        cancellationToken.ThrowIfCancellationRequested();

        // The probability of "nodule": the last channel of a softmax pair, the only one of a sigmoid.
        var probabilityOffset = (map.Channels - 1) * volume.VoxelCount;
        var candidates = ConnectedComponents.Find3D(labels, volume.SizeX, volume.SizeY, volume.SizeZ)
            .Select(c => (Voxels: c, MeanProbability: c.Average(i => (double)map.Data[probabilityOffset + i])))
            .OrderByDescending(c => c.MeanProbability)
            .ToList();
        var demo = input.Package.Manifest.Status == ModelStatus.DEMO;
        var notes = new List<RunNote>();
        if (demo)
        {
            notes.Add(new RunNote("demo-output", "warning", $"DEMO output of {input.Package.Manifest.Name}: a model trained on synthetic images only, never on patients. Not for clinical or research use."));
        }

        if (candidates.Count > MaxCandidates)
        {
            notes.Add(new RunNote("candidates-truncated", "info", $"{candidates.Count} candidates: the {MaxCandidates} with the highest mean probability are reported."));
        }

        var label = spec.Labels.Count > 0 ? spec.Labels[0] : null;
        var type = label?.Type.ToCode() ?? SrCodes.Finding.Nodule.ToCode();
        var category = label?.Category.ToCode() ?? SegmentationCodes.MorphologicallyAbnormalStructure.ToCode();
        var name = $"{(demo ? "DEMO " : "")}{label?.Name ?? "Nodule candidate"}";
        var labelMap = new byte[volume.VoxelCount];
        var segments = new List<SegmentInfo>();
        var findings = new List<Finding>();
        foreach (var (voxels, meanProbability) in candidates.Take(MaxCandidates))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var number = segments.Count + 1;
            var diameter = MaxDiameter.MeasureInPlane(volume, voxels);
            var measured = RegionMeasurements.Compute(volume, voxels, measureDiameter: false) with { Diameter = diameter };
            FindingFactory.Paint(labelMap, voxels, number);
            segments.Add(new SegmentInfo(number, $"{name} {number}", category, type, null, voxels.Length));
            List<Measurement> measurements =
            [
                FindingFactory.Measure(SrCodes.Measurement.LongAxis, Math.Round(diameter.LengthMm, 1), SrCodes.Unit.Mm),
                FindingFactory.Measure(RadAICodes.CandidateScore, Math.Round(meanProbability, 3), SrCodes.Unit.NoUnits, SrCodes.Measurement.Mean),
            ];
            findings.Add(new Finding($"candidate-{number}", "lesion", type, null, number, measurements, FindingFactory.Region(volume, measured)));
        }

        return new AnalyzerOutput(segments.Count > 0 ? labelMap : null, segments, findings, notes);
    }
}
