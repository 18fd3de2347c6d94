using RadAI.Contracts.Findings;
using RadAI.Dicom;

namespace RadAI.Inference.Analysis;

/// <summary>
/// Quality-control and density concepts of the brain-icv, exposure-qc and mammo-density analyzers that no
/// standard table codes, in RadAI's private scheme (<see cref="RadAICodes.Scheme"/>).
/// </summary>
public static class QcCodes
{
    /// <summary>ACR percent signal ghosting, |(T + B) − (L + R)| / (2·S) in percent.</summary>
    public static DicomCode PercentSignalGhosting { get; } = new(RadAICodes.Scheme, "PSG", "Percent signal ghosting");

    /// <summary>ACR percent integral uniformity on the 5th and 95th percentiles of the brighter half of the tissue.</summary>
    public static DicomCode PercentIntegralUniformity { get; } = new(RadAICodes.Scheme, "PIU", "Percent integral uniformity");

    /// <summary>A pixel value (stored units after the Modality LUT); the derivation says which statistic.</summary>
    public static DicomCode PixelValue { get; } = new(RadAICodes.Scheme, "PXVAL", "Pixel value");

    /// <summary>The largest value the detector can store, in modality units.</summary>
    public static DicomCode FullScaleValue { get; } = new(RadAICodes.Scheme, "FULLSCALE", "Full-scale pixel value");

    /// <summary>Fraction of the pixels equal to the image's largest value (clipping at any level).</summary>
    public static DicomCode FractionAtImageMaximum { get; } = new(RadAICodes.Scheme, "FRACMAX", "Fraction of pixels at the image maximum");

    /// <summary>Fraction of the pixels equal to the image's smallest value.</summary>
    public static DicomCode FractionAtImageMinimum { get; } = new(RadAICodes.Scheme, "FRACMIN", "Fraction of pixels at the image minimum");

    /// <summary>Fraction of the pixels equal to 0 (shutters, padding).</summary>
    public static DicomCode FractionAtZero { get; } = new(RadAICodes.Scheme, "FRACZERO", "Fraction of pixels at zero");

    /// <summary>Threshold of the dense tissue on the smoothed, normalised image (0..1).</summary>
    public static DicomCode DenseTissueThreshold { get; } = new(RadAICodes.Scheme, "DENSETHR", "Dense tissue threshold (normalised intensity)");

    /// <summary>The <paramref name="percent"/>-th percentile, as a derivation.</summary>
    public static DicomCode Percentile(int percent) => new(RadAICodes.Scheme, $"P{percent:00}", $"{Ordinal(percent)} percentile");

    private static string Ordinal(int n) => (n % 100) switch
    {
        11 or 12 or 13 => $"{n}th",
        _ => (n % 10) switch { 1 => $"{n}st", 2 => $"{n}nd", 3 => $"{n}rd", _ => $"{n}th" },
    };
}
