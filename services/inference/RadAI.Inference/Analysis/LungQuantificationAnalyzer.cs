using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Inference.Volumes;

namespace RadAI.Inference.Analysis;

/// <summary>
/// Lung quantification on chest CT, from the package's low-density candidate mask: outside air and
/// airways removed, lungs separated and labelled right/left, then per lung and in total the volume,
/// mean lung density, %LAA-950 and Perc15 (the usual quantitative emphysema indices).
/// </summary>
public sealed class LungQuantificationAnalyzer : IAnalyzer
{
    /// <summary>A lung is at least this big; smaller low-density regions (bowel gas, airways left over) are not lungs.</summary>
    public const double MinLungMl = 50;

    /// <summary>Largest cross-section of the trachea and main bronchi (8 cm²); bigger means the region joined a lung.</summary>
    private const double MaxAirwayAreaMm2 = 800;

    /// <summary>Smallest cross-section taken as the trachea when tracking starts (0.5 cm²).</summary>
    private const double MinTracheaAreaMm2 = 50;

    /// <summary>Erosions tried to separate lungs touching at the anterior or posterior junction.</summary>
    private const int MaxSplitErosions = 10;

    public string Name => "lung-quantification";

    public AnalyzerOutput Analyze(AnalyzerInput input, CancellationToken cancellationToken)
    {
        var volume = input.Volume;
        var (sx, sy, sz) = (volume.SizeX, volume.SizeY, volume.SizeZ);
        var notes = new List<RunNote>();
        var candidate = input.FirstSegmentationLabels();
        Binarize(candidate);
        RemoveOutsideAir(candidate, sx, sy, sz);
        cancellationToken.ThrowIfCancellationRequested();

        var airway = TrackAirways(candidate, volume);
        if (airway == 0)
        {
            notes.Add(new RunNote("airway-not-found", "info", "No trachea found in the upper slices: airways were not removed from the lung masks."));
        }

        var minVoxels = MinLungMl * 1000 / volume.VoxelVolumeMm3;
        var lungs = ConnectedComponents.Find3D(candidate, sx, sy, sz).Where(c => c.Length >= minVoxels).Take(2).ToList();
        cancellationToken.ThrowIfCancellationRequested();
        if (lungs.Count == 1 && Split(lungs[0], volume) is { } halves)
        {
            lungs = halves;
        }

        if (lungs.Count == 0)
        {
            notes.Add(new RunNote("lung-not-found", "warning", $"No low-density region of {MinLungMl} mL or more inside the body: no lung measured."));
            return new AnalyzerOutput(null, [], [], notes);
        }

        var labelMap = new byte[volume.VoxelCount];
        var segments = new List<SegmentInfo>();
        var findings = new List<Finding>();
        var type = SrCodes.Anatomy.Lung.ToCode();
        var category = RadAICodes.AnatomicalStructure.ToCode();
        if (lungs.Count == 1)
        {
            notes.Add(new RunNote("lungs-not-separated", "warning", "The two lungs could not be separated: one bilateral measurement is given."));
            FindingFactory.Paint(labelMap, lungs[0], 1);
            segments.Add(new SegmentInfo(1, "Lungs", category, type, null, lungs[0].Length, SrCodes.Value.Bilateral.ToCode()));
            findings.Add(LungFinding("lungs", volume, lungs[0], 1, SrCodes.Value.Bilateral));
        }
        else
        {
            // LPS: +x points to the patient's left, so the right lung has the smaller mean x.
            var ordered = lungs.OrderBy(l => RegionMeasurements.Compute(volume, l, false).Centroid.X).ToList();
            (string Id, string Label, DicomCode Side)[] sides = [("lung-right", "Right lung", SrCodes.Value.Right), ("lung-left", "Left lung", SrCodes.Value.Left)];
            for (var i = 0; i < 2; i++)
            {
                FindingFactory.Paint(labelMap, ordered[i], i + 1);
                segments.Add(new SegmentInfo(i + 1, sides[i].Label, category, type, null, ordered[i].Length, sides[i].Side.ToCode()));
                findings.Add(LungFinding(sides[i].Id, volume, ordered[i], i + 1, sides[i].Side));
            }

            findings.Add(LungFinding("lungs", volume, [.. ordered[0], .. ordered[1]], null, SrCodes.Value.Bilateral));
        }

        if (lungs.Any(l => TouchesEndSlice(l, volume)))
        {
            notes.Add(new RunNote("coverage-incomplete", "warning", "A lung reaches the first or last slice: apex or base may be outside the scan, volumes are then underestimated."));
        }

        return new AnalyzerOutput(labelMap, segments, findings, notes);
    }

    private static Finding LungFinding(string id, Volume volume, int[] voxels, int? segment, DicomCode laterality)
    {
        var measured = RegionMeasurements.Compute(volume, voxels, measureDiameter: false);
        var density = DensityIndices.Of(volume, voxels);
        List<Measurement> measurements =
        [
            FindingFactory.Measure(SrCodes.Measurement.Volume, Math.Round(measured.VolumeMl, 1), SrCodes.Unit.Milliliter),
            FindingFactory.Measure(SrCodes.Measurement.AttenuationCoefficient, Math.Round(measured.Mean, 1), SrCodes.Unit.HounsfieldUnit, SrCodes.Measurement.Mean),
            FindingFactory.Measure(SrCodes.Measurement.AttenuationCoefficient, Math.Round(measured.StandardDeviation, 1), SrCodes.Unit.HounsfieldUnit, SrCodes.Measurement.StandardDeviation),
            FindingFactory.Measure(RadAICodes.LowAttenuationArea950, Math.Round(density.Laa950Percent, 2), SrCodes.Unit.Percent),
            FindingFactory.Measure(RadAICodes.Percentile15Attenuation, density.Perc15Hu, SrCodes.Unit.HounsfieldUnit),
        ];
        return new Finding(id, "organ", SrCodes.Anatomy.Lung.ToCode(), SrCodes.Anatomy.Lung.ToCode(), segment, measurements,
            segment is null ? null : FindingFactory.Region(volume, measured), laterality.ToCode());
    }

    private static void Binarize(byte[] mask)
    {
        for (var i = 0; i < mask.Length; i++)
        {
            mask[i] = mask[i] != 0 ? (byte)1 : (byte)0;
        }
    }

    /// <summary>Removes the low-density components that touch the in-plane edge: air around the patient.</summary>
    private static void RemoveOutsideAir(byte[] mask, int sx, int sy, int sz)
    {
        foreach (var component in ConnectedComponents.Find3D(mask, sx, sy, sz))
        {
            var slice = sx * sy;
            if (component.Any(i => (i % sx) is 0 || (i % sx) == sx - 1 || ((i % slice) / sx) is 0 || ((i % slice) / sx) == sy - 1))
            {
                foreach (var index in component)
                {
                    mask[index] = 0;
                }
            }
        }
    }

    /// <summary>
    /// Removes the trachea and main bronchi: from the top slice down, the small central air region
    /// (the trachea) is followed slice to slice through the regions that overlap it and stay smaller
    /// than 8 cm²; a region that grows bigger has joined a lung, and tracking stops there.
    /// Returns the number of voxels removed.
    /// </summary>
    private static long TrackAirways(byte[] mask, Volume volume)
    {
        var (sx, sy, sz) = (volume.SizeX, volume.SizeY, volume.SizeZ);
        var slice = sx * sy;
        var pixelArea = (double)volume.Spacing.X * volume.Spacing.Y;
        // Slices go along the normal; the top (head end, +z in LPS) is the last slice when the normal points up.
        var order = volume.Normal.Z >= 0 ? Enumerable.Range(0, sz).Reverse() : Enumerable.Range(0, sz);
        var searchLimit = Math.Max(1, (int)(sz * 0.4));
        HashSet<int>? previous = null;
        long removed = 0;
        var seen = 0;
        foreach (var z in order)
        {
            var sliceMask = mask.AsSpan(z * slice, slice);
            var regions = ConnectedComponents.Find2D(sliceMask, sx, sy);
            List<int[]> airway;
            if (previous is null)
            {
                if (++seen > searchLimit)
                {
                    break;
                }

                airway = [.. regions.Where(r => r.Length * pixelArea is >= MinTracheaAreaMm2 and <= MaxAirwayAreaMm2 && IsCentral(r, sx))];
                if (airway.Count != 1)
                {
                    // Nothing, or several candidates (lung apices beside it): look one slice lower.
                    continue;
                }
            }
            else
            {
                airway = [.. regions.Where(r => r.Any(previous.Contains) && r.Length * pixelArea <= MaxAirwayAreaMm2)];
                if (airway.Count == 0)
                {
                    break;
                }
            }

            previous = [];
            foreach (var region in airway)
            {
                foreach (var index in region)
                {
                    previous.Add(index);
                    sliceMask[index] = 0;
                    removed++;
                }
            }
        }

        return removed;
    }

    private static bool IsCentral(int[] region, int sx)
    {
        var meanX = region.Average(i => i % sx);
        return Math.Abs(meanX - (sx / 2.0)) < sx * 0.15;
    }

    /// <summary>
    /// Two lungs joined into one region: erode until it falls apart into two large parts, then give
    /// every voxel of the region back to the nearer part. Null when it never splits.
    /// </summary>
    private static List<int[]>? Split(int[] region, Volume volume)
    {
        var (sx, sy, sz) = (volume.SizeX, volume.SizeY, volume.SizeZ);
        var original = new byte[volume.VoxelCount];
        FindingFactory.Paint(original, region, 1);
        var eroded = original;
        for (var step = 0; step < MaxSplitErosions; step++)
        {
            eroded = Morphology.Erode3D(eroded, sx, sy, sz);
            var parts = ConnectedComponents.Find3D(eroded, sx, sy, sz, fullConnectivity: false);
            if (parts.Count >= 2 && parts[1].Length >= parts[0].Length * 0.1)
            {
                var owner = Morphology.GrowSeeds(original, [parts[0], parts[1]], sx, sy, sz);
                return [.. Enumerable.Range(1, 2).Select(o => region.Where(i => owner[i] == o).ToArray())];
            }

            if (parts.Count == 0)
            {
                return null;
            }
        }

        return null;
    }

    private static bool TouchesEndSlice(int[] region, Volume volume)
    {
        var slice = volume.SliceLength;
        return region.Any(i => i / slice == 0 || i / slice == volume.SizeZ - 1);
    }
}

/// <summary>Density indices of lung CT over a region: %LAA-950 and the 15th percentile (Perc15).</summary>
public readonly record struct DensityIndices(double Laa950Percent, double Perc15Hu)
{
    public static DensityIndices Of(Volume volume, ReadOnlySpan<int> region)
    {
        if (region.IsEmpty)
        {
            return new DensityIndices(0, double.NaN);
        }

        var values = new float[region.Length];
        long below950 = 0;
        for (var i = 0; i < region.Length; i++)
        {
            values[i] = volume.Data[region[i]];
            if (values[i] < -950)
            {
                below950++;
            }
        }

        Array.Sort(values);
        return new DensityIndices(100.0 * below950 / region.Length, Percentile(values, 15));
    }

    /// <summary>Percentile of ascending values, interpolated linearly between order statistics at rank p/100·(n − 1).</summary>
    public static double Percentile(ReadOnlySpan<float> ascending, double percent)
    {
        var rank = percent / 100.0 * (ascending.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, ascending.Length - 1);
        return ascending[low] + ((rank - low) * (ascending[high] - ascending[low]));
    }
}
