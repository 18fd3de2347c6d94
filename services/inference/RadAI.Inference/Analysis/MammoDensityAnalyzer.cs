using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Inference.Volumes;

namespace RadAI.Inference.Analysis;

/// <summary>
/// Area percent density of a mammogram: breast mask from the package (largest region, holes filled),
/// pectoral muscle removed on MLO views (the bright region in the upper chest-wall corner), dense
/// tissue = breast pixels above Otsu's threshold of the breast's intensities, percent density =
/// dense area / breast area. An area (2D) measure, not a BI-RADS density category.
/// </summary>
public sealed class MammoDensityAnalyzer : IAnalyzer
{
    /// <summary>A pectoral region larger than this share of the breast is not believed (dense tissue joined it).</summary>
    private const double MaxPectoralShare = 0.35;

    public string Name => "mammo-density";

    public AnalyzerOutput Analyze(AnalyzerInput input, CancellationToken cancellationToken)
    {
        var volume = input.Volume;
        var (sx, sy) = (volume.SizeX, volume.SizeY);
        var notes = new List<RunNote> { new("area-density", "info", "Area-based percent density (2D); not a BI-RADS breast composition category.") };
        var labels = input.FirstSegmentationLabels();
        var breastRegion = ConnectedComponents.Find2D(labels.AsSpan(0, volume.SliceLength), sx, sy).FirstOrDefault();
        if (breastRegion is null)
        {
            notes.Add(new RunNote("breast-not-found", "warning", "No breast region found: density not measured."));
            return new AnalyzerOutput(null, [], [], notes);
        }

        var breast = new byte[volume.SliceLength];
        FindingFactory.Paint(breast, breastRegion, 1);
        Morphology.FillHoles2D(breast, sx, sy, 1);
        var brightness = Brightness(volume);
        var chestWallLeft = ColumnCount(breast, sx, sy, 0, 8) >= ColumnCount(breast, sx, sy, sx - 8, sx);
        var view = volume.Attributes.GetValueOrDefault("ViewPosition", "").Trim().ToUpperInvariant();
        var labelMap = new byte[volume.SliceLength];
        FindingFactory.Paint(labelMap, GenericAnalyzer.Voxels(breast), 1);
        var pectoral = view.Contains("MLO", StringComparison.Ordinal) ? Pectoral(breast, brightness, sx, sy, chestWallLeft, notes) : null;
        if (pectoral is not null)
        {
            FindingFactory.Paint(breast, pectoral, 0);
            FindingFactory.Paint(labelMap, pectoral, 3);
        }

        var tissue = GenericAnalyzer.Voxels(breast);
        var threshold = Morphology.Otsu([.. tissue.Select(i => brightness[i])]);
        var dense = tissue.Where(i => brightness[i] > threshold).ToArray();
        FindingFactory.Paint(labelMap, dense, 2);
        var pixelArea = (double)volume.Spacing.X * volume.Spacing.Y / 100.0;
        var breastArea = tissue.Length * pixelArea;
        var denseArea = dense.Length * pixelArea;
        var percent = tissue.Length == 0 ? 0 : 100.0 * dense.Length / tissue.Length;
        var laterality = volume.Attributes.GetValueOrDefault("ImageLaterality", volume.Attributes.GetValueOrDefault("Laterality", "")).Trim() switch
        {
            "R" => SrCodes.Value.Right.ToCode(),
            "L" => SrCodes.Value.Left.ToCode(),
            _ => null,
        };

        var breastCode = SrCodes.Anatomy.Breast.ToCode();
        var category = RadAICodes.AnatomicalStructure.ToCode();
        var segments = new List<SegmentInfo>
        {
            new(1, "Breast (non-dense)", category, breastCode, null, tissue.Length - dense.Length, laterality),
            new(2, "Dense tissue", category, RadAICodes.DenseTissue.ToCode(), breastCode, dense.Length, laterality),
        };
        if (pectoral is not null)
        {
            segments.Add(new SegmentInfo(3, "Pectoral muscle", category, RadAICodes.PectoralMuscle.ToCode(), null, pectoral.Length, laterality));
        }

        var measuredBreast = RegionMeasurements.Compute(volume, tissue, measureDiameter: false);
        var finding = new Finding("breast-density", "organ", breastCode, breastCode, null,
            [
                FindingFactory.Measure(DcmCodes.PercentFibroglandularTissue, Math.Round(percent, 1), SrCodes.Unit.Percent),
                FindingFactory.Measure(SrCodes.Measurement.Area, Math.Round(breastArea, 1), SrCodes.Unit.SquareCentimeter),
                FindingFactory.Measure(RadAICodes.DenseArea, Math.Round(denseArea, 1), SrCodes.Unit.SquareCentimeter),
            ],
            FindingFactory.Region(volume, measuredBreast), laterality);
        if (!volume.Attributes.ContainsKey("PixelSpacing") && !volume.Attributes.ContainsKey("ImagerPixelSpacing"))
        {
            notes.Add(new RunNote("spacing-unknown", "warning", "No pixel spacing: areas are in pixels of 1 mm, the percentage is still valid."));
        }

        return new AnalyzerOutput(labelMap, segments, [finding], notes);
    }

    /// <summary>Pixel values with brighter = more attenuating (MONOCHROME1 images are inverted).</summary>
    private static float[] Brightness(Volume volume)
    {
        var values = volume.Data.AsSpan(0, volume.SliceLength).ToArray();
        if (volume.Attributes.GetValueOrDefault("PhotometricInterpretation", "").Trim() == "MONOCHROME1")
        {
            var (min, max) = (values.Min(), values.Max());
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = max + min - values[i];
            }
        }

        return values;
    }

    private static int ColumnCount(byte[] mask, int sx, int sy, int from, int to)
    {
        var count = 0;
        for (var y = 0; y < sy; y++)
        {
            for (var x = Math.Max(0, from); x < Math.Min(sx, to); x++)
            {
                count += mask[(y * sx) + x];
            }
        }

        return count;
    }

    /// <summary>
    /// The pectoral muscle of an MLO view: among the breast's pixels brighter than Otsu's threshold,
    /// the region that reaches the top rows at the chest wall, kept to the upper 60% of the image.
    /// </summary>
    private static int[]? Pectoral(byte[] breast, float[] brightness, int sx, int sy, bool chestWallLeft, List<RunNote> notes)
    {
        var inside = GenericAnalyzer.Voxels(breast);
        var threshold = Morphology.Otsu([.. inside.Select(i => brightness[i])]);
        var bright = new byte[breast.Length];
        var maxRow = (int)(sy * 0.6);
        foreach (var i in inside)
        {
            if (brightness[i] > threshold && i / sx < maxRow)
            {
                bright[i] = 1;
            }
        }

        var cornerWidth = Math.Max(2, sx / 10);
        var cornerHeight = Math.Max(2, sy / 20);
        bool InCorner(int i)
        {
            var (x, y) = (i % sx, i / sx);
            return y < cornerHeight && (chestWallLeft ? x < cornerWidth : x >= sx - cornerWidth);
        }

        var region = ConnectedComponents.Find2D(bright, sx, sy).FirstOrDefault(r => r.Any(InCorner));
        if (region is null)
        {
            notes.Add(new RunNote("pectoral-not-found", "info", "MLO view without a visible pectoral muscle in the upper chest-wall corner: nothing removed."));
            return null;
        }

        if (region.Length > inside.Length * MaxPectoralShare)
        {
            notes.Add(new RunNote("pectoral-uncertain", "warning", "The pectoral muscle could not be told apart from dense tissue: it was not removed, density may be overestimated."));
            return null;
        }

        return region;
    }
}
