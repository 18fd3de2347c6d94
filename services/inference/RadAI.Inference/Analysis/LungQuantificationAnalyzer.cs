using System.Globalization;
using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Inference.Volumes;

namespace RadAI.Inference.Analysis;

/// <summary>
/// The analyzer <c>lung-quantification</c> of models/ct-lung-quant: from the graph's candidate mask, the two lungs
/// without the airways, labelled right (segment 1) and left (segment 2), and for each and both together the volume,
/// %LAA-950, Perc15 and mean lung density. The steps are <see cref="LungQuantification.Run"/>'s, exactly as the
/// package README specifies them (and as its analyzer_reference.py computes them).
/// </summary>
public sealed class LungQuantificationAnalyzer : IAnalyzer
{
    public const byte RightLungSegment = 1;

    public const byte LeftLungSegment = 2;

    public string Name => "lung-quantification";

    public AnalyzerOutput Analyze(AnalyzerInput input, CancellationToken cancellationToken)
    {
        var volume = input.Volume;
        var (_, map) = input.FirstSegmentation();
        var result = LungQuantification.Run(volume, map.Data.AsSpan(0, checked((int)volume.VoxelCount)), cancellationToken);
        if (result is null)
        {
            return new AnalyzerOutput(null, [], [], [new RunNote("lung-not-found", "warning", "No lung found: the model's lung mask is empty (or only airway).")]);
        }

        var notes = new List<RunNote> { AirwayNote(result.Airway) };
        if (result.Split)
        {
            notes.Add(new RunNote("lungs-split", "info", "The lungs touch: they were split at the junction by a straight cut per slice, which can give a few voxels to the wrong side."));
        }

        if (result.ComponentsDropped > 0)
        {
            notes.Add(new RunNote("components-dropped", "info", $"{result.ComponentsDropped} other low-density region(s) (gas outside the lungs, remnants) were not counted as lung."));
        }

        var segments = new List<SegmentInfo>();
        var findings = new List<Finding>();
        var type = SrCodes.Anatomy.Lung.ToCode();
        var category = SegmentationCodes.AnatomicalStructure.ToCode();
        (string Id, string Label, byte Segment, DicomCode Side, int[] Voxels, LungMeasures Measures)[] lungs =
        [
            ("lung-right", "Right lung", RightLungSegment, SrCodes.Value.Right, result.RightVoxels, result.Right),
            ("lung-left", "Left lung", LeftLungSegment, SrCodes.Value.Left, result.LeftVoxels, result.Left),
        ];
        foreach (var lung in lungs)
        {
            if (lung.Voxels.Length == 0)
            {
                notes.Add(new RunNote("lungs-not-separated", "warning", $"The {lung.Label.ToLowerInvariant()} is empty after the split: only one lung is measured."));
                continue;
            }

            segments.Add(new SegmentInfo(lung.Segment, lung.Label, category, type, null, lung.Voxels.Length, lung.Side.ToCode()));
            var region = FindingFactory.Region(volume, RegionMeasurements.Compute(volume, lung.Voxels, measureDiameter: false));
            findings.Add(new Finding(lung.Id, "organ", type, type, lung.Segment, Measurements(lung.Measures), region, lung.Side.ToCode()));
        }

        findings.Add(new Finding("lungs", "organ", type, type, null, Measurements(result.Both), null, SrCodes.Value.Bilateral.ToCode()));
        if (TouchesEndSlice(result.RightVoxels, volume) || TouchesEndSlice(result.LeftVoxels, volume))
        {
            notes.Add(new RunNote("coverage-incomplete", "warning", "A lung reaches the first or last slice: apex or base may be outside the scan, volumes are then underestimated."));
        }

        return new AnalyzerOutput(result.LabelMap, segments, findings, notes);
    }

    private static RunNote AirwayNote(AirwayResult airway) => airway.Outcome switch
    {
        AirwayOutcome.Grown => new RunNote("airway-grown", "info", $"Trachea and bronchi: {airway.Note}, removed from the lungs."),
        AirwayOutcome.SeedNotFound => new RunNote("airway-seed-not-found", "warning", $"Trachea and bronchi: {airway.Note} in the upper {LungQuantification.SeedSearchMm} mm; they are counted as lung."),
        _ => new RunNote("airway-leaked", "warning", $"Trachea and bronchi: {airway.Note}; they are counted as lung."),
    };

    private static List<Measurement> Measurements(LungMeasures m) =>
    [
        FindingFactory.Measure(SrCodes.Measurement.Volume, Math.Round(m.VolumeMl, 1), SrCodes.Unit.Milliliter),
        FindingFactory.Measure(SrCodes.Measurement.AttenuationCoefficient, Math.Round(m.MeanHu, 1), SrCodes.Unit.HounsfieldUnit, SrCodes.Measurement.Mean),
        FindingFactory.Measure(RadAICodes.LowAttenuationArea950, Math.Round(m.Laa950Percent, 2), SrCodes.Unit.Percent),
        FindingFactory.Measure(RadAICodes.Percentile15Attenuation, Math.Round(m.Perc15Hu, 1), SrCodes.Unit.HounsfieldUnit),
    ];

    private static bool TouchesEndSlice(int[] voxels, Volume volume)
    {
        var slice = volume.SliceLength;
        foreach (var index in voxels)
        {
            var z = index / slice;
            if (z == 0 || z == volume.SizeZ - 1)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>What became of the airway search (README step 3 and 4).</summary>
public enum AirwayOutcome
{
    /// <summary>No small central component in the top slices.</summary>
    SeedNotFound,

    /// <summary>Grown at <see cref="AirwayResult.ThresholdHu"/> and removed.</summary>
    Grown,

    /// <summary>Larger than the cap at every threshold: not removed.</summary>
    Leaked,
}

/// <summary>The airway search's outcome, the threshold it was accepted at and its size (before the dilation).</summary>
public sealed record AirwayResult(AirwayOutcome Outcome, double? ThresholdHu, int VoxelCount)
{
    /// <summary>The note, worded as the package README (and analyzer_reference.py) words it.</summary>
    public string Note => Outcome switch
    {
        AirwayOutcome.Grown => $"airway grown at HU <= {ThresholdHu!.Value.ToString(CultureInfo.InvariantCulture)}",
        AirwayOutcome.SeedNotFound => "airway seed not found",
        _ => "airway leaked into the lungs at every threshold: not removed",
    };
}

/// <summary>Density measures of a lung region (README step 9).</summary>
/// <param name="VoxelCount">n.</param>
/// <param name="VolumeMl">n · sz·sy·sx / 1000.</param>
/// <param name="Laa950Percent">100 · #(HU &lt; -950) / n.</param>
/// <param name="Perc15Hu">15th percentile, linear interpolation between order statistics at rank 0.15 · (n − 1).</param>
/// <param name="MeanHu">Mean lung density.</param>
public readonly record struct LungMeasures(long VoxelCount, double VolumeMl, double Laa950Percent, double Perc15Hu, double MeanHu)
{
    public const double LaaThresholdHu = -950;

    public const double Percentile = 15;

    /// <summary>
    /// Measures the voxels <paramref name="first"/> and <paramref name="second"/> together (indices into
    /// <paramref name="hu"/>; either may be empty). The percentile is an exact order statistic found without sorting
    /// or copying (<see cref="OrderStatistics"/>).
    /// </summary>
    public static LungMeasures Of(ReadOnlySpan<float> hu, ReadOnlySpan<int> first, ReadOnlySpan<int> second, double voxelVolumeMm3)
    {
        long n = first.Length + second.Length;
        if (n == 0)
        {
            return new LungMeasures(0, 0, double.NaN, double.NaN, double.NaN);
        }

        double sum = 0;
        long below = 0;
        for (var part = 0; part < 2; part++)
        {
            foreach (var index in part == 0 ? first : second)
            {
                var value = hu[index];
                sum += value;
                below += value < LaaThresholdHu ? 1 : 0;
            }
        }

        // Linear interpolation between order statistics: r = p/100 · (n − 1), i = ⌊r⌋, v(i) + (r − i)·(v(i + 1) − v(i)).
        var rank = Percentile / 100.0 * (n - 1);
        var low = (long)Math.Floor(rank);
        var (atLow, atNext) = OrderStatistics.Pair(hu, first, second, low);
        var percentile = atLow + ((rank - low) * ((double)atNext - atLow));
        return new LungMeasures(n, n * voxelVolumeMm3 / 1000.0, 100.0 * below / n, percentile, sum / n);
    }
}

/// <summary>The result of <see cref="LungQuantification.Run"/>.</summary>
/// <param name="LabelMap">One byte per voxel: 1 right lung, 2 left lung, 0 elsewhere.</param>
/// <param name="RightVoxels">Voxel indices of the right lung (ascending).</param>
/// <param name="LeftVoxels">Voxel indices of the left lung (ascending).</param>
/// <param name="Right">Measures of the right lung.</param>
/// <param name="Left">Measures of the left lung.</param>
/// <param name="Both">Measures of both lungs together.</param>
/// <param name="Airway">The airway search.</param>
/// <param name="Split">True when one component held both lungs and was cut at the junction.</param>
/// <param name="ComponentsDropped">Components of the lung candidates that are not one of the two lungs.</param>
public sealed record LungQuantificationResult(
    byte[] LabelMap,
    int[] RightVoxels,
    int[] LeftVoxels,
    LungMeasures Right,
    LungMeasures Left,
    LungMeasures Both,
    AirwayResult Airway,
    bool Split,
    int ComponentsDropped);

/// <summary>
/// The steps of the package README's section "The analyzer <c>lung-quantification</c>", on flat arrays: one byte of
/// state per voxel, breadth-first searches over index buffers, no recursion and no per-voxel allocation.
/// </summary>
public static class LungQuantification
{
    public const double SeedSearchMm = 40;

    public const double SeedMinAreaMm2 = 30;

    public const double SeedMaxAreaMm2 = 1200;

    public const double SeedMaxMidlineDistanceMm = 25;

    public const double AirwayMaxMl = 250;

    public const double SecondLungMinRatio = 0.2;

    public const double SplitBandFraction = 0.15;

    private const byte InMask = 1;
    private const byte InAirway = 2;
    private const byte Removed = 4;
    private const byte Visited = 8;
    private const byte InRight = 16;
    private const byte InLeft = 32;

    /// <summary>Airway thresholds (HU), tried in this order.</summary>
    public static IReadOnlyList<double> AirwayThresholdsHu { get; } = [-950, -975, -990];

    /// <summary>
    /// Runs the analysis on the HU volume and the graph's output (<paramref name="lungOutput"/>, same grid).
    /// Null when there is no lung (the mask is empty, or nothing is left once the airway is removed).
    /// </summary>
    public static LungQuantificationResult? Run(Volume volume, ReadOnlySpan<float> lungOutput, CancellationToken cancellationToken)
    {
        var grid = new Grid(volume.SizeX, volume.SizeY, volume.SizeZ);
        if (lungOutput.Length != grid.Length)
        {
            throw new ArgumentException($"{lungOutput.Length} output values for {grid.Length} voxels.", nameof(lungOutput));
        }

        var hu = volume.Data;
        double sx = volume.Spacing.X, sy = volume.Spacing.Y, sz = volume.Spacing.Z;
        var voxelVolumeMm3 = sz * sy * sx;

        // 1. M = lung >= 0.5; 2. midline = mean column of M.
        var state = new byte[grid.Length];
        long maskCount = 0, columnSum = 0;
        for (var z = 0; z < grid.Depth; z++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var i = z * grid.Slice;
            for (var y = 0; y < grid.Height; y++)
            {
                for (var x = 0; x < grid.Width; x++, i++)
                {
                    if (lungOutput[i] >= 0.5f)
                    {
                        state[i] = InMask;
                        maskCount++;
                        columnSum += x;
                    }
                }
            }
        }

        if (maskCount == 0)
        {
            return null;
        }

        var midline = (double)columnSum / maskCount;

        // 3-4. Airway: seed in the top slices, then grown at the first threshold that stays under the cap.
        var seed = FindSeed(state, grid, midline, sx, sy, sz, superiorIsHigherZ: volume.Normal.Z >= 0, cancellationToken);
        var (airway, airwayResult) = seed is null
            ? ([], new AirwayResult(AirwayOutcome.SeedNotFound, null, 0))
            : GrowAirway(state, hu, grid, seed, voxelVolumeMm3 / 1000.0, cancellationToken);

        // 5. A' = dilation(A, 26) AND M.
        var removedCount = 0;
        foreach (var index in airway)
        {
            var (x, y, z) = grid.Coordinates(index);
            for (var dz = -1; dz <= 1; dz++)
            {
                for (var dy = -1; dy <= 1; dy++)
                {
                    for (var dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx, ny = y + dy, nz = z + dz;
                        if ((uint)nx < (uint)grid.Width && (uint)ny < (uint)grid.Height && (uint)nz < (uint)grid.Depth)
                        {
                            var j = grid.Index(nx, ny, nz);
                            if ((state[j] & (InMask | Removed)) == InMask)
                            {
                                state[j] |= Removed;
                                removedCount++;
                            }
                        }
                    }
                }
            }
        }

        cancellationToken.ThrowIfCancellationRequested();

        // 6. L = M AND NOT A': 6-connected components, the two lungs or a split of the largest.
        var members = new int[maskCount - removedCount];
        var components = LabelComponents6(state, grid, members, cancellationToken);
        if (components.Count == 0)
        {
            return null;
        }

        var (first, second) = TwoLargest(components);
        ArraySegment<int> partA, partB;
        bool split;
        int dropped;
        if (second is { } s && s.Length >= SecondLungMinRatio * first.Length)
        {
            partA = new ArraySegment<int>(members, first.Start, first.Length);
            partB = new ArraySegment<int>(members, s.Start, s.Length);
            (split, dropped) = (false, components.Count - 2);
        }
        else
        {
            (partA, partB) = Split(members.AsSpan(first.Start, first.Length), grid, cancellationToken);
            (split, dropped) = (true, components.Count - 1);
        }

        // 7. Sides: the larger patient-LPS x is the patient's left.
        var (right, left) = PatientX(volume, grid, partA) > PatientX(volume, grid, partB) ? (partB, partA) : (partA, partB);

        // 8. Holes per axial slice, right lung first; then left = left AND NOT right.
        var scratch = new SliceScratch(grid.Slice);
        var rightVoxels = FillHolesPerSlice(state, grid, right, InRight, 0, scratch, cancellationToken);
        var leftVoxels = FillHolesPerSlice(state, grid, left, InLeft, InRight, scratch, cancellationToken);

        // 9. Measures, right, left and both.
        var rightMeasures = LungMeasures.Of(hu, rightVoxels, [], voxelVolumeMm3);
        var leftMeasures = LungMeasures.Of(hu, leftVoxels, [], voxelVolumeMm3);
        var bothMeasures = LungMeasures.Of(hu, rightVoxels, leftVoxels, voxelVolumeMm3);
        cancellationToken.ThrowIfCancellationRequested();

        // The state array becomes the label map.
        for (var i = 0; i < state.Length; i++)
        {
            var bits = state[i];
            state[i] = (bits & InRight) != 0 ? LungQuantificationAnalyzer.RightLungSegment
                : (bits & InLeft) != 0 ? LungQuantificationAnalyzer.LeftLungSegment
                : (byte)0;
        }

        return new LungQuantificationResult(state, rightVoxels, leftVoxels, rightMeasures, leftMeasures, bothMeasures, airwayResult, split, dropped);
    }

    /// <summary>
    /// README step 3: from the most superior slice holding M down through round(40 / sz) more slices, the first slice
    /// with a 2D 8-connected component of 30..1200 mm² whose mean column is within 25 mm of the midline; its qualifying
    /// component nearest the midline (ties: the first in raster order). Null: no seed.
    /// </summary>
    private static int[]? FindSeed(byte[] state, Grid grid, double midline, double sx, double sy, double sz, bool superiorIsHigherZ, CancellationToken cancellationToken)
    {
        var step = superiorIsHigherZ ? -1 : 1;
        var top = -1;
        for (var k = 0; k < grid.Depth && top < 0; k++)
        {
            var z = superiorIsHigherZ ? grid.Depth - 1 - k : k;
            if (state.AsSpan(z * grid.Slice, grid.Slice).ContainsAnyExcept((byte)0))
            {
                top = z;
            }
        }

        var slices = (int)Math.Round(SeedSearchMm / sz);
        var queue = new int[grid.Slice];
        var seen = new bool[grid.Slice];
        for (var k = 0; k <= slices; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var z = top + (step * k);
            if (z < 0 || z >= grid.Depth)
            {
                break;
            }

            var slice = state.AsSpan(z * grid.Slice, grid.Slice);
            Array.Clear(seen);
            var filled = 0;
            (int Start, int Length, double Distance)? best = null;
            for (var start = 0; start < grid.Slice; start++)
            {
                if (slice[start] == 0 || seen[start])
                {
                    continue;
                }

                // One 8-connected component, breadth first; its pixels stay in queue[first..filled).
                var first = filled;
                seen[start] = true;
                queue[filled++] = start;
                long columns = 0;
                for (var head = first; head < filled; head++)
                {
                    var p = queue[head];
                    int y = p / grid.Width, x = p - (y * grid.Width);
                    columns += x;
                    for (var dy = -1; dy <= 1; dy++)
                    {
                        for (var dx = -1; dx <= 1; dx++)
                        {
                            int nx = x + dx, ny = y + dy;
                            if ((uint)nx < (uint)grid.Width && (uint)ny < (uint)grid.Height)
                            {
                                var q = (ny * grid.Width) + nx;
                                if (slice[q] != 0 && !seen[q])
                                {
                                    seen[q] = true;
                                    queue[filled++] = q;
                                }
                            }
                        }
                    }
                }

                var count = filled - first;
                var area = count * sy * sx;
                var distance = Math.Abs(((double)columns / count) - midline) * sx;
                if (area >= SeedMinAreaMm2 && area <= SeedMaxAreaMm2 && distance <= SeedMaxMidlineDistanceMm && (best is null || distance < best.Value.Distance))
                {
                    best = (first, count, distance);
                }
            }

            if (best is { } found)
            {
                var seed = new int[found.Length];
                for (var p = 0; p < found.Length; p++)
                {
                    seed[p] = (z * grid.Slice) + queue[found.Start + p];
                }

                return seed;
            }
        }

        return null;
    }

    /// <summary>
    /// README step 4: for each threshold T, the 26-connected components of M AND HU &lt;= T that hold a seed voxel;
    /// the first of at most 250 mL is the airway. A search stops as soon as it passes the cap.
    /// </summary>
    private static (int[] Airway, AirwayResult Result) GrowAirway(byte[] state, float[] hu, Grid grid, int[] seed, double voxelMl, CancellationToken cancellationToken)
    {
        var buffer = new int[Math.Max(16, seed.Length)];
        foreach (var threshold in AirwayThresholdsHu)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = 0;
            foreach (var index in seed)
            {
                if (hu[index] <= threshold && (state[index] & InAirway) == 0)
                {
                    state[index] |= InAirway;
                    buffer[count++] = index;
                }
            }

            var leaked = false;
            for (var head = 0; head < count && !leaked; head++)
            {
                var (x, y, z) = grid.Coordinates(buffer[head]);
                for (var dz = -1; dz <= 1 && !leaked; dz++)
                {
                    for (var dy = -1; dy <= 1 && !leaked; dy++)
                    {
                        for (var dx = -1; dx <= 1; dx++)
                        {
                            int nx = x + dx, ny = y + dy, nz = z + dz;
                            if ((uint)nx >= (uint)grid.Width || (uint)ny >= (uint)grid.Height || (uint)nz >= (uint)grid.Depth)
                            {
                                continue;
                            }

                            var j = grid.Index(nx, ny, nz);
                            if ((state[j] & (InMask | InAirway)) != InMask || hu[j] > threshold)
                            {
                                continue;
                            }

                            state[j] |= InAirway;
                            if (count == buffer.Length)
                            {
                                Array.Resize(ref buffer, buffer.Length * 2);
                            }

                            buffer[count++] = j;
                            if (count * voxelMl > AirwayMaxMl)
                            {
                                leaked = true;
                                break;
                            }
                        }
                    }
                }
            }

            if (!leaked)
            {
                return (buffer[..count], new AirwayResult(AirwayOutcome.Grown, threshold, count));
            }

            for (var k = 0; k < count; k++)
            {
                state[buffer[k]] &= unchecked((byte)~InAirway);
            }
        }

        return ([], new AirwayResult(AirwayOutcome.Leaked, null, 0));
    }

    /// <summary>
    /// The 6-connected components of M AND NOT A', in raster order of their first voxel; each component's voxels are
    /// written contiguously into <paramref name="members"/>. A scanline fill: a run along x is taken whole, then the
    /// rows beside it (y ± 1, z ± 1) are searched over the run's span for new runs, so the cost follows the runs.
    /// </summary>
    private static List<(int Start, int Length)> LabelComponents6(byte[] state, Grid grid, int[] members, CancellationToken cancellationToken)
    {
        const byte Relevant = InMask | Removed | Visited;
        var components = new List<(int Start, int Length)>();
        var seeds = new int[256];
        var filled = 0;
        for (var z = 0; z < grid.Depth; z++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var end = (z + 1) * grid.Slice;
            for (var start = z * grid.Slice; start < end; start++)
            {
                if ((state[start] & Relevant) != InMask)
                {
                    continue;
                }

                var first = filled;
                var pending = 0;
                seeds[pending++] = start;
                while (pending > 0)
                {
                    var seed = seeds[--pending];
                    if ((state[seed] & Relevant) != InMask)
                    {
                        continue;
                    }

                    var (x, y, vz) = grid.Coordinates(seed);
                    var rowStart = seed - x;
                    var (left, right) = (x, x);
                    while (left > 0 && (state[rowStart + left - 1] & Relevant) == InMask)
                    {
                        left--;
                    }

                    while (right < grid.Width - 1 && (state[rowStart + right + 1] & Relevant) == InMask)
                    {
                        right++;
                    }

                    for (var i = rowStart + left; i <= rowStart + right; i++)
                    {
                        state[i] |= Visited;
                        members[filled++] = i;
                    }

                    if (y > 0)
                    {
                        SeedRuns(rowStart - grid.Width);
                    }

                    if (y < grid.Height - 1)
                    {
                        SeedRuns(rowStart + grid.Width);
                    }

                    if (vz > 0)
                    {
                        SeedRuns(rowStart - grid.Slice);
                    }

                    if (vz < grid.Depth - 1)
                    {
                        SeedRuns(rowStart + grid.Slice);
                    }

                    // One seed per run of unvisited candidates in the span [left, right] of a neighbouring row.
                    void SeedRuns(int neighbourRow)
                    {
                        var inRun = false;
                        for (var i = neighbourRow + left; i <= neighbourRow + right; i++)
                        {
                            var open = (state[i] & Relevant) == InMask;
                            if (open && !inRun)
                            {
                                if (pending == seeds.Length)
                                {
                                    Array.Resize(ref seeds, seeds.Length * 2);
                                }

                                seeds[pending++] = i;
                            }

                            inRun = open;
                        }
                    }
                }

                components.Add((first, filled - first));
            }
        }

        return components;
    }

    /// <summary>The largest and the second largest component; ties go to the one found first (raster order).</summary>
    private static ((int Start, int Length) First, (int Start, int Length)? Second) TwoLargest(List<(int Start, int Length)> components)
    {
        var first = -1;
        var second = -1;
        for (var c = 0; c < components.Count; c++)
        {
            if (first < 0 || components[c].Length > components[first].Length)
            {
                (second, first) = (first, c);
            }
            else if (second < 0 || components[c].Length > components[second].Length)
            {
                second = c;
            }
        }

        return (components[first], second < 0 ? null : components[second]);
    }

    /// <summary>
    /// README step 6, one component holding both lungs: per axial slice, the column of the band
    /// ⌈cMid − 0.15·W⌉ … ⌊cMid + 0.15·W⌋ with the fewest voxels (ties: nearest cMid, then the smaller index) is cut
    /// out; the voxels left of it form one part, those right of it the other.
    /// </summary>
    private static (ArraySegment<int> Low, ArraySegment<int> High) Split(ReadOnlySpan<int> component, Grid grid, CancellationToken cancellationToken)
    {
        long columnSum = 0;
        var walker = new CoordinateWalker(grid);
        var perColumn = new int[grid.Depth * grid.Width];
        var present = new bool[grid.Depth];
        foreach (var index in component)
        {
            var (x, _, z) = walker.Next(index);
            columnSum += x;
            perColumn[(z * grid.Width) + x]++;
            present[z] = true;
        }

        var middle = (double)columnSum / component.Length;
        var half = SplitBandFraction * grid.Width;
        var low = Math.Max(0, (int)Math.Ceiling(middle - half));
        var high = Math.Min(grid.Width - 1, (int)Math.Floor(middle + half));
        if (low > high)
        {
            // Only on grids a few columns wide: the band is then the column nearest the middle.
            low = high = Math.Clamp((int)Math.Round(middle), 0, grid.Width - 1);
        }

        var cut = new int[grid.Depth];
        for (var z = 0; z < grid.Depth; z++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!present[z])
            {
                continue;
            }

            var best = low;
            for (var c = low + 1; c <= high; c++)
            {
                int count = perColumn[(z * grid.Width) + c], bestCount = perColumn[(z * grid.Width) + best];
                if (count < bestCount || (count == bestCount && Math.Abs(c - middle) < Math.Abs(best - middle)))
                {
                    best = c;
                }
            }

            cut[z] = best;
        }

        var lowCount = 0;
        var highCount = 0;
        foreach (var index in component)
        {
            var (x, _, z) = walker.Next(index);
            lowCount += x < cut[z] ? 1 : 0;
            highCount += x > cut[z] ? 1 : 0;
        }

        var lowPart = new int[lowCount];
        var highPart = new int[highCount];
        (lowCount, highCount) = (0, 0);
        foreach (var index in component)
        {
            var (x, _, z) = walker.Next(index);
            if (x < cut[z])
            {
                lowPart[lowCount++] = index;
            }
            else if (x > cut[z])
            {
                highPart[highCount++] = index;
            }
        }

        return (lowPart, highPart);
    }

    /// <summary>Patient x (LPS, towards the patient's left) of a part's centroid; NaN when it is empty.</summary>
    private static double PatientX(Volume volume, Grid grid, ReadOnlySpan<int> voxels)
    {
        long sumX = 0, sumY = 0, sumZ = 0;
        var walker = new CoordinateWalker(grid);
        foreach (var index in voxels)
        {
            var (x, y, z) = walker.Next(index);
            sumX += x;
            sumY += y;
            sumZ += z;
        }

        double n = voxels.Length;
        return volume.Origin.X
            + ((double)volume.RowDirection.X * (sumX / n) * volume.Spacing.X)
            + ((double)volume.ColumnDirection.X * (sumY / n) * volume.Spacing.Y)
            + ((double)volume.Normal.X * (sumZ / n) * volume.Spacing.Z);
    }

    /// <summary>Reusable per-slice buffers of the hole filling.</summary>
    private sealed class SliceScratch(int sliceLength)
    {
        public bool[] Outside { get; } = new bool[sliceLength];

        public int[] Seeds { get; set; } = new int[1024];
    }

    /// <summary>
    /// README step 8 for one lung (voxels marked <paramref name="bit"/>): per axial slice, the background pixels that
    /// no 4-connected background path joins to the slice's edge become lung. Only the lung's bounding box grown by one
    /// pixel is searched: everything outside the box is background joined to the edge, so a path to the edge leaving
    /// the box passes through the box's border, from which a scanline fill marks the background reached. Returns the
    /// lung's voxels afterwards, without those marked <paramref name="excluded"/>, in ascending order.
    /// </summary>
    private static int[] FillHolesPerSlice(byte[] state, Grid grid, ReadOnlySpan<int> voxels, byte bit, byte excluded, SliceScratch scratch, CancellationToken cancellationToken)
    {
        var (w, h) = (grid.Width, grid.Height);
        var boxes = new (int X0, int Y0, int X1, int Y1)[grid.Depth];
        Array.Fill(boxes, (int.MaxValue, int.MaxValue, -1, -1));
        var walker = new CoordinateWalker(grid);
        foreach (var index in voxels)
        {
            state[index] |= bit;
            var (x, y, z) = walker.Next(index);
            ref var b = ref boxes[z];
            b = (Math.Min(b.X0, x), Math.Min(b.Y0, y), Math.Max(b.X1, x), Math.Max(b.Y1, y));
        }

        var outside = scratch.Outside;
        var total = 0;
        for (var z = 0; z < grid.Depth; z++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (boxes[z].X1 < 0)
            {
                continue;
            }

            int x0 = Math.Max(0, boxes[z].X0 - 1), y0 = Math.Max(0, boxes[z].Y0 - 1);
            int x1 = Math.Min(w - 1, boxes[z].X1 + 1), y1 = Math.Min(h - 1, boxes[z].Y1 + 1);
            boxes[z] = (x0, y0, x1, y1);
            var slice = state.AsSpan(z * grid.Slice, grid.Slice);
            MarkOutside(slice, scratch, w, x0, y0, x1, y1, bit);
            for (var y = y0; y <= y1; y++)
            {
                for (var p = (y * w) + x0; p <= (y * w) + x1; p++)
                {
                    if (!outside[p])
                    {
                        slice[p] |= bit;
                    }

                    outside[p] = false;
                    total += (slice[p] & (bit | excluded)) == bit ? 1 : 0;
                }
            }
        }

        var result = new int[total];
        var k = 0;
        for (var z = 0; z < grid.Depth; z++)
        {
            var (x0, y0, x1, y1) = boxes[z];
            if (x1 < 0)
            {
                continue;
            }

            for (var y = y0; y <= y1; y++)
            {
                for (var index = grid.Index(x0, y, z); index <= grid.Index(x1, y, z); index++)
                {
                    if ((state[index] & (bit | excluded)) == bit)
                    {
                        result[k++] = index;
                    }
                }
            }
        }

        return result;
    }

    /// <summary>Marks (scratch.Outside) the background of the box [x0, x1] × [y0, y1] 4-connected to the box's border.</summary>
    private static void MarkOutside(Span<byte> slice, SliceScratch scratch, int w, int x0, int y0, int x1, int y1, byte bit)
    {
        var outside = scratch.Outside;
        var seeds = scratch.Seeds;
        var pending = 0;
        for (var x = x0; x <= x1; x++)
        {
            Seed((y0 * w) + x, slice);
            Seed((y1 * w) + x, slice);
        }

        for (var y = y0 + 1; y < y1; y++)
        {
            Seed((y * w) + x0, slice);
            Seed((y * w) + x1, slice);
        }

        while (pending > 0)
        {
            var p = seeds[--pending];
            if (outside[p] || (slice[p] & bit) != 0)
            {
                continue;
            }

            var y = p / w;
            var row = y * w;
            var (left, right) = (p - row, p - row);
            while (left > x0 && !outside[row + left - 1] && (slice[row + left - 1] & bit) == 0)
            {
                left--;
            }

            while (right < x1 && !outside[row + right + 1] && (slice[row + right + 1] & bit) == 0)
            {
                right++;
            }

            for (var x = left; x <= right; x++)
            {
                outside[row + x] = true;
            }

            // One seed per background run beside [left, right] in the rows above and below.
            for (var neighbour = -1; neighbour <= 1; neighbour += 2)
            {
                var ny = y + neighbour;
                if (ny < y0 || ny > y1)
                {
                    continue;
                }

                var inRun = false;
                for (var q = (ny * w) + left; q <= (ny * w) + right; q++)
                {
                    var open = !outside[q] && (slice[q] & bit) == 0;
                    if (open && !inRun)
                    {
                        Seed(q, slice);
                    }

                    inRun = open;
                }
            }
        }

        scratch.Seeds = seeds;

        void Seed(int q, Span<byte> pixels)
        {
            if (outside[q] || (pixels[q] & bit) != 0)
            {
                return;
            }

            if (pending == seeds.Length)
            {
                Array.Resize(ref seeds, seeds.Length * 2);
            }

            seeds[pending++] = q;
        }
    }

    /// <summary>
    /// Coordinates of a sequence of indices, divisions only where the sequence leaves a row: voxel lists made of runs
    /// along x (as the labelling writes them) cost one division pair per run.
    /// </summary>
    private struct CoordinateWalker(Grid grid)
    {
        private int _previous = -2;
        private (int X, int Y, int Z) _last;

        public (int X, int Y, int Z) Next(int index)
        {
            _last = index == _previous + 1 && _last.X < grid.Width - 1 ? (_last.X + 1, _last.Y, _last.Z) : grid.Coordinates(index);
            _previous = index;
            return _last;
        }
    }

    /// <summary>Index arithmetic of a volume's grid (x fastest).</summary>
    private readonly record struct Grid(int Width, int Height, int Depth)
    {
        public int Slice => Width * Height;

        public int Length => Width * Height * Depth;

        public int Index(int x, int y, int z) => (((z * Height) + y) * Width) + x;

        public (int X, int Y, int Z) Coordinates(int index)
        {
            var slice = Width * Height;
            var z = index / slice;
            var rest = index - (z * slice);
            var y = rest / Width;
            return (rest - (y * Width), y, z);
        }
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

        var measures = LungMeasures.Of(volume.Data, region, [], volume.VoxelVolumeMm3);
        return new DensityIndices(measures.Laa950Percent, measures.Perc15Hu);
    }

    /// <summary>Percentile of ascending values, interpolated linearly between order statistics at rank p/100·(n − 1).</summary>
    public static double Percentile(ReadOnlySpan<float> ascending, double percent)
    {
        var rank = percent / 100.0 * (ascending.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, ascending.Length - 1);
        return ascending[low] + ((rank - low) * ((double)ascending[high] - ascending[low]));
    }
}

/// <summary>
/// Exact order statistics of float values without sorting or moving them: a radix selection on the values' 32-bit
/// keys ordered as the floats are, the high 16 bits in one pass and the low 16 bits of the one or two buckets that
/// matter in a second. Linear in the number of values whatever their order (spatially sorted CT values included).
/// </summary>
public static class OrderStatistics
{
    private const int Buckets = 1 << 16;

    /// <summary>
    /// The k-th and (k+1)-th smallest (0-based; the k-th twice when k is the last) of the values
    /// <paramref name="values"/>[i] for i in <paramref name="first"/> then <paramref name="second"/>.
    /// </summary>
    public static (float AtK, float Next) Pair(ReadOnlySpan<float> values, ReadOnlySpan<int> first, ReadOnlySpan<int> second, long k)
    {
        long n = first.Length + second.Length;
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, n);
        var next = Math.Min(k + 1, n - 1);

        var high = new long[Buckets];
        for (var part = 0; part < 2; part++)
        {
            foreach (var index in part == 0 ? first : second)
            {
                high[Key(values[index]) >> 16]++;
            }
        }

        var (bucketK, beforeK) = Find(high, k);
        var (bucketNext, beforeNext) = Find(high, next);
        var lowK = new long[Buckets];
        var lowNext = bucketNext == bucketK ? lowK : new long[Buckets];
        for (var part = 0; part < 2; part++)
        {
            foreach (var index in part == 0 ? first : second)
            {
                var key = Key(values[index]);
                var bucket = key >> 16;
                if (bucket == bucketK)
                {
                    lowK[key & 0xFFFF]++;
                }
                else if (bucket == bucketNext)
                {
                    lowNext[key & 0xFFFF]++;
                }
            }
        }

        var (lowBitsK, _) = Find(lowK, k - beforeK);
        var (lowBitsNext, _) = Find(lowNext, next - beforeNext);
        return (Value((bucketK << 16) | lowBitsK), Value((bucketNext << 16) | lowBitsNext));
    }

    /// <summary>The bucket holding the rank-th value (0-based) and how many values lie in the buckets below it.</summary>
    private static (uint Bucket, long Before) Find(long[] histogram, long rank)
    {
        long before = 0;
        for (var b = 0; b < histogram.Length; b++)
        {
            if (before + histogram[b] > rank)
            {
                return ((uint)b, before);
            }

            before += histogram[b];
        }

        throw new InvalidOperationException("Rank beyond the histogram.");
    }

    /// <summary>A key that orders as the float does: negative values have every bit flipped, positive ones the sign bit.</summary>
    private static uint Key(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        return (bits & 0x8000_0000) != 0 ? ~bits : bits | 0x8000_0000;
    }

    private static float Value(uint key) =>
        BitConverter.UInt32BitsToSingle((key & 0x8000_0000) != 0 ? key & 0x7FFF_FFFF : ~key);
}
