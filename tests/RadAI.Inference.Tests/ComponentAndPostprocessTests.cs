using System.Numerics;
using RadAI.Inference.Analysis;
using RadAI.Inference.Packages;
using RadAI.Inference.Runtime;
using Xunit;

namespace RadAI.Inference.Tests;

public sealed class ComponentAndPostprocessTests
{
    [Fact]
    public void Diagonal_neighbours_join_with_26_connectivity_and_not_with_6()
    {
        var mask = new byte[4 * 4 * 4];
        mask[0] = 1;                          // (0,0,0)
        mask[(1 * 16) + (1 * 4) + 1] = 1;     // (1,1,1): corner to corner
        mask[(3 * 16) + (3 * 4) + 3] = 1;     // (3,3,3): apart
        Assert.Equal([2, 1], ConnectedComponents.Find3D(mask, 4, 4, 4).Select(c => c.Length));
        Assert.Equal([1, 1, 1], ConnectedComponents.Find3D(mask, 4, 4, 4, fullConnectivity: false).Select(c => c.Length));
    }

    [Fact]
    public void Components_are_returned_largest_first_with_every_voxel_once()
    {
        var random = new Random(7);
        var mask = new byte[20 * 20 * 20];
        for (var i = 0; i < mask.Length; i++)
        {
            mask[i] = random.NextDouble() < 0.3 ? (byte)1 : (byte)0;
        }

        var components = ConnectedComponents.Find3D(mask, 20, 20, 20, fullConnectivity: false);
        Assert.Equal(mask.Count(v => v != 0), components.Sum(c => c.Length));
        Assert.Equal(components.SelectMany(c => c).Distinct().Count(), components.Sum(c => c.Length));
        Assert.True(components.Zip(components.Skip(1)).All(p => p.First.Length >= p.Second.Length));
    }

    [Fact]
    public void Threshold_then_minimum_size_keeps_only_components_big_enough()
    {
        // Two cubes: 3×3×3 (27 mm³) and 1 voxel, at 1 mm.
        var probabilities = new float[10 * 10 * 10];
        for (var z = 1; z < 4; z++)
        {
            for (var y = 1; y < 4; y++)
            {
                for (var x = 1; x < 4; x++)
                {
                    probabilities[(z * 100) + (y * 10) + x] = 0.9f;
                }
            }
        }

        probabilities[(8 * 100) + (8 * 10) + 8] = 0.95f;
        probabilities[(6 * 100) + (6 * 10) + 6] = 0.4f;   // below the threshold
        var spec = new ModelOutput
        {
            Name = "p",
            Kind = "segmentation",
            Labels = [new SegmentLabel(1, "Lesion", new CodeRef("SCT", "49755003", "Morphologically Abnormal Structure"), new CodeRef("SCT", "52988006", "Lesion"))],
            Postprocess = new Postprocess { Threshold = 0.5, ConnectedComponents = true, MinComponentMm3 = 10 },
        };

        var labels = Postprocessing.ToLabels(new OutputMap("p", 1, probabilities), spec, 10, 10, 10, 1.0);

        Assert.Equal(27, labels.Count(v => v == 1));
        Assert.Equal(0, labels[(8 * 100) + (8 * 10) + 8]);
    }

    [Fact]
    public void Argmax_gives_each_voxel_the_label_of_its_strongest_channel()
    {
        // Three channels over 4 voxels: background, label 1, label 2.
        float[] channels = [
            0.8f, 0.1f, 0.1f, 0.3f,
            0.1f, 0.7f, 0.2f, 0.3f,
            0.1f, 0.2f, 0.7f, 0.4f,
        ];
        var code = new CodeRef("SCT", "1", "x");
        var spec = new ModelOutput
        {
            Name = "seg",
            Kind = "segmentation",
            Labels = [new SegmentLabel(1, "A", code, code), new SegmentLabel(2, "B", code, code)],
            Postprocess = new Postprocess { Argmax = true, Threshold = null },
        };
        Assert.Equal([0, 1, 2, 2], Postprocessing.ToLabels(new OutputMap("seg", 3, channels), spec, 4, 1, 1, 1));
    }

    [Fact]
    public void A_label_map_output_is_taken_as_it_is_and_unknown_values_are_dropped()
    {
        var code = new CodeRef("SCT", "1", "x");
        var spec = new ModelOutput { Name = "l", Kind = "segmentation", Labels = [new SegmentLabel(3, "C", code, code)], Postprocess = new Postprocess { Threshold = null } };
        Assert.Equal([0, 3, 0, 3], Postprocessing.ToLabels(new OutputMap("l", 1, [0f, 3f, 7f, 2.9f]), spec, 4, 1, 1, 1));
    }

    [Fact]
    public void The_generic_analyzer_measures_each_component_as_a_lesion_with_its_own_segment()
    {
        var volume = TestVolumes.Make(30, 30, 30, new Vector3(1, 1, 1), (x, y, z) =>
            (((x - 8) * (x - 8)) + ((y - 8) * (y - 8)) + ((z - 8) * (z - 8)) <= 16) || (((x - 20) * (x - 20)) + ((y - 20) * (y - 20)) + ((z - 20) * (z - 20)) <= 36) ? 60f : -800f);
        var probabilities = volume.Data.Select(v => v > 0 ? 1f : 0f).ToArray();
        var manifest = TestPackages.Manifest("test.lesions", connectedComponents: true);
        var package = new ModelPackage(manifest, "/nonexistent");
        var raw = new ModelRunResult(new Dictionary<string, OutputMap> { ["mask"] = new("mask", 1, probabilities) }, "CPU", 1);

        var output = new GenericAnalyzer().Analyze(new AnalyzerInput(package, volume, raw), CancellationToken.None);

        Assert.Equal(2, output.Segments.Count);
        Assert.Equal(["lesion-1", "lesion-2"], output.Findings.Select(f => f.Id));
        Assert.All(output.Findings, f => Assert.Equal("lesion", f.Kind));
        // Largest first: the radius-6 sphere is segment 1, with its diameter near 12 mm and a mean of 60 HU.
        var first = output.Findings[0];
        Assert.Equal(1, first.SegmentNumber);
        Assert.InRange(first.Measurements.Single(m => m.Concept.Value == "81827009").Value, 11, 14);
        Assert.Equal(60, first.Measurements.First(m => m.Concept.Value == "112031").Value);
        Assert.Equal(output.Segments[0].VoxelCount, output.LabelMap!.Count(v => v == 1));
        Assert.Equal(output.Segments[1].VoxelCount, output.LabelMap!.Count(v => v == 2));
    }
}
