using System.Numerics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Inference.Analysis;
using RadAI.Inference.Packages;
using RadAI.Inference.Runtime;
using RadAI.Inference.Volumes;
using Xunit;

namespace RadAI.Inference.Tests.Models;

/// <summary>
/// The nodule demo package end to end on synthetic CT: model.onnx through ModelRunner (window, resampling to 0.75 mm,
/// padding to multiples of 8), then the analyzer <c>nodule-candidates</c>, on lung with one bright sphere of known
/// size and place.
/// </summary>
public sealed class NoduleAnalyzerTests : IDisposable
{
    private readonly OnnxSessions _sessions = new(Options.Create(new InferenceOptions { UseCuda = false, WarmUp = false }), NullLogger<OnnxSessions>.Instance);
    private readonly ModelPackage _package = ModelPackage.Load(Path.Combine(ModelPackages.Folder, "ct-nodule-demo"));

    public void Dispose() => _sessions.Dispose();

    [Theory]
    // Native 0.75 mm pixels (no resampling), and 0.6 mm pixels (resampled for the model, probabilities back).
    [InlineData(0.75f, 1.0f, 10.0, 1)]
    [InlineData(0.6f, 1.25f, 7.0, 2)]
    public void A_bright_sphere_in_lung_is_found_with_its_place_and_diameter(float pixelMm, float sliceMm, double diameterMm, int seed)
    {
        // 54 × 50 mm by 30 mm of lung (-850 HU, 25 HU noise), a sphere of 20 HU centred off the grid.
        var (width, height, slices) = ((int)Math.Round(54 / pixelMm), (int)Math.Round(50 / pixelMm), (int)Math.Round(30 / sliceMm));
        var centre = new Vector3(24.3f, 26.1f, 14.6f);
        var random = new Random(seed);
        var hu = new float[width * height * slices];
        for (var z = 0; z < slices; z++)
        {
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    var inside = Vector3.Distance(new Vector3(x * pixelMm, y * pixelMm, z * sliceMm), centre) <= diameterMm / 2;
                    hu[(((z * height) + y) * width) + x] = (float)Math.Round((inside ? 20 : -850) + (25 * Gaussian(random)));
                }
            }
        }

        var volume = new Volume(width, height, slices, new Vector3(pixelMm, pixelMm, sliceMm), Vector3.Zero, Vector3.UnitX, Vector3.UnitY, hu)
        {
            Modality = "CT",
            Slices = [.. Enumerable.Range(0, slices).Select(z => new SliceSource($"1.2.826.0.1.3680043.2.1143.3.{z + 1}", "1.2.840.10008.5.1.4.1.1.2", 1))],
        };

        var raw = new ModelRunner(_sessions).Run(_package, volume, CancellationToken.None);
        var output = new NoduleCandidatesAnalyzer().Analyze(new AnalyzerInput(_package, volume, raw), CancellationToken.None);

        // One candidate, the sphere: nothing else in plain lung.
        var finding = Assert.Single(output.Findings);
        var segment = Assert.Single(output.Segments);
        Assert.Equal("DEMO Nodule candidate 1", segment.Label);
        Assert.Equal(SrCodes.Finding.Nodule.Value, finding.Type.Value);
        Assert.Contains(output.Notes, n => n.Code == "demo-output");
        var centroid = finding.Region!.Centroid;
        var offset = Vector3.Distance(new Vector3((float)centroid.X, (float)centroid.Y, (float)centroid.Z), centre);
        Assert.True(offset <= Math.Max(pixelMm, sliceMm), $"centroid {centroid} is {offset:F2} mm from the sphere's centre");
        var longAxis = finding.Measurements.Single(m => m.Concept.Value == SrCodes.Measurement.LongAxis.Value).Value;
        Assert.InRange(longAxis, diameterMm - (2 * pixelMm), diameterMm + (2 * pixelMm));
        var meanProbability = finding.Measurements.Single(m => m.Concept.Value == RadAICodes.CandidateScore.Value).Value;
        Assert.InRange(meanProbability, 0.5, 1.0);
        // The diameter's ends lie in one slice (in-plane), near the sphere's equator.
        Assert.Equal(finding.Region.DiameterStart!.Z, finding.Region.DiameterEnd!.Z);
        Assert.InRange(finding.Region.DiameterStart.Z, centre.Z - sliceMm, centre.Z + sliceMm);
        Assert.Equal(segment.VoxelCount, output.LabelMap!.Count(v => v == 1));
    }

    [Fact]
    public void Plain_lung_gives_no_candidate_and_still_the_demo_note()
    {
        var random = new Random(3);
        var volume = new Volume(40, 40, 6, new Vector3(0.75f, 0.75f, 1f), Vector3.Zero, Vector3.UnitX, Vector3.UnitY,
            [.. Enumerable.Range(0, 40 * 40 * 6).Select(_ => (float)Math.Round(-850 + (25 * Gaussian(random))))])
        { Modality = "CT" };

        var raw = new ModelRunner(_sessions).Run(_package, volume, CancellationToken.None);
        var output = new NoduleCandidatesAnalyzer().Analyze(new AnalyzerInput(_package, volume, raw), CancellationToken.None);

        Assert.Empty(output.Findings);
        Assert.Null(output.LabelMap);
        Assert.Contains(output.Notes, n => n.Code == "demo-output");
    }

    [Fact]
    public void The_in_plane_diameter_of_a_disc_is_its_diameter_within_a_pixel()
    {
        // A cylinder 12 mm across (0.5 mm pixels) and 3 slices high: in-plane 12 mm, whatever its height.
        var volume = TestVolumes.Make(40, 40, 3, new Vector3(0.5f, 0.5f, 5f), (x, y, _) =>
            ((x - 10.2) * (x - 10.2)) + ((y - 9.7) * (y - 9.7)) <= 36 ? 1f : 0f);
        var diameter = MaxDiameter.MeasureInPlane(volume, TestVolumes.Foreground(volume));
        Assert.InRange(diameter.LengthMm, 11.5, 12.5);
        Assert.Equal(diameter.Start.Z, diameter.End.Z);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
