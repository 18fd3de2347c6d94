namespace RadAI.Inference.Analysis;

/// <summary>Where the pixel spacing of a projection radiograph comes from (models/dx-exposure-qc/README.md).</summary>
public enum PixelSpacingSource
{
    /// <summary>Pixel Spacing with a Pixel Spacing Calibration Type: calibrated at the patient.</summary>
    CalibratedAtPatient,

    /// <summary>Pixel Spacing that differs from Imager Pixel Spacing (or without it): corrected by the modality.</summary>
    CorrectedByModality,

    /// <summary>Imager Pixel Spacing / Estimated Radiographic Magnification Factor.</summary>
    EstimatedFromMagnificationFactor,

    /// <summary>Imager Pixel Spacing · Distance Source to Patient / Distance Source to Detector.</summary>
    EstimatedFromSourceDistances,

    /// <summary>Imager Pixel Spacing as it is: at the detector, not corrected for magnification.</summary>
    DetectorPlane,

    /// <summary>No spacing in the header.</summary>
    Unknown,
}

/// <summary>
/// The pixel spacing of a projection radiograph (CR, DX, MG) from its header, by the first rule of
/// models/dx-exposure-qc/README.md that applies. Spacings are (row, column) in mm, as Pixel Spacing (0028,0030).
/// </summary>
/// <param name="RowMm">Spacing between rows (mm); null when unknown.</param>
/// <param name="ColumnMm">Spacing between columns (mm); null when unknown.</param>
/// <param name="Source">Which rule gave it.</param>
/// <param name="CalibrationType">Pixel Spacing Calibration Type (0028,0A02), for <see cref="PixelSpacingSource.CalibratedAtPatient"/>.</param>
/// <param name="CalibrationDescription">Pixel Spacing Calibration Description (0028,0A04), when the header has it.</param>
public sealed record ProjectionPixelSpacing(double? RowMm, double? ColumnMm, PixelSpacingSource Source, string? CalibrationType = null, string? CalibrationDescription = null)
{
    /// <summary>Two spacings closer than this (mm) are equal.</summary>
    public const double EqualWithinMm = 1e-4;

    public bool Known => RowMm is not null && ColumnMm is not null;

    /// <summary>Applies the README's rules in order to the header attributes.</summary>
    public static ProjectionPixelSpacing FromHeader(IReadOnlyDictionary<string, string> attributes)
    {
        var pixel = HeaderNumbers.Numbers(attributes, "PixelSpacing", 2);
        var imager = HeaderNumbers.Numbers(attributes, "ImagerPixelSpacing", 2);
        var magnification = HeaderNumbers.Number(attributes, "EstimatedRadiographicMagnificationFactor");
        var sourceToDetector = HeaderNumbers.Number(attributes, "DistanceSourceToDetector");
        var sourceToPatient = HeaderNumbers.Number(attributes, "DistanceSourceToPatient");
        var calibration = HeaderNumbers.Text(attributes, "PixelSpacingCalibrationType");
        if (pixel is not null && calibration is not null)
        {
            return new(pixel[0], pixel[1], PixelSpacingSource.CalibratedAtPatient, calibration, HeaderNumbers.Text(attributes, "PixelSpacingCalibrationDescription"));
        }

        if (pixel is not null && (imager is null || Math.Abs(pixel[0] - imager[0]) > EqualWithinMm || Math.Abs(pixel[1] - imager[1]) > EqualWithinMm))
        {
            return new(pixel[0], pixel[1], PixelSpacingSource.CorrectedByModality);
        }

        if (imager is not null && magnification > 0)
        {
            return new(imager[0] / magnification.Value, imager[1] / magnification.Value, PixelSpacingSource.EstimatedFromMagnificationFactor);
        }

        if (imager is not null && sourceToDetector > 0 && sourceToPatient > 0)
        {
            return new(imager[0] * sourceToPatient.Value / sourceToDetector.Value, imager[1] * sourceToPatient.Value / sourceToDetector.Value, PixelSpacingSource.EstimatedFromSourceDistances);
        }

        return imager is not null
            ? new(imager[0], imager[1], PixelSpacingSource.DetectorPlane)
            : new(null, null, PixelSpacingSource.Unknown);
    }

    /// <summary>What the source means, for a reader.</summary>
    public string Describe() => Source switch
    {
        PixelSpacingSource.CalibratedAtPatient => $"calibrated at the patient ({CalibrationType}{(CalibrationDescription is { } d ? $": {d}" : "")})",
        PixelSpacingSource.CorrectedByModality => "Pixel Spacing, corrected by the modality",
        PixelSpacingSource.EstimatedFromMagnificationFactor => "estimated at the patient: Imager Pixel Spacing / Estimated Radiographic Magnification Factor",
        PixelSpacingSource.EstimatedFromSourceDistances => "estimated at the patient: Imager Pixel Spacing × source-to-patient / source-to-detector distance",
        PixelSpacingSource.DetectorPlane => "detector plane (Imager Pixel Spacing): not corrected for magnification",
        _ => "unknown: no Pixel Spacing or Imager Pixel Spacing in the header",
    };
}
