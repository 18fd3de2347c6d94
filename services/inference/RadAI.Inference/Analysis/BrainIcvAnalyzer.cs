using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Inference.Volumes;

namespace RadAI.Inference.Analysis;

/// <summary>
/// Intracranial volume on brain MR from the package's intracranial mask: largest component, holes
/// filled slice by slice, volume in mL; image QC beside it: signal-to-noise ratio (mean signal in the
/// mask over the standard deviation of the background air in the image corners, with the 0.655
/// Rayleigh correction of NEMA MS 1) and head coverage.
/// </summary>
public sealed class BrainIcvAnalyzer : IAnalyzer
{
    /// <summary>Below this SNR the volume is less trustworthy (noise, coil problem).</summary>
    public const double LowSnr = 10;

    /// <summary>Correction of the background standard deviation for magnitude (Rayleigh) noise, NEMA MS 1.</summary>
    private const double RayleighCorrection = 0.655;

    public string Name => "brain-icv";

    public AnalyzerOutput Analyze(AnalyzerInput input, CancellationToken cancellationToken)
    {
        var volume = input.Volume;
        var (sx, sy, sz) = (volume.SizeX, volume.SizeY, volume.SizeZ);
        var labels = input.FirstSegmentationLabels();
        var notes = new List<RunNote>();
        var largest = ConnectedComponents.Find3D(labels, sx, sy, sz).FirstOrDefault();
        if (largest is null)
        {
            notes.Add(new RunNote("icv-not-found", "warning", "No intracranial region found: no volume measured."));
            return new AnalyzerOutput(null, [], [], notes);
        }

        var mask = new byte[volume.VoxelCount];
        FindingFactory.Paint(mask, largest, 1);
        Morphology.FillHoles2D(mask, sx, sy, sz);
        cancellationToken.ThrowIfCancellationRequested();
        var voxels = GenericAnalyzer.Voxels(mask);
        var measured = RegionMeasurements.Compute(volume, voxels, measureDiameter: false);
        var type = RadAICodes.IntracranialStructure.ToCode();
        var segments = new List<SegmentInfo> { new(1, "Intracranial volume", RadAICodes.AnatomicalStructure.ToCode(), type, null, voxels.Length) };
        var findings = new List<Finding>
        {
            new("intracranial-volume", "organ", type, type, 1,
                [FindingFactory.Measure(SrCodes.Measurement.Volume, Math.Round(measured.VolumeMl, 1), SrCodes.Unit.Milliliter)],
                FindingFactory.Region(volume, measured)),
        };

        var snr = SignalToNoise(volume, mask, measured.Mean);
        findings.Add(new Finding("image-quality", "quality", RadAICodes.ImageQuality.ToCode(), null, null,
            [
                .. snr is { } value ? [FindingFactory.Measure(DcmCodes.SignalToNoiseRatio, Math.Round(value, 1), SrCodes.Unit.NoUnits)] : Array.Empty<Measurement>(),
                FindingFactory.Measure(RadAICodes.Slices, sz, SrCodes.Unit.NoUnits),
            ],
            null));
        if (snr < LowSnr)
        {
            notes.Add(new RunNote("low-snr", "warning", $"Signal-to-noise ratio {snr:0.0} is below {LowSnr}: the volume is less reliable."));
        }

        if (snr is null)
        {
            notes.Add(new RunNote("snr-not-measured", "info", "No background air in the image corners: SNR not measured."));
        }

        if (voxels.Any(i => i / volume.SliceLength == 0 || i / volume.SliceLength == sz - 1))
        {
            notes.Add(new RunNote("coverage-incomplete", "warning", "The intracranial region reaches the first or last slice: the head is not fully covered, the volume is underestimated."));
        }

        return new AnalyzerOutput(mask, segments, findings, notes);
    }

    /// <summary>SNR from the background in the four corners (an eighth of each side) outside the mask; null without enough background.</summary>
    private static double? SignalToNoise(Volume volume, byte[] mask, double signal)
    {
        var (sx, sy) = (volume.SizeX, volume.SizeY);
        var (cx, cy) = (Math.Max(1, sx / 8), Math.Max(1, sy / 8));
        double sum = 0, squares = 0;
        long count = 0;
        for (var z = 0; z < volume.SizeZ; z++)
        {
            for (var y = 0; y < sy; y++)
            {
                if (y >= cy && y < sy - cy)
                {
                    continue;
                }

                for (var x = 0; x < sx; x++)
                {
                    var i = volume.Index(x, y, z);
                    if ((x < cx || x >= sx - cx) && mask[i] == 0)
                    {
                        double v = volume.Data[i];
                        sum += v;
                        squares += v * v;
                        count++;
                    }
                }
            }
        }

        if (count < 100)
        {
            return null;
        }

        var mean = sum / count;
        var sd = Math.Sqrt(Math.Max(0, (squares / count) - (mean * mean)));
        return sd <= 0 ? null : RayleighCorrection * signal / sd;
    }
}
