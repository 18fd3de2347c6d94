using System.Globalization;
using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Inference.Volumes;

namespace RadAI.Inference.Analysis;

/// <summary>
/// Area percent density of a mammogram, exactly as models/mg-density/README.md specifies (Python reference:
/// analyzer_reference.py): the breast is the largest 8-connected component of the package's mask with its holes
/// filled; the chest-wall side is the image edge with more breast in a 5 % band; on MLO views the pectoral muscle
/// is cut off along a Theil–Sen line fitted to edge points of the <c>smoothed</c> intermediate output; dense tissue
/// is the part of the remaining breast above Otsu's threshold (256 bins) of the smoothed values. It works on the
/// model's grid (0.5 mm), where the README's pixel sizes are given. An area measure, not a BI-RADS category.
/// </summary>
public sealed class MammoDensityAnalyzer : IAnalyzer
{
    /// <summary>Width of the edge bands that decide the chest-wall side (fraction of the width).</summary>
    public const double SideBand = 0.05;

    /// <summary>The pectoral edge is searched in this upper fraction of the breast's rows.</summary>
    public const double SearchRows = 0.5;

    /// <summary>... and in this left fraction of the columns.</summary>
    public const double SearchColumns = 0.6;

    /// <summary>Half-distance (pixels) of the difference that finds the edge in a row.</summary>
    public const int EdgeHalf = 3;

    /// <summary>The muscle is at least this much brighter (smoothed, normalised) than the fat beyond its edge.</summary>
    public const float EdgeMinDrop = 0.05f;

    /// <summary>Fewest edge points, and fewest inliers, for a line.</summary>
    public const int MinPoints = 10;

    /// <summary>Largest distance (pixels, along x) of an inlier from the Theil–Sen line.</summary>
    public const double InlierPixels = 3.0;

    /// <summary>A pectoral region larger than this fraction of the breast is not believed.</summary>
    public const double MaxPectoralFraction = 0.4;

    /// <summary>Bins of the Otsu histogram.</summary>
    public const int Bins = 256;

    public string Name => "mammo-density";

    public AnalyzerOutput Analyze(AnalyzerInput input, CancellationToken cancellationToken)
    {
        var grid = ModelGrid.Of(input.Package, input.Volume);
        return Report(input.Volume, grid, Measure(input, grid, cancellationToken));
    }

    /// <summary>Whether View Position (0018,5101) says medio-lateral oblique.</summary>
    public static bool IsMlo(Volume volume) => HeaderNumbers.Text(volume.Attributes, "ViewPosition")?.ToUpperInvariant() == "MLO";

    /// <summary>The README's steps on the model grid of a run: the model's smoothed and breast outputs, the view.</summary>
    public static MammoDensityResult? Measure(AnalyzerInput input, ModelGrid grid, CancellationToken cancellationToken)
    {
        if (input.Volume.SizeZ != 1)
        {
            throw new InvalidOperationException($"mammo-density analyses one image; the series has {input.Volume.SizeZ} frames.");
        }

        return Measure(grid.Output(input.Raw, input.Package.Id, "smoothed"), grid.Output(input.Raw, input.Package.Id, "breast"), grid.SizeX, grid.SizeY, IsMlo(input.Volume), cancellationToken);
    }

    /// <summary>The run's label map (on the volume's grid), segments, finding and notes from a result.</summary>
    public static AnalyzerOutput Report(Volume volume, ModelGrid grid, MammoDensityResult? result)
    {
        var attributes = volume.Attributes;
        var notes = new List<RunNote> { new("area-density", "info", "Area-based percent density (2D); not a BI-RADS breast composition category.") };
        if (result is null)
        {
            notes.Add(new RunNote("breast-not-found", "warning", "No breast region found: density not measured."));
            return new AnalyzerOutput(null, [], [], notes);
        }

        // The model grid spans the image: its pixel, at the patient, is the header's spacing times the resampling ratio.
        var header = ProjectionPixelSpacing.FromHeader(attributes);
        var pixelAreaCm2 = grid.Resampled
            ? header.RowMm * grid.NativeY / grid.SizeY * (header.ColumnMm * grid.NativeX / grid.SizeX) / 100.0
            : header.RowMm * header.ColumnMm / 100.0;

        var labels = new byte[grid.VoxelCount];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = result.Pectoral[i] != 0 ? (byte)3 : result.Dense[i] != 0 ? (byte)2 : result.Breast[i] != 0 ? (byte)1 : (byte)0;
        }

        var labelMap = grid.ToNative(labels);
        var counts = new int[4];
        foreach (var label in labelMap)
        {
            counts[label]++;
        }

        var laterality = (HeaderNumbers.Text(attributes, "ImageLaterality") ?? HeaderNumbers.Text(attributes, "Laterality")) switch
        {
            "R" => SrCodes.Value.Right.ToCode(),
            "L" => SrCodes.Value.Left.ToCode(),
            _ => null,
        };
        var breastCode = SrCodes.Anatomy.Breast.ToCode();
        var category = SegmentationCodes.AnatomicalStructure.ToCode();
        var segments = new List<SegmentInfo>
        {
            new(1, "Breast (non-dense)", category, breastCode, null, counts[1], laterality),
            new(2, "Dense tissue", category, RadAICodes.DenseTissue, breastCode, counts[2], laterality),
        };
        if (counts[3] > 0)
        {
            segments.Add(new SegmentInfo(3, "Pectoral muscle", category, RadAICodes.PectoralMuscle, null, counts[3], laterality));
        }

        var measurements = new List<Measurement> { FindingFactory.Measure(DcmCodes.PercentFibroglandularTissue, Math.Round(result.PercentDensity, 2), SrCodes.Unit.Percent) };
        if (pixelAreaCm2 is { } area)
        {
            measurements.Add(FindingFactory.Measure(SrCodes.Measurement.Area, Math.Round(result.RegionPixels * area, 2), SrCodes.Unit.SquareCentimeter));
            measurements.Add(FindingFactory.Measure(RadAICodes.DenseArea, Math.Round(result.DensePixels * area, 2), SrCodes.Unit.SquareCentimeter));
        }
        else
        {
            notes.Add(new RunNote("spacing-unknown", "warning", "No pixel spacing in the header: areas are not measured, and the image was analysed as if its pixels were 1 mm (the percentage is still given)."));
        }

        measurements.Add(FindingFactory.Measure(QcCodes.DenseTissueThreshold, Math.Round(result.DenseThreshold, 4), SrCodes.Unit.NoUnits));
        var tissue = GenericAnalyzer.Voxels(labelMap).Where(i => labelMap[i] is 1 or 2).ToArray();
        var finding = new Finding("breast-density", "organ", breastCode, breastCode, null, measurements,
            tissue.Length > 0 ? FindingFactory.Region(volume, RegionMeasurements.Compute(volume, tissue, measureDiameter: false)) : null, laterality);
        notes.Add(PectoralNote(result));
        notes.Add(new RunNote("chest-wall-side", "info", result.ChestWallRight
            ? "Chest wall on the right of the image (the image was mirrored for the pectoral search)."
            : "Chest wall on the left of the image."));
        return new AnalyzerOutput(labelMap, segments, [finding], notes);
    }

    /// <summary>
    /// The README's steps on the model grid (<paramref name="width"/> × <paramref name="height"/>, rows from the top):
    /// the model's <paramref name="smoothed"/> and <paramref name="breast"/> outputs. Null when there is no breast.
    /// </summary>
    public static MammoDensityResult? Measure(ReadOnlySpan<float> smoothed, ReadOnlySpan<float> breast, int width, int height, bool mlo, CancellationToken cancellationToken)
    {
        var b = MaskOps.LargestComponent(MaskOps.AtLeast(breast, 0.5), width, height, 1, fullConnectivity: true);
        if (MaskOps.Count(b) == 0)
        {
            return null;
        }

        b = Planar.FillHoles(b, width, height);
        var s = smoothed.ToArray();
        var band = (int)Math.Ceiling(SideBand * width);
        long left = 0, right = 0;
        for (var y = 0; y < height; y++)
        {
            for (var k = 0; k < band; k++)
            {
                left += b[(y * width) + k];
                right += b[(y * width) + width - band + k];
            }
        }

        var chestWallRight = right > left;
        if (chestWallRight)
        {
            b = Planar.MirrorX<byte>(b, width, height);
            s = Planar.MirrorX<float>(s, width, height);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var pectoral = mlo ? Pectoral(b, s, width, height) : new PectoralSearch(new byte[b.Length], PectoralOutcome.NotMloView, 0, 0, null);
        var region = new byte[b.Length];
        for (var i = 0; i < region.Length; i++)
        {
            region[i] = (byte)(b[i] & (1 - pectoral.Mask[i]));
        }

        var (dense, threshold) = Otsu(region, s);
        var pectoralMask = pectoral.Mask;
        if (chestWallRight)
        {
            b = Planar.MirrorX<byte>(b, width, height);
            pectoralMask = Planar.MirrorX<byte>(pectoralMask, width, height);
            dense = Planar.MirrorX<byte>(dense, width, height);
        }

        var regionPixels = MaskOps.Count(region);
        var densePixels = MaskOps.Count(dense);
        return new MammoDensityResult(b, pectoralMask, dense, regionPixels, densePixels, 100.0 * densePixels / regionPixels,
            pectoral.Outcome, pectoral.EdgePoints, pectoral.Inliers, pectoral.Line, chestWallRight, threshold);
    }

    /// <summary>Step 3 on a breast whose chest wall is at x = 0.</summary>
    private static PectoralSearch Pectoral(byte[] b, float[] s, int width, int height)
    {
        int yTop = -1, yBottom = -1;
        for (var y = 0; y < height; y++)
        {
            if (b.AsSpan(y * width, width).Contains((byte)1))
            {
                yTop = yTop < 0 ? y : yTop;
                yBottom = y;
            }
        }

        var none = new byte[b.Length];
        var searchEnd = yTop + (int)Math.Floor(SearchRows * (yBottom - yTop + 1));
        var columnLimit = (int)Math.Floor(SearchColumns * width);
        var ys = new List<double>();
        var xs = new List<double>();
        for (var y = yTop; y < searchEnd; y++)
        {
            var row = y * width;
            var lastColumn = b.AsSpan(row, width).LastIndexOf((byte)1);
            if (lastColumn < 0)
            {
                continue;
            }

            var high = Math.Min(lastColumn - EdgeHalf, columnLimit);
            if (high < EdgeHalf)
            {
                continue;
            }

            var bestX = EdgeHalf;
            var bestDrop = float.NegativeInfinity;
            for (var x = EdgeHalf; x <= high; x++)
            {
                // float32, as the reference computes on the model's float32 output.
                var drop = s[row + x - EdgeHalf] - s[row + x + EdgeHalf];
                if (drop > bestDrop)
                {
                    (bestDrop, bestX) = (drop, x);
                }
            }

            if (bestDrop >= EdgeMinDrop)
            {
                ys.Add(y);
                xs.Add(bestX);
            }
        }

        if (ys.Count < MinPoints)
        {
            return new PectoralSearch(none, PectoralOutcome.EdgeNotFound, ys.Count, 0, null);
        }

        var (a, slope) = TheilSen(ys, xs);
        var inlierYs = new List<double>();
        var inlierXs = new List<double>();
        for (var i = 0; i < ys.Count; i++)
        {
            if (Math.Abs(xs[i] - (a + (slope * ys[i]))) <= InlierPixels)
            {
                inlierYs.Add(ys[i]);
                inlierXs.Add(xs[i]);
            }
        }

        if (inlierYs.Count < MinPoints || inlierYs.Count < 0.5 * ys.Count)
        {
            return new PectoralSearch(none, PectoralOutcome.EdgeNotStraight, ys.Count, inlierYs.Count, null);
        }

        (a, slope) = LeastSquares(inlierYs, inlierXs);
        if (!(slope < 0 && a + (slope * yTop) > EdgeHalf))
        {
            return new PectoralSearch(none, PectoralOutcome.LineRejected, ys.Count, inlierYs.Count, (a, slope));
        }

        var mask = new byte[b.Length];
        var count = 0;
        for (var y = 0; y < height; y++)
        {
            var edge = a + (slope * y);
            for (var x = 0; x < width; x++)
            {
                if (b[(y * width) + x] != 0 && x < edge)
                {
                    mask[(y * width) + x] = 1;
                    count++;
                }
            }
        }

        return count > MaxPectoralFraction * MaskOps.Count(b)
            ? new PectoralSearch(none, PectoralOutcome.TooLarge, ys.Count, inlierYs.Count, (a, slope))
            : new PectoralSearch(mask, PectoralOutcome.Removed, ys.Count, inlierYs.Count, (a, slope));
    }

    /// <summary>x = a + b·y: b the median of the pairwise slopes, a the median of x − b·y.</summary>
    private static (double Intercept, double Slope) TheilSen(List<double> ys, List<double> xs)
    {
        var slopes = new List<double>();
        for (var i = 0; i < ys.Count; i++)
        {
            for (var j = i + 1; j < ys.Count; j++)
            {
                if (ys[j] != ys[i])
                {
                    slopes.Add((xs[j] - xs[i]) / (ys[j] - ys[i]));
                }
            }
        }

        var slope = Median(slopes);
        return (Median([.. ys.Select((y, i) => xs[i] - (slope * y))]), slope);
    }

    private static (double Intercept, double Slope) LeastSquares(List<double> ys, List<double> xs)
    {
        double meanY = ys.Average(), meanX = xs.Average(), syy = 0, sxy = 0;
        for (var i = 0; i < ys.Count; i++)
        {
            syy += (ys[i] - meanY) * (ys[i] - meanY);
            sxy += (ys[i] - meanY) * (xs[i] - meanX);
        }

        var slope = sxy / syy;
        return (meanX - (slope * meanY), slope);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        var n = values.Count;
        return n % 2 == 1 ? values[n / 2] : (values[(n / 2) - 1] + values[n / 2]) / 2.0;
    }

    /// <summary>Step 5: Otsu's split of the smoothed values over the region; the dense mask and the threshold.</summary>
    private static (byte[] Dense, double Threshold) Otsu(byte[] region, float[] s)
    {
        var dense = new byte[region.Length];
        float lowest = float.MaxValue, highest = float.MinValue;
        for (var i = 0; i < region.Length; i++)
        {
            if (region[i] != 0)
            {
                lowest = Math.Min(lowest, s[i]);
                highest = Math.Max(highest, s[i]);
            }
        }

        double lo = lowest, hi = highest;
        if (hi <= lo)
        {
            return (dense, lo);
        }

        // Binned in float32 as the reference (numpy keeps a float32 array float32 against Python scalars).
        var span = (float)(hi - lo);
        var bins = new int[region.Length];
        var histogram = new double[Bins];
        double total = 0;
        for (var i = 0; i < region.Length; i++)
        {
            if (region[i] != 0)
            {
                float scaled = (s[i] - lowest) / span * Bins;
                bins[i] = Math.Min(Bins - 1, (int)MathF.Floor(scaled));
                histogram[bins[i]]++;
                total++;
            }
        }

        double best = -1.0;
        var bestK = 0;
        for (var k = 0; k < Bins - 1; k++)
        {
            double n0 = 0, n1 = 0, sum0 = 0, sum1 = 0;
            for (var i = 0; i < Bins; i++)
            {
                if (i <= k)
                {
                    n0 += histogram[i];
                    sum0 += i * histogram[i];
                }
                else
                {
                    n1 += histogram[i];
                    sum1 += i * histogram[i];
                }
            }

            if (n0 == 0 || n1 == 0)
            {
                continue;
            }

            var difference = (sum0 / n0) - (sum1 / n1);
            var variance = n0 / total * (n1 / total) * (difference * difference);
            if (variance > best)
            {
                (best, bestK) = (variance, k);
            }
        }

        for (var i = 0; i < region.Length; i++)
        {
            dense[i] = region[i] != 0 && bins[i] > bestK ? (byte)1 : (byte)0;
        }

        return (dense, lo + ((bestK + 1) * (hi - lo) / Bins));
    }

    private static RunNote PectoralNote(MammoDensityResult result) => result.PectoralOutcome switch
    {
        PectoralOutcome.Removed => new RunNote("pectoral-removed", "info", string.Create(CultureInfo.InvariantCulture,
            $"Pectoral muscle removed: the breast on the chest-wall side of x = {result.Line!.Value.Intercept:0.##} {result.Line.Value.Slope:+0.####;-0.####}·y (model pixels, chest wall at x = 0).")),
        PectoralOutcome.NotMloView => new RunNote("pectoral-not-searched", "info", "Not an MLO view: no pectoral muscle removed."),
        PectoralOutcome.EdgeNotFound => new RunNote("pectoral-edge-not-found", "warning",
            $"MLO view, but the pectoral edge was not found ({result.EdgePoints} edge points): nothing removed, density may be overestimated."),
        PectoralOutcome.EdgeNotStraight => new RunNote("pectoral-edge-not-straight", "warning",
            $"MLO view, but the pectoral edge is not straight ({result.Inliers} of {result.EdgePoints} points on the line): nothing removed, density may be overestimated."),
        PectoralOutcome.LineRejected => new RunNote("pectoral-line-rejected", "warning", "MLO view, but the pectoral line does not run down towards the chest wall from inside the image: nothing removed, density may be overestimated."),
        _ => new RunNote("pectoral-too-large", "warning", string.Create(CultureInfo.InvariantCulture,
            $"MLO view, but the pectoral region would be more than {100 * MaxPectoralFraction:0} % of the breast: nothing removed, density may be overestimated.")),
    };

    /// <summary>What step 3 found: the mask (chest wall at x = 0) and how it ended.</summary>
    private sealed record PectoralSearch(byte[] Mask, PectoralOutcome Outcome, int EdgePoints, int Inliers, (double Intercept, double Slope)? Line);
}

/// <summary>How the pectoral muscle search of mammo-density ended.</summary>
public enum PectoralOutcome
{
    /// <summary>Removed below the fitted line.</summary>
    Removed,

    /// <summary>Not searched: not an MLO view.</summary>
    NotMloView,

    /// <summary>Fewer than 10 edge points.</summary>
    EdgeNotFound,

    /// <summary>Too few points near the Theil–Sen line.</summary>
    EdgeNotStraight,

    /// <summary>The refitted line does not slope down towards the chest wall from inside the image.</summary>
    LineRejected,

    /// <summary>The region would be more than 40 % of the breast.</summary>
    TooLarge,
}

/// <summary>The density of a mammogram on the model grid, in the image's own orientation.</summary>
/// <param name="Breast">B: largest 8-connected component of the breast mask, holes filled (pectoral included).</param>
/// <param name="Pectoral">P: the removed pectoral muscle (empty when none).</param>
/// <param name="Dense">D: dense tissue of R = B − P.</param>
/// <param name="RegionPixels">|R|.</param>
/// <param name="DensePixels">|D|.</param>
/// <param name="PercentDensity">100 · |D| / |R|.</param>
/// <param name="PectoralOutcome">How the pectoral search ended.</param>
/// <param name="EdgePoints">Edge points found in the search rows.</param>
/// <param name="Inliers">Of them, within 3 pixels of the Theil–Sen line.</param>
/// <param name="Line">The refitted line x = a + b·y, in the frame with the chest wall at x = 0 (mirrored when <paramref name="ChestWallRight"/>).</param>
/// <param name="ChestWallRight">The chest wall was on the right (the analysis mirrored the image).</param>
/// <param name="DenseThreshold">Otsu's threshold on the smoothed, normalised values.</param>
public sealed record MammoDensityResult(
    byte[] Breast,
    byte[] Pectoral,
    byte[] Dense,
    int RegionPixels,
    int DensePixels,
    double PercentDensity,
    PectoralOutcome PectoralOutcome,
    int EdgePoints,
    int Inliers,
    (double Intercept, double Slope)? Line,
    bool ChestWallRight,
    double DenseThreshold);
