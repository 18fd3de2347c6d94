using System.Globalization;
using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Inference.Volumes;

namespace RadAI.Inference.Analysis;

/// <summary>
/// Exposure quality control of a radiograph (CR/DX), with no detection claim: Exposure Index, Target
/// Exposure Index and Deviation Index of IEC 62494-1 from the header (DI = 10·log10(EI/EI_T) when
/// the modality did not write it), graded with the AAPM TG-116 bands; saturated pixel fraction from
/// the package's saturation map; calibrated pixel spacing (detector spacing corrected for the
/// radiographic magnification).
/// </summary>
public sealed class ExposureQcAnalyzer : IAnalyzer
{
    /// <summary>More saturated pixels than this (percent) loses anatomy in the clipped areas.</summary>
    public const double SaturationWarningPercent = 1.0;

    public string Name => "exposure-qc";

    public AnalyzerOutput Analyze(AnalyzerInput input, CancellationToken cancellationToken)
    {
        var volume = input.Volume;
        var attributes = volume.Attributes;
        var notes = new List<RunNote>();
        var measurements = new List<Measurement>();
        var ei = Number(attributes, "ExposureIndex");
        var target = Number(attributes, "TargetExposureIndex");
        var di = Number(attributes, "DeviationIndex");
        if (di is null && ei > 0 && target > 0)
        {
            di = 10 * Math.Log10(ei.Value / target.Value);
            notes.Add(new RunNote("di-computed", "info", "Deviation Index computed from EI and EI_T (IEC 62494-1): the modality did not record it."));
        }

        if (ei is { } exposure)
        {
            measurements.Add(FindingFactory.Measure(DcmCodes.ExposureIndex, Math.Round(exposure, 1), SrCodes.Unit.NoUnits));
        }

        if (target is { } targetValue)
        {
            measurements.Add(FindingFactory.Measure(DcmCodes.TargetExposureIndex, Math.Round(targetValue, 1), SrCodes.Unit.NoUnits));
        }

        if (di is { } deviation)
        {
            measurements.Add(FindingFactory.Measure(DcmCodes.DeviationIndex, Math.Round(deviation, 2), SrCodes.Unit.NoUnits));
            if (Grade(deviation) is { } grade)
            {
                notes.Add(grade);
            }
        }
        else
        {
            notes.Add(new RunNote("exposure-index-missing", "warning", "No Exposure Index in the header (IEC 62494-1): exposure cannot be graded."));
        }

        var saturated = SaturatedPercent(input);
        measurements.Add(FindingFactory.Measure(RadAICodes.SaturatedPixelFraction, Math.Round(saturated, 3), SrCodes.Unit.Percent));
        if (saturated > SaturationWarningPercent)
        {
            notes.Add(new RunNote("saturation", "warning", $"{saturated:0.##}% of the pixels are saturated: anatomy in those areas is lost."));
        }

        if (CalibratedSpacing(attributes, notes) is { } spacing)
        {
            measurements.Add(FindingFactory.Measure(RadAICodes.CalibratedPixelSpacing, Math.Round(spacing, 4), SrCodes.Unit.Mm));
        }

        var finding = new Finding("exposure", "quality", RadAICodes.ImageQuality.ToCode(), null, null, measurements, null);
        return new AnalyzerOutput(null, [], [finding], notes);
    }

    /// <summary>AAPM TG-116 action levels of the Deviation Index.</summary>
    public static RunNote? Grade(double di) => di switch
    {
        > 3 => new RunNote("exposure-excessive", "warning", $"DI {di:+0.0;-0.0}: more than twice the target exposure; check the technique (repeat only if anatomy is clipped)."),
        > 1 => new RunNote("exposure-high", "info", $"DI {di:+0.0;-0.0}: overexposed (target range -1 to +1)."),
        >= -1 => null,
        >= -3 => new RunNote("exposure-low", "info", $"DI {di:+0.0;-0.0}: underexposed, noise may be visible (target range -1 to +1)."),
        _ => new RunNote("exposure-insufficient", "warning", $"DI {di:+0.0;-0.0}: less than half the target exposure; check diagnostic quality, a repeat may be needed."),
    };

    /// <summary>Percent of pixels the package's saturation map marks (label 1).</summary>
    private static double SaturatedPercent(AnalyzerInput input)
    {
        var labels = input.FirstSegmentationLabels();
        long count = 0;
        foreach (var label in labels)
        {
            if (label != 0)
            {
                count++;
            }
        }

        return labels.Length == 0 ? 0 : 100.0 * count / labels.Length;
    }

    /// <summary>
    /// Pixel Spacing when the modality calibrated it; else Imager Pixel Spacing divided by the
    /// Estimated Radiographic Magnification Factor; else the detector spacing, with a note.
    /// </summary>
    private static double? CalibratedSpacing(IReadOnlyDictionary<string, string> attributes, List<RunNote> notes)
    {
        if (Number(attributes, "PixelSpacing") is { } calibrated)
        {
            return calibrated;
        }

        if (Number(attributes, "ImagerPixelSpacing") is { } imager)
        {
            if (Number(attributes, "EstimatedRadiographicMagnificationFactor") is { } magnification and > 0)
            {
                return imager / magnification;
            }

            notes.Add(new RunNote("spacing-at-detector", "info", "Only the detector pixel spacing is known: distances measured on the image are at the detector plane (magnified)."));
            return imager;
        }

        notes.Add(new RunNote("spacing-unknown", "warning", "No pixel spacing in the header: distances cannot be measured on this image."));
        return null;
    }

    /// <summary>The first value of a numeric attribute copied from the header.</summary>
    private static double? Number(IReadOnlyDictionary<string, string> attributes, string keyword) =>
        attributes.TryGetValue(keyword, out var text)
        && double.TryParse(text.Split('\\')[0].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}
