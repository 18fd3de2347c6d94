using System.Numerics;
using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Inference.Packages;
using RadAI.Inference.Volumes;

namespace RadAI.Inference.Analysis;

/// <summary>Builds findings, segments and measurements in the findings document's terms.</summary>
public static class FindingFactory
{
    public static Code ToCode(this DicomCode code) => new(code.Scheme, code.Value, code.Meaning);

    public static Code ToCode(this CodeRef code) => new(code.Scheme, code.Value, code.Meaning);

    public static Vector3D ToVector(this Vector3 v) => new(Math.Round(v.X, 3), Math.Round(v.Y, 3), Math.Round(v.Z, 3));

    /// <summary>A measurement with a UCUM unit from the SR unit table.</summary>
    public static Measurement Measure(DicomCode concept, double value, DicomCode unit, DicomCode? derivation = null) =>
        Measure(concept.ToCode(), value, unit, derivation);

    /// <summary>A measurement of a concept already in the findings document's terms (e.g. <see cref="RadAICodes"/>), with a UCUM unit from the SR unit table.</summary>
    public static Measurement Measure(Code concept, double value, DicomCode unit, DicomCode? derivation = null) =>
        new(concept, value, unit.Value, unit.Meaning, derivation?.ToCode());

    /// <summary>Where a region is: centroid, box, key slice and image, longest diameter.</summary>
    public static FindingRegion Region(Volume volume, RegionMeasurements m) => new(
        m.Centroid.ToVector(),
        new Vector3D(m.BoxMin.X, m.BoxMin.Y, m.BoxMin.Z),
        new Vector3D(m.BoxMax.X, m.BoxMax.Y, m.BoxMax.Z),
        m.KeySlice,
        ToReference(volume.Slices.Count > m.KeySlice ? volume.Slices[m.KeySlice] : new SliceSource("", "", 1)),
        m.Diameter?.Start.ToVector(),
        m.Diameter?.End.ToVector());

    public static ImageReference ToReference(SliceSource source) => new(source.SopInstanceUid, source.SopClassUid, source.Frame);

    /// <summary>
    /// Volume (mL), longest diameter (mm) when measured, and for CT mean and standard deviation of
    /// attenuation (HU) — the measurements of TID 1411 for a segmented region.
    /// </summary>
    public static List<Measurement> SizeAndIntensity(Volume volume, RegionMeasurements m)
    {
        var measurements = new List<Measurement> { Measure(SrCodes.Measurement.Volume, Math.Round(m.VolumeMl, 3), SrCodes.Unit.Milliliter) };
        if (m.Diameter is { } diameter)
        {
            measurements.Add(Measure(SrCodes.Measurement.Diameter, Math.Round(diameter.LengthMm, 2), SrCodes.Unit.Mm, SrCodes.Measurement.Maximum));
        }

        if (volume.Modality == "CT")
        {
            measurements.Add(Measure(SrCodes.Measurement.AttenuationCoefficient, Math.Round(m.Mean, 1), SrCodes.Unit.HounsfieldUnit, SrCodes.Measurement.Mean));
            measurements.Add(Measure(SrCodes.Measurement.AttenuationCoefficient, Math.Round(m.StandardDeviation, 1), SrCodes.Unit.HounsfieldUnit, SrCodes.Measurement.StandardDeviation));
        }

        return measurements;
    }

    /// <summary>Writes segment <paramref name="number"/> into <paramref name="labelMap"/> at <paramref name="voxels"/>.</summary>
    public static void Paint(byte[] labelMap, ReadOnlySpan<int> voxels, int number)
    {
        foreach (var index in voxels)
        {
            labelMap[index] = (byte)number;
        }
    }
}

/// <summary>
/// The SEG categories and types that inference takes from the PS3.16 tables (RadAI's private codes are
/// <see cref="RadAICodes"/>, in RadAI.Contracts).
/// </summary>
public static class SegmentationCodes
{
    /// <summary>SEG category (CID 7150) of organs.</summary>
    public static DicomCode AnatomicalStructure { get; } = FromGroup(7150, "91723000");

    /// <summary>SEG category (CID 7150) of lesions.</summary>
    public static DicomCode MorphologicallyAbnormalStructure { get; } = FromGroup(7150, "49755003");

    /// <summary>Intracranial structure (CID 7140).</summary>
    public static DicomCode IntracranialStructure { get; } = FromGroup(7140, "128319008");

    /// <summary>A code of a context group, from the generated PS3.16 tables.</summary>
    private static DicomCode FromGroup(int cid, string value) => DicomContextGroups.Get(cid).Codes.First(c => c.Value == value);
}
