using System.Globalization;
using RadAI.Contracts.Findings;
using RadAI.Dicom;

namespace RadAI.Inference.Analysis;

/// <summary>
/// Exposure quality control of a radiograph (CR/DX), exactly as models/dx-exposure-qc/README.md specifies (Python
/// reference: analyzer_reference.py), with no detection claim: Exposure Index, Target Exposure Index and Deviation
/// Index of IEC 62494-1 from the header (DI = 10·log10(EI / EI_T) when the modality did not write it) with the
/// AAPM Report 116 bands; the saturated fraction from the graph's pixel statistics and the detector's full scale;
/// the pixel spacing at the patient from the header.
/// </summary>
public sealed class ExposureQcAnalyzer : IAnalyzer
{
    /// <summary>A saturated fraction above this flags a saturated area.</summary>
    public const double SaturationFlagFraction = 0.01;

    /// <summary>The graph's outputs, by manifest name.</summary>
    public static readonly IReadOnlyList<string> StatisticNames = ["minValue", "maxValue", "meanValue", "fractionAtMax", "fractionAtMin", "fractionAtZero", "p01", "p50", "p99"];

    public string Name => "exposure-qc";

    public AnalyzerOutput Analyze(AnalyzerInput input, CancellationToken cancellationToken)
    {
        var statistics = PixelStatistics.From(input.Raw.Outputs.ToDictionary(o => o.Key, o => o.Value.Data), input.Package.Id);
        var result = Evaluate(input.Volume.Attributes, statistics);
        var notes = new List<RunNote>();
        var measurements = new List<Measurement>();
        if (result.ExposureIndex is { } ei)
        {
            measurements.Add(FindingFactory.Measure(DcmCodes.ExposureIndex, ei, SrCodes.Unit.NoUnits));
        }

        if (result.TargetExposureIndex is { } target)
        {
            measurements.Add(FindingFactory.Measure(DcmCodes.TargetExposureIndex, target, SrCodes.Unit.NoUnits));
        }

        if (result.DeviationIndex is { } di)
        {
            measurements.Add(FindingFactory.Measure(DcmCodes.DeviationIndex, Math.Round(di, 2), SrCodes.Unit.NoUnits));
            if (result.DeviationIndexSource == DeviationIndexSource.Computed)
            {
                notes.Add(new RunNote("di-computed", "info", "Deviation Index computed as 10·log10(EI / EI_T) (IEC 62494-1): the modality did not record it."));
            }

            var band = result.Band!.Value;
            notes.Add(new RunNote(BandCode(band), "info", string.Create(CultureInfo.InvariantCulture,
                $"DI {di:+0.00;-0.00;0.00}: {BandText(band)} (AAPM Report 116 suggestion, informative only; each site sets its own action levels).")));
        }
        else
        {
            notes.Add(new RunNote("di-not-available", "info", "No Deviation Index: the header has neither (0018,1413) nor Exposure Index (0018,1411) and Target Exposure Index (0018,1412) above 0."));
        }

        if (result.FullScale is { } fullScale)
        {
            measurements.Add(FindingFactory.Measure(QcCodes.FullScaleValue, fullScale, SrCodes.Unit.NoUnits));
            measurements.Add(FindingFactory.Measure(RadAICodes.SaturatedPixelFraction, Math.Round(result.SaturationFraction!.Value, 6), SrCodes.Unit.NoUnits));
            if (result.SaturationFlag)
            {
                notes.Add(new RunNote("saturated-area", "warning", string.Create(CultureInfo.InvariantCulture,
                    $"{100 * result.SaturationFraction.Value:0.##} % of the pixels are at the detector's full scale: anatomy in those areas is lost.")));
            }
        }
        else
        {
            notes.Add(new RunNote("full-scale-unknown", "info", "No Bits Stored (0028,0101) in the header: the detector's full scale, and so saturation, is unknown."));
        }

        measurements.Add(FindingFactory.Measure(QcCodes.FractionAtImageMaximum, Math.Round(statistics.FractionAtMax, 6), SrCodes.Unit.NoUnits));
        measurements.Add(FindingFactory.Measure(QcCodes.FractionAtZero, Math.Round(statistics.FractionAtZero, 6), SrCodes.Unit.NoUnits));
        measurements.Add(FindingFactory.Measure(QcCodes.FractionAtImageMinimum, Math.Round(statistics.FractionAtMin, 6), SrCodes.Unit.NoUnits));
        measurements.Add(FindingFactory.Measure(QcCodes.PixelValue, statistics.P01, SrCodes.Unit.NoUnits, QcCodes.Percentile(1)));
        measurements.Add(FindingFactory.Measure(QcCodes.PixelValue, statistics.P50, SrCodes.Unit.NoUnits, QcCodes.Percentile(50)));
        measurements.Add(FindingFactory.Measure(QcCodes.PixelValue, statistics.P99, SrCodes.Unit.NoUnits, QcCodes.Percentile(99)));
        measurements.Add(FindingFactory.Measure(QcCodes.PixelValue, statistics.MinValue, SrCodes.Unit.NoUnits, SrCodes.Measurement.Minimum));
        measurements.Add(FindingFactory.Measure(QcCodes.PixelValue, statistics.MaxValue, SrCodes.Unit.NoUnits, SrCodes.Measurement.Maximum));
        measurements.Add(FindingFactory.Measure(QcCodes.PixelValue, statistics.MeanValue, SrCodes.Unit.NoUnits, SrCodes.Measurement.Mean));

        var spacing = result.PixelSpacing;
        if (spacing is { RowMm: { } row, ColumnMm: { } column })
        {
            measurements.Add(FindingFactory.Measure(DcmCodes.VerticalPixelSpacing, Math.Round(row, 4), SrCodes.Unit.Mm));
            measurements.Add(FindingFactory.Measure(DcmCodes.HorizontalPixelSpacing, Math.Round(column, 4), SrCodes.Unit.Mm));
        }

        notes.Add(SpacingNote(spacing));
        var finding = new Finding("exposure", "quality", RadAICodes.ImageQuality, null, null, measurements, null);
        return new AnalyzerOutput(null, [], [finding], notes);
    }

    /// <summary>The README's rules on the header attributes and the graph's pixel statistics.</summary>
    public static ExposureQcResult Evaluate(IReadOnlyDictionary<string, string> attributes, PixelStatistics statistics)
    {
        var ei = HeaderNumbers.Number(attributes, "ExposureIndex");
        var target = HeaderNumbers.Number(attributes, "TargetExposureIndex");
        var di = HeaderNumbers.Number(attributes, "DeviationIndex");
        var source = DeviationIndexSource.Header;
        if (di is null)
        {
            (di, source) = ei > 0 && target > 0
                ? (10.0 * Math.Log10(ei.Value / target.Value), DeviationIndexSource.Computed)
                : ((double?)null, DeviationIndexSource.NotAvailable);
        }

        double? fullScale = null, saturation = null;
        // Bits Stored is 1..16 in practice; a corrupt value must not overflow the shift.
        if (HeaderNumbers.Number(attributes, "BitsStored") is { } bitsValue and >= 1 and <= 32)
        {
            var bits = (int)bitsValue;
            var signed = (int)(HeaderNumbers.Number(attributes, "PixelRepresentation") ?? 0) == 1;
            var top = signed ? (1L << (bits - 1)) - 1 : (1L << bits) - 1;
            var slope = HeaderNumbers.Number(attributes, "RescaleSlope") ?? 1.0;
            var intercept = HeaderNumbers.Number(attributes, "RescaleIntercept") ?? 0.0;
            fullScale = (top * slope) + intercept;
            saturation = statistics.MaxValue >= fullScale - (0.5 * Math.Abs(slope)) ? statistics.FractionAtMax : 0.0;
        }

        return new ExposureQcResult(
            ei, target, di, source, di is { } value ? BandOf(value) : null,
            fullScale, saturation, saturation > SaturationFlagFraction,
            ProjectionPixelSpacing.FromHeader(attributes));
    }

    /// <summary>AAPM Report 116 (2009), Table 2: the first band whose test holds.</summary>
    public static DeviationIndexBand BandOf(double di) => di switch
    {
        > 3.0 => DeviationIndexBand.ExcessiveExposure,
        > 1.0 => DeviationIndexBand.Overexposure,
        > 0.5 => DeviationIndexBand.SlightlyAboveTarget,
        >= -0.5 => DeviationIndexBand.TargetRange,
        >= -1.0 => DeviationIndexBand.SlightlyBelowTarget,
        >= -3.0 => DeviationIndexBand.Underexposure,
        _ => DeviationIndexBand.ExcessiveUnderexposure,
    };

    private static string BandCode(DeviationIndexBand band) => band switch
    {
        DeviationIndexBand.ExcessiveExposure => "di-excessive-exposure",
        DeviationIndexBand.Overexposure => "di-overexposure",
        DeviationIndexBand.SlightlyAboveTarget => "di-slightly-above-target",
        DeviationIndexBand.TargetRange => "di-target-range",
        DeviationIndexBand.SlightlyBelowTarget => "di-slightly-below-target",
        DeviationIndexBand.Underexposure => "di-underexposure",
        _ => "di-excessive-underexposure",
    };

    private static string BandText(DeviationIndexBand band) => band switch
    {
        DeviationIndexBand.ExcessiveExposure => "excessive exposure (DI > +3)",
        DeviationIndexBand.Overexposure => "overexposure (+1 < DI <= +3)",
        DeviationIndexBand.SlightlyAboveTarget => "slightly above target (+0.5 < DI <= +1)",
        DeviationIndexBand.TargetRange => "target range (-0.5 <= DI <= +0.5)",
        DeviationIndexBand.SlightlyBelowTarget => "slightly below target (-1 <= DI < -0.5)",
        DeviationIndexBand.Underexposure => "underexposure (-3 <= DI < -1)",
        _ => "excessive underexposure (DI < -3)",
    };

    private static RunNote SpacingNote(ProjectionPixelSpacing spacing) => spacing.Source switch
    {
        PixelSpacingSource.CalibratedAtPatient => new("spacing-calibrated", "info", $"Pixel spacing {spacing.Describe()}."),
        PixelSpacingSource.CorrectedByModality => new("spacing-corrected-by-modality", "info", $"Pixel spacing: {spacing.Describe()}."),
        PixelSpacingSource.EstimatedFromMagnificationFactor or PixelSpacingSource.EstimatedFromSourceDistances =>
            new("spacing-estimated", "info", $"Pixel spacing {spacing.Describe()}."),
        PixelSpacingSource.DetectorPlane => new("spacing-at-detector", "info", $"Pixel spacing at the {spacing.Describe()}: distances measured on the image are magnified."),
        _ => new("spacing-unknown", "warning", $"Pixel spacing {spacing.Describe()}: distances cannot be measured on this image."),
    };
}

/// <summary>Where the Deviation Index comes from.</summary>
public enum DeviationIndexSource
{
    /// <summary>Deviation Index (0018,1413) of the header.</summary>
    Header,

    /// <summary>10·log10(EI / EI_T).</summary>
    Computed,

    /// <summary>Neither: no DI.</summary>
    NotAvailable,
}

/// <summary>The Deviation Index bands of AAPM Report 116, Table 2 (with the gaps between its rows named).</summary>
public enum DeviationIndexBand
{
    /// <summary>DI &gt; +3.</summary>
    ExcessiveExposure,

    /// <summary>+1 &lt; DI ≤ +3.</summary>
    Overexposure,

    /// <summary>+0.5 &lt; DI ≤ +1.</summary>
    SlightlyAboveTarget,

    /// <summary>−0.5 ≤ DI ≤ +0.5.</summary>
    TargetRange,

    /// <summary>−1 ≤ DI &lt; −0.5.</summary>
    SlightlyBelowTarget,

    /// <summary>−3 ≤ DI &lt; −1.</summary>
    Underexposure,

    /// <summary>DI &lt; −3.</summary>
    ExcessiveUnderexposure,
}

/// <summary>The pixel statistics of the dx-exposure-qc graph (one value each).</summary>
public sealed record PixelStatistics(double MinValue, double MaxValue, double MeanValue, double FractionAtMax, double FractionAtMin, double FractionAtZero, double P01, double P50, double P99)
{
    /// <summary>From the run's outputs by name; a missing or empty output is the model's error.</summary>
    public static PixelStatistics From(IReadOnlyDictionary<string, float[]> outputs, string packageId)
    {
        double Value(string name) =>
            outputs.TryGetValue(name, out var data) && data.Length > 0
                ? data[0]
                : throw new InvalidOperationException($"Model {packageId} did not return output '{name}'.");

        return new PixelStatistics(Value("minValue"), Value("maxValue"), Value("meanValue"), Value("fractionAtMax"), Value("fractionAtMin"),
            Value("fractionAtZero"), Value("p01"), Value("p50"), Value("p99"));
    }
}

/// <summary>What exposure-qc reports.</summary>
/// <param name="ExposureIndex">EI (0018,1411).</param>
/// <param name="TargetExposureIndex">EI_T (0018,1412).</param>
/// <param name="DeviationIndex">DI, from the header or computed; null when not available.</param>
/// <param name="DeviationIndexSource">Where <paramref name="DeviationIndex"/> comes from.</param>
/// <param name="Band">Its AAPM Report 116 band.</param>
/// <param name="FullScale">The detector's full scale in modality units; null without Bits Stored.</param>
/// <param name="SaturationFraction">fractionAtMax when the image maximum is at full scale, else 0; null without <paramref name="FullScale"/>.</param>
/// <param name="SaturationFlag">More than 1 % saturated.</param>
/// <param name="PixelSpacing">The pixel spacing and its source.</param>
public sealed record ExposureQcResult(
    double? ExposureIndex,
    double? TargetExposureIndex,
    double? DeviationIndex,
    DeviationIndexSource DeviationIndexSource,
    DeviationIndexBand? Band,
    double? FullScale,
    double? SaturationFraction,
    bool SaturationFlag,
    ProjectionPixelSpacing PixelSpacing);
