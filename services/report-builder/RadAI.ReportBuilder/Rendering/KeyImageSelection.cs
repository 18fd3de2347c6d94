using RadAI.Contracts.Findings;

namespace RadAI.ReportBuilder.Rendering;

/// <summary>A key image to render: the slice of a finding's region where its area is largest.</summary>
/// <param name="Run">The run of the finding (its geometry places the slice, its segments colour the overlay).</param>
/// <param name="Finding">The finding the image shows.</param>
/// <param name="Slice">The slice index z in the run's sorted volume (<see cref="FindingRegion.KeySlice"/>).</param>
/// <param name="Image">The source image of the slice (<see cref="FindingRegion.KeyImage"/>): SOP instance and 1-based frame.</param>
/// <param name="CtWindow">The window for a CT image without its own: lung for lung findings, soft tissue otherwise.</param>
public sealed record KeyImageSlot(RunResults Run, Finding Finding, int Slice, ImageReference Image, CtDefaultWindow CtWindow)
{
    /// <summary>The request to render this slot, with the source file found by the caller and the run's label map (or none).</summary>
    public KeyImageRequest ToRequest(string sourcePath, byte[]? labelMap) => new(
        sourcePath,
        Image.Frame,
        labelMap is null ? ReadOnlyMemory<byte>.Empty : KeyImageSelection.LabelSlice(labelMap, Run.Geometry, Slice),
        SegmentPalette.For(Run.Segments),
        CtWindow);
}

/// <summary>Which key images a report shows.</summary>
public static class KeyImageSelection
{
    private const string LungCode = "SCT:39607008";

    /// <summary>
    /// The key images of the results, at most <paramref name="maxImages"/>: one per finding with a region (in the order of
    /// the runs and their findings), a slice shown once per run even when several findings share it.
    /// </summary>
    public static IReadOnlyList<KeyImageSlot> Select(AnalysisResults results, int maxImages)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentOutOfRangeException.ThrowIfNegative(maxImages);
        var slots = new List<KeyImageSlot>();
        foreach (var run in results.Runs)
        {
            var slices = new HashSet<int>();
            foreach (var finding in run.Findings)
            {
                if (slots.Count >= maxImages)
                {
                    return slots;
                }

                if (finding.Region is { } region && region.KeySlice >= 0 && region.KeySlice < run.Geometry.SizeZ && slices.Add(region.KeySlice))
                {
                    slots.Add(new KeyImageSlot(run, finding, region.KeySlice, region.KeyImage, IsLung(run, finding) ? CtDefaultWindow.Lung : CtDefaultWindow.SoftTissue));
                }
            }
        }

        return slots;
    }

    /// <summary>
    /// Plane <paramref name="slice"/> of a run's label map (<see cref="LabelMapFile"/>: x fastest, then y, then z in the
    /// order of <see cref="VolumeGeometry.Slices"/>), without copying.
    /// </summary>
    /// <exception cref="ArgumentException">The label map is not SizeX × SizeY × SizeZ, or the slice is outside.</exception>
    public static ReadOnlyMemory<byte> LabelSlice(byte[] labelMap, VolumeGeometry geometry, int slice)
    {
        ArgumentNullException.ThrowIfNull(labelMap);
        ArgumentNullException.ThrowIfNull(geometry);
        var plane = geometry.SizeX * geometry.SizeY;
        if (labelMap.LongLength != (long)plane * geometry.SizeZ)
        {
            throw new ArgumentException($"The label map has {labelMap.LongLength} voxels, the grid {geometry.SizeX}×{geometry.SizeY}×{geometry.SizeZ}.", nameof(labelMap));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(slice);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slice, geometry.SizeZ);
        return labelMap.AsMemory(slice * plane, plane);
    }

    /// <summary>A finding in a lung (its type, site or segment's region is the lung), or any finding of a run that measures lungs.</summary>
    private static bool IsLung(RunResults run, Finding finding)
    {
        bool Lung(Code? code) => code is not null && ReportStrings.Key(code) == LungCode;
        var segment = run.Segments.FirstOrDefault(s => s.Number == finding.SegmentNumber);
        return Lung(finding.Type) || Lung(finding.Site) || Lung(segment?.AnatomicRegion)
            || run.Findings.Any(f => Lung(f.Type) || Lung(f.Site))
            || (finding.Kind == "lesion" && ReportStrings.Key(finding.Type) == "SCT:27925004");
    }
}
