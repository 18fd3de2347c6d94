using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Inference.Volumes;

namespace RadAI.Inference.Analysis;

/// <summary>
/// Intracranial volume and image QC on brain MR, exactly as models/mr-brain-icv/README.md specifies (Python
/// reference: analyzer_reference.py): the largest 6-connected component of the package's eroded intracranial
/// candidate, dilated back by a 5³ box and 3D hole-filled, is the ICV; beside it the SNR of NEMA MS 1 (background
/// outside the head dilated by 11³), the ACR percent signal ghosting and a percentile form of the ACR percent
/// integral uniformity. It works on the model's grid (1 mm), where the README's box sizes are given.
/// </summary>
public sealed class BrainIcvAnalyzer : IAnalyzer
{
    /// <summary>The graph's erosion of the candidate, undone on the kept component.</summary>
    public const int ReconstructBox = 5;

    /// <summary>The ICV eroded by this box (3 voxels) is where the signal is measured.</summary>
    public const int InteriorBox = 7;

    /// <summary>The head dilated by this box (5 voxels): the background is outside it.</summary>
    public const int BackgroundBox = 11;

    /// <summary>Ghosting bands start this many voxels beyond the head's bounding box.</summary>
    public const int GhostMargin = 5;

    /// <summary>Box of the local mean whose spread gives the uniformity.</summary>
    public const int SmoothBox = 5;

    /// <summary>NEMA MS 1 factor for the standard deviation of a Rayleigh-distributed (magnitude) background.</summary>
    public const double RayleighFactor = 0.655;

    public string Name => "brain-icv";

    public AnalyzerOutput Analyze(AnalyzerInput input, CancellationToken cancellationToken)
    {
        var grid = ModelGrid.Of(input.Package, input.Volume);
        return Report(input.Volume, grid, Measure(input, grid, cancellationToken));
    }

    /// <summary>The README's steps on the model grid of a run: the volume's image and the model's head and brain outputs.</summary>
    public static BrainIcvResult? Measure(AnalyzerInput input, ModelGrid grid, CancellationToken cancellationToken) =>
        Measure(
            grid.FromNative(input.Volume.Data), grid.Output(input.Raw, input.Package.Id, "head"), grid.Output(input.Raw, input.Package.Id, "brain"),
            grid.SizeX, grid.SizeY, grid.SizeZ, grid.SpacingX * grid.SpacingY * grid.SpacingZ, cancellationToken);

    /// <summary>The run's label map (the ICV on the volume's grid), segment, findings and notes from a result.</summary>
    public static AnalyzerOutput Report(Volume volume, ModelGrid grid, BrainIcvResult? result)
    {
        var notes = new List<RunNote>();
        if (result is null)
        {
            notes.Add(new RunNote("icv-not-found", "warning", "No intracranial region found (the model's intracranial candidate is empty): no volume measured."));
            return new AnalyzerOutput(null, [], [], notes);
        }

        var labelMap = grid.ToNative(result.Icv);
        var voxels = GenericAnalyzer.Voxels(labelMap);
        var type = SegmentationCodes.IntracranialStructure.ToCode();
        var segments = new List<SegmentInfo> { new(1, "Intracranial volume", SegmentationCodes.AnatomicalStructure.ToCode(), type, null, voxels.Length) };
        var findings = new List<Finding>
        {
            new("intracranial-volume", "organ", type, type, 1,
                [FindingFactory.Measure(SrCodes.Measurement.Volume, Math.Round(result.IcvMl, 1), SrCodes.Unit.Milliliter)],
                voxels.Length > 0 ? FindingFactory.Region(volume, RegionMeasurements.Compute(volume, voxels, measureDiameter: false)) : null),
        };

        var quality = result.Quality;
        var measurements = new List<Measurement>();
        if (quality.Snr is { } snr)
        {
            measurements.Add(FindingFactory.Measure(DcmCodes.SignalToNoiseRatio, Math.Round(snr, 2), SrCodes.Unit.NoUnits));
        }

        if (quality.GhostingPercent is { } ghosting)
        {
            measurements.Add(FindingFactory.Measure(QcCodes.PercentSignalGhosting, Math.Round(ghosting, 2), SrCodes.Unit.Percent));
        }

        if (quality.UniformityPercent is { } uniformity)
        {
            measurements.Add(FindingFactory.Measure(QcCodes.PercentIntegralUniformity, Math.Round(uniformity, 2), SrCodes.Unit.Percent));
        }

        if (measurements.Count > 0)
        {
            findings.Add(new Finding("image-quality", "quality", RadAICodes.ImageQuality, null, null, measurements, null));
        }

        if (quality.Signal is null)
        {
            notes.Add(new RunNote("quality-not-measured", "warning", $"The intracranial region is thinner than {InteriorBox} voxels everywhere: no signal, SNR, ghosting or uniformity measured."));
        }
        else
        {
            if (quality.SnrUnavailable is { } reason)
            {
                notes.Add(new RunNote("snr-not-measured", "info", reason switch
                {
                    SnrUnavailable.NoBackground => "No background at least 5 mm from the head: SNR not measured.",
                    SnrUnavailable.BackgroundMostlyZero => "More than half of the background is exactly 0 (masked or zero-filled by the scanner): SNR not measured.",
                    _ => "The background has no noise (standard deviation 0): SNR not measured.",
                }));
            }

            if (quality.GhostingPercent is null)
            {
                notes.Add(new RunNote("ghosting-not-measured", "info", $"The head leaves no background band beyond {GhostMargin} mm on one of its four sides (or there is no head): ghosting not measured."));
            }
        }

        if (result.TouchesEndSlice)
        {
            notes.Add(new RunNote("coverage-incomplete", "warning", "The intracranial region reaches the first or last slice: the head is not fully covered, the volume is underestimated."));
        }

        return new AnalyzerOutput(labelMap, segments, findings, notes);
    }

    /// <summary>
    /// The README's steps on the model grid: <paramref name="image"/> as the model saw it, the model's
    /// <paramref name="head"/> and <paramref name="brain"/> outputs. Null when the candidate is empty.
    /// </summary>
    public static BrainIcvResult? Measure(ReadOnlySpan<float> image, ReadOnlySpan<float> head, ReadOnlySpan<float> brain, int sx, int sy, int sz, double voxelVolumeMm3, CancellationToken cancellationToken)
    {
        var candidate = MaskOps.AtLeast(brain, 0.5);
        var kept = MaskOps.LargestComponent(candidate, sx, sy, sz, fullConnectivity: false);
        var icvVoxels = MaskOps.Count(kept);
        if (icvVoxels == 0)
        {
            return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var icv = MaskOps.FillHoles3D(MaskOps.DilateBox(kept, sx, sy, sz, ReconstructBox), sx, sy, sz);
        icvVoxels = MaskOps.Count(icv);
        var slice = sx * sy;
        var touchesEnd = false;
        for (var i = 0; i < slice && !touchesEnd; i++)
        {
            touchesEnd = icv[i] != 0 || icv[((sz - 1) * slice) + i] != 0;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var headMask = MaskOps.AtLeast(head, 0.5);
        var background = MaskOps.DilateBox(headMask, sx, sy, sz, BackgroundBox);
        for (var i = 0; i < background.Length; i++)
        {
            background[i] = (byte)(1 - background[i]);
        }

        var quality = Quality(image, headMask, icv, background, sx, sy, sz, cancellationToken);
        return new BrainIcvResult(icv, icvVoxels, icvVoxels * voxelVolumeMm3 / 1000.0, background, quality, touchesEnd);
    }

    private static BrainImageQuality Quality(ReadOnlySpan<float> image, byte[] head, byte[] icv, byte[] background, int sx, int sy, int sz, CancellationToken cancellationToken)
    {
        var interior = MaskOps.ErodeBox(icv, sx, sy, sz, InteriorBox);
        var signal = Mean(image, interior);
        if (signal is not { } s)
        {
            return new BrainImageQuality(null, null, null, null, null);
        }

        // SNR: NEMA MS 1 on the background, population standard deviation.
        double? snr = null;
        SnrUnavailable? unavailable = null;
        long count = 0, zeros = 0;
        double sum = 0;
        for (var i = 0; i < image.Length; i++)
        {
            if (background[i] != 0)
            {
                count++;
                zeros += image[i] == 0 ? 1 : 0;
                sum += image[i];
            }
        }

        if (count == 0)
        {
            unavailable = SnrUnavailable.NoBackground;
        }
        else if (2 * zeros > count)
        {
            unavailable = SnrUnavailable.BackgroundMostlyZero;
        }
        else
        {
            var mean = sum / count;
            double squares = 0;
            for (var i = 0; i < image.Length; i++)
            {
                if (background[i] != 0)
                {
                    var d = image[i] - mean;
                    squares += d * d;
                }
            }

            var sd = Math.Sqrt(squares / count);
            if (sd > 0)
            {
                snr = RayleighFactor * s / sd;
            }
            else
            {
                unavailable = SnrUnavailable.NoNoise;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var ghosting = Ghosting(image, head, background, sx, sy, sz) is { } bands
            ? 100.0 * Math.Abs((bands.Top + bands.Bottom) - (bands.Left + bands.Right)) / (2.0 * s)
            : (double?)null;

        cancellationToken.ThrowIfCancellationRequested();
        var smooth = MaskOps.BoxMean(image, sx, sy, sz, SmoothBox);
        var values = new double[MaskOps.Count(interior)];
        for (int i = 0, k = 0; i < smooth.Length; i++)
        {
            if (interior[i] != 0)
            {
                values[k++] = smooth[i];
            }
        }

        Array.Sort(values);
        var n = values.Length;
        var median = n % 2 == 1 ? values[n / 2] : (values[(n / 2) - 1] + values[n / 2]) / 2.0;
        // The values at or above the median: a suffix of the sorted values.
        var first = Array.FindIndex(values, v => v >= median);
        ReadOnlySpan<double> upper = values.AsSpan(first);
        var p5 = Percentile(upper, 5.0);
        var p95 = Percentile(upper, 95.0);
        var uniformity = 100.0 * (1.0 - ((p95 - p5) / (p95 + p5)));
        return new BrainImageQuality(s, snr, unavailable, ghosting, uniformity);
    }

    /// <summary>Mean values of the four background bands around the head's bounding box; null when a band is empty or there is no head.</summary>
    private static (double Top, double Bottom, double Left, double Right)? Ghosting(ReadOnlySpan<float> image, byte[] head, byte[] background, int sx, int sy, int sz)
    {
        int y0 = int.MaxValue, y1 = -1, x0 = int.MaxValue, x1 = -1;
        var slicesWithHead = new bool[sz];
        for (var z = 0; z < sz; z++)
        {
            for (var y = 0; y < sy; y++)
            {
                for (var x = 0; x < sx; x++)
                {
                    if (head[(((z * sy) + y) * sx) + x] != 0)
                    {
                        slicesWithHead[z] = true;
                        (y0, y1, x0, x1) = (Math.Min(y0, y), Math.Max(y1, y), Math.Min(x0, x), Math.Max(x1, x));
                    }
                }
            }
        }

        if (y1 < 0)
        {
            return null;
        }

        Span<double> sums = stackalloc double[4];
        Span<long> counts = stackalloc long[4];
        for (var z = 0; z < sz; z++)
        {
            if (!slicesWithHead[z])
            {
                continue;
            }

            for (var y = 0; y < sy; y++)
            {
                for (var x = 0; x < sx; x++)
                {
                    var i = (((z * sy) + y) * sx) + x;
                    if (background[i] == 0)
                    {
                        continue;
                    }

                    var inColumns = x >= x0 && x <= x1;
                    var inRows = y >= y0 && y <= y1;
                    // Bands: top, bottom, left, right (a voxel can be in at most one: rows and columns exclude each other).
                    var band = inColumns && y < y0 - GhostMargin ? 0
                        : inColumns && y > y1 + GhostMargin ? 1
                        : inRows && x < x0 - GhostMargin ? 2
                        : inRows && x > x1 + GhostMargin ? 3
                        : -1;
                    if (band >= 0)
                    {
                        sums[band] += image[i];
                        counts[band]++;
                    }
                }
            }
        }

        for (var b = 0; b < 4; b++)
        {
            if (counts[b] == 0)
            {
                return null;
            }
        }

        return (sums[0] / counts[0], sums[1] / counts[1], sums[2] / counts[2], sums[3] / counts[3]);
    }

    private static double? Mean(ReadOnlySpan<float> image, byte[] mask)
    {
        double sum = 0;
        long count = 0;
        for (var i = 0; i < image.Length; i++)
        {
            if (mask[i] != 0)
            {
                sum += image[i];
                count++;
            }
        }

        return count == 0 ? null : sum / count;
    }

    /// <summary>Percentile of ascending values, linear between order statistics at rank p/100·(n − 1).</summary>
    private static double Percentile(ReadOnlySpan<double> ascending, double percent)
    {
        var rank = percent / 100.0 * (ascending.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, ascending.Length - 1);
        return ascending[low] + ((rank - low) * (ascending[high] - ascending[low]));
    }
}

/// <summary>Why the SNR of a brain MR was not measured.</summary>
public enum SnrUnavailable
{
    /// <summary>No voxel at least 5 mm from the head.</summary>
    NoBackground,

    /// <summary>More than half of the background is exactly 0 (masked background).</summary>
    BackgroundMostlyZero,

    /// <summary>The background's standard deviation is 0.</summary>
    NoNoise,
}

/// <summary>The ICV of a brain MR on the model grid, with its image QC.</summary>
/// <param name="Icv">The ICV mask F (model grid).</param>
/// <param name="IcvVoxels">|F|.</param>
/// <param name="IcvMl">|F| · voxel volume / 1000.</param>
/// <param name="Background">The SNR background G: outside the head dilated by an 11³ box.</param>
/// <param name="Quality">SNR, ghosting and uniformity.</param>
/// <param name="TouchesEndSlice">F reaches the first or last slice (incomplete coverage).</param>
public sealed record BrainIcvResult(byte[] Icv, int IcvVoxels, double IcvMl, byte[] Background, BrainImageQuality Quality, bool TouchesEndSlice);

/// <summary>Image QC of a brain MR (README steps 5–9); null values were not measurable.</summary>
/// <param name="Signal">S: mean of the image 3 voxels inside the ICV; null when that interior is empty (then nothing is measured).</param>
/// <param name="Snr">0.655 · S / SD(background).</param>
/// <param name="SnrUnavailable">Why <paramref name="Snr"/> is null.</param>
/// <param name="GhostingPercent">100 · |(T + B) − (L + R)| / (2·S).</param>
/// <param name="UniformityPercent">100 · (1 − (P95 − P5) / (P95 + P5)) of the brighter half of the 5³ local means.</param>
public sealed record BrainImageQuality(double? Signal, double? Snr, SnrUnavailable? SnrUnavailable, double? GhostingPercent, double? UniformityPercent);
