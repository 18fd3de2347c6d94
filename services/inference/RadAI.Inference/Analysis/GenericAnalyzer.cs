using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Inference.Packages;

namespace RadAI.Inference.Analysis;

/// <summary>
/// The analysis every package gets when its manifest names no analyzer: each segmentation label
/// becomes a segment and an organ finding (or, with <c>connectedComponents</c>, each component a
/// lesion finding) measured in physical units; each classification or scalar output a finding.
/// </summary>
public sealed class GenericAnalyzer : IAnalyzer
{
    /// <summary>A SEG holds at most 255 segments in our 8-bit label maps.</summary>
    public const int MaxSegments = 255;

    public string Name => "generic";

    public AnalyzerOutput Analyze(AnalyzerInput input, CancellationToken cancellationToken)
    {
        var volume = input.Volume;
        var package = input.Package;
        var labelMap = new byte[volume.VoxelCount];
        var segments = new List<SegmentInfo>();
        var findings = new List<Finding>();
        var notes = new List<RunNote>();
        foreach (var spec in package.Manifest.Outputs)
        {
            if (!input.Raw.Outputs.TryGetValue(spec.Name, out var map))
            {
                throw new InvalidOperationException($"Model {package.Id} did not return output '{spec.Name}'.");
            }

            switch (spec.Kind)
            {
                case "segmentation":
                    var labels = Postprocessing.ToLabels(map, spec, volume.SizeX, volume.SizeY, volume.SizeZ, volume.VoxelVolumeMm3);
                    foreach (var label in spec.Labels)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var mask = Postprocessing.Mask(labels, (byte)label.Value);
                        var regions = spec.Postprocess.ConnectedComponents
                            ? ConnectedComponents.Find3D(mask, volume.SizeX, volume.SizeY, volume.SizeZ)
                            : [Voxels(mask)];
                        var k = 0;
                        foreach (var region in regions.Where(r => r.Length > 0))
                        {
                            if (segments.Count == MaxSegments)
                            {
                                notes.Add(new RunNote("segments-truncated", "warning", $"More than {MaxSegments} regions: the smallest were left out."));
                                break;
                            }

                            k++;
                            var number = segments.Count + 1;
                            FindingFactory.Paint(labelMap, region, number);
                            var lesion = spec.Postprocess.ConnectedComponents;
                            var name = lesion ? $"{label.Name} {k}" : label.Name;
                            segments.Add(new SegmentInfo(number, name, label.Category.ToCode(), label.Type.ToCode(), null, region.Length));
                            var measured = RegionMeasurements.Compute(volume, region, measureDiameter: lesion);
                            findings.Add(new Finding(
                                lesion ? $"{Slug(label.Name)}-{k}" : Slug(label.Name), lesion ? "lesion" : "organ",
                                label.Type.ToCode(), null, number, FindingFactory.SizeAndIntensity(volume, measured), FindingFactory.Region(volume, measured)));
                        }
                    }

                    break;
                case "classification":
                    findings.Add(new Finding(
                        Slug(spec.Name), "classification", RadAICodes.ModelOutput(package.Id, spec.Name), null, null,
                        [.. spec.Classes.Select((c, i) => FindingFactory.Measure(RadAICodes.ModelOutput(package.Id, c), Math.Round(i < map.Data.Length ? map.Data[i] : double.NaN, 4), SrCodes.Unit.NoUnits))],
                        null));
                    break;
                case "measurement":
                    findings.Add(new Finding(
                        Slug(spec.Name), "classification", RadAICodes.ModelOutput(package.Id, spec.Name), null, null,
                        [new Measurement(RadAICodes.ModelOutput(package.Id, spec.Name), map.Data.Length > 0 ? map.Data[0] : double.NaN, spec.Unit ?? "1", spec.Unit ?? "no units")],
                        null));
                    break;
            }
        }

        return new AnalyzerOutput(segments.Count > 0 ? labelMap : null, segments, findings, notes);
    }

    /// <summary>Indices of the non-zero voxels.</summary>
    public static int[] Voxels(ReadOnlySpan<byte> mask)
    {
        var voxels = new List<int>();
        for (var i = 0; i < mask.Length; i++)
        {
            if (mask[i] != 0)
            {
                voxels.Add(i);
            }
        }

        return [.. voxels];
    }

    /// <summary>A finding id from a display name: lowercase, dashes.</summary>
    public static string Slug(string name) =>
        string.Join('-', name.ToLowerInvariant().Split([' ', '_', '/', '.'], StringSplitOptions.RemoveEmptyEntries));
}
