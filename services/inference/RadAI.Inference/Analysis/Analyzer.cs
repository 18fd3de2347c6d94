using RadAI.Contracts.Findings;
using RadAI.Inference.Packages;
using RadAI.Inference.Runtime;
using RadAI.Inference.Volumes;

namespace RadAI.Inference.Analysis;

/// <summary>What an analyzer works from: the package, the volume it ran on and the model's raw outputs.</summary>
public sealed record AnalyzerInput(ModelPackage Package, Volume Volume, ModelRunResult Raw)
{
    /// <summary>The first segmentation output of the manifest and its map (analyzers built on one mask use it).</summary>
    public (ModelOutput Spec, OutputMap Map) FirstSegmentation()
    {
        var spec = Package.Manifest.Outputs.FirstOrDefault(o => o.Kind == "segmentation")
            ?? throw new InvalidOperationException($"Package {Package.Id} has no segmentation output; its analyzer '{Package.Manifest.Analyzer}' needs one.");
        return (spec, Raw.Outputs.TryGetValue(spec.Name, out var map) ? map : throw new InvalidOperationException($"Model {Package.Id} did not return output '{spec.Name}'."));
    }

    /// <summary>The labels of the first segmentation output after the manifest's post-processing.</summary>
    public byte[] FirstSegmentationLabels()
    {
        var (spec, map) = FirstSegmentation();
        return Postprocessing.ToLabels(map, spec, Volume.SizeX, Volume.SizeY, Volume.SizeZ, Volume.VoxelVolumeMm3);
    }
}

/// <summary>What an analyzer found: the run's label map and segments, findings and notes.</summary>
public sealed record AnalyzerOutput(byte[]? LabelMap, IReadOnlyList<SegmentInfo> Segments, IReadOnlyList<Finding> Findings, IReadOnlyList<RunNote> Notes);

/// <summary>Turns a model's raw outputs into findings (a package names one in <c>analyzer</c>, or gets the generic one).</summary>
public interface IAnalyzer
{
    /// <summary>The name a manifest uses.</summary>
    string Name { get; }

    AnalyzerOutput Analyze(AnalyzerInput input, CancellationToken cancellationToken);
}
