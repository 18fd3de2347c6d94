namespace RadAI.Contracts.Findings;

/// <summary>
/// RadAI's private coding scheme (designator <c>99RADAI</c>: "99" + organisation, PS3.16 8.2), for the concepts that
/// have no standard code: the one list, which inference writes into the findings document and report-builder reads
/// from it (and declares in the SR's Coding Scheme Identification Sequence). Every code is also listed in
/// docs/report-objects.md.
/// </summary>
public static class RadAICodes
{
    /// <summary>Coding Scheme Designator.</summary>
    public const string Scheme = "99RADAI";

    /// <summary>Coding Scheme Name.</summary>
    public const string SchemeName = "RadAI private codes";

    /// <summary>Coding Scheme Responsible Organization.</summary>
    public const string ResponsibleOrganization = "RadAI";

    /// <summary>%LAA-950: percentage of the lung volume below −950 HU (emphysema index). Unit: UCUM <c>%</c>.</summary>
    public static Code LowAttenuationArea950 { get; } = new(Scheme, "LAA950", "Percent of lung volume below -950 HU");

    /// <summary>Perc15: the 15th percentile of the lung attenuation histogram. Unit: <c>[hnsf'U]</c>.</summary>
    public static Code Percentile15Attenuation { get; } = new(Scheme, "PERC15", "15th percentile of lung attenuation");

    /// <summary>A detection model's probability for a candidate. Unit: <c>1</c>.</summary>
    public static Code CandidateScore { get; } = new(Scheme, "SCORE", "Model probability");

    /// <summary>Fraction of saturated pixels (radiograph quality). Unit: <c>1</c> or <c>%</c>.</summary>
    public static Code SaturatedPixelFraction { get; } = new(Scheme, "SATFRAC", "Saturated pixel fraction");

    /// <summary>Pixel spacing after calibration (radiographs without a reliable Pixel Spacing). Unit: <c>mm</c>.</summary>
    public static Code CalibratedPixelSpacing { get; } = new(Scheme, "CALPXSP", "Calibrated pixel spacing");

    /// <summary>Image quality control (a finding of kind <c>quality</c>).</summary>
    public static Code ImageQuality { get; } = new(Scheme, "IMGQC", "Image quality control");

    /// <summary>Area of dense breast tissue. Unit: <c>cm2</c>.</summary>
    public static Code DenseArea { get; } = new(Scheme, "DENSEAREA", "Dense tissue area");

    /// <summary>Dense (fibroglandular) breast tissue (a SEG segment type).</summary>
    public static Code DenseTissue { get; } = new(Scheme, "DENSE", "Dense (fibroglandular) breast tissue");

    /// <summary>Pectoral muscle (a SEG segment type).</summary>
    public static Code PectoralMuscle { get; } = new(Scheme, "PECTORAL", "Pectoral muscle");

    /// <summary>Number of slices analysed. Unit: <c>1</c>.</summary>
    public static Code Slices { get; } = new(Scheme, "SLICES", "Number of slices");

    /// <summary>The fixed codes of the scheme.</summary>
    public static IReadOnlyList<Code> All { get; } =
    [
        LowAttenuationArea950, Percentile15Attenuation, CandidateScore, SaturatedPixelFraction, CalibratedPixelSpacing,
        ImageQuality, DenseArea, DenseTissue, PectoralMuscle, Slices,
    ];

    /// <summary>A classification score or scalar output of a package, named by its manifest: value <c>{packageId}:{name}</c>.</summary>
    public static Code ModelOutput(string packageId, string name) => new(Scheme, $"{packageId}:{name}", name);

    /// <summary>
    /// True for a code of the scheme: one of <see cref="All"/>, or a package's own output (<see cref="ModelOutput"/>),
    /// whose value is <c>{packageId}:{outputName}</c> (written as Long Code Value when longer than 16 characters).
    /// </summary>
    public static bool IsDefined(Code code) =>
        code.Scheme == Scheme && (All.Any(c => c.Value == code.Value) || code.Value.Contains(':', StringComparison.Ordinal));
}
