using System.Numerics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Inference.Analysis;
using RadAI.Inference.Packages;
using RadAI.Inference.Runtime;
using RadAI.Inference.Volumes;
using RadAI.Testing;
using Xunit;

namespace RadAI.Inference.Tests.Models;

/// <summary>
/// The analyzer <c>lung-quantification</c> in C# against models/ct-lung-quant/analyzer_reference.py (Debian's
/// /usr/bin/python3 with numpy and scipy): chest phantoms run through <c>model.onnx</c> by RadAI's ModelRunner, then
/// both analyzers on the same HU volume, mask and spacing must give identical right and left masks and the same
/// measures. Each phantom takes one path of the README's steps, which the test also checks, and the lungs found must
/// be the phantom's true lungs, on the true side.
/// </summary>
public sealed class LungAnalyzerTests(LungAnalyzerTests.ReferenceRuns runs) : IClassFixture<LungAnalyzerTests.ReferenceRuns>
{
    private const string Package = "ct-lung-quant";

    /// <summary>A phantom, how its volume is oriented, and the path the analysis must take on it.</summary>
    /// <param name="Name">Case name.</param>
    /// <param name="Phantom">The chest phantom, run through model.onnx; null for a crafted mask.</param>
    /// <param name="Flipped">Row direction (-1, 0, 0), so that the patient's left is the low column index and, the normal being row × column, the first slice the most superior.</param>
    /// <param name="AirwayNote">The airway note expected (README step 3-4); null: no lung at all.</param>
    /// <param name="Split">Whether the lungs must be split at the junction.</param>
    /// <param name="Crafted">A volume and a lung mask made by hand (no model run), for the rules' ties and edges.</param>
    internal sealed record Case(string Name, ChestPhantomOptions? Phantom, bool Flipped, string? AirwayNote, bool Split, Func<(Volume Volume, float[] Lung)>? Crafted = null);

    internal static IReadOnlyList<Case> Cases { get; } =
    [
        new("normal", new ChestPhantomOptions { Seed = 1 }, false, "airway grown at HU <= -950", false),
        // Finer grid, more noise and fractional HU values (Perc15 then interpolates between distinct values).
        new("normal-finer", new ChestPhantomOptions { Seed = 2, Depth = 60, SliceMm = 4, Height = 84, Width = 92, PixelMm = 3.9, NoiseHu = 25, IntegerHu = false }, false, "airway grown at HU <= -950", false),
        new("touching", new ChestPhantomOptions { Seed = 3, LungGapMm = -6 }, false, "airway grown at HU <= -950", true),
        new("no-trachea", new ChestPhantomOptions { Seed = 4, Airway = false }, false, "airway seed not found", false),
        // Lungs darker than every threshold: the airway grows into them each time.
        new("airway-leaks", new ChestPhantomOptions { Seed = 5, LungHu = -1000, GradientHu = 0, NoiseHu = 4, PocketsPerLung = 0 }, false, "airway leaked into the lungs at every threshold: not removed", true),
        // Lungs at about -962 HU: the airway leaks at -950 and stays in the bronchi at -975.
        new("airway-at-975", new ChestPhantomOptions { Seed = 6, LungHu = -962, GradientHu = 0, NoiseHu = 3, PocketsPerLung = 0 }, false, "airway grown at HU <= -975", false),
        new("flipped-rows", new ChestPhantomOptions { Seed = 7 }, true, "airway grown at HU <= -950", false),
        new("no-lungs", new ChestPhantomOptions { Seed = 8, Lungs = false, WithoutBody = true }, false, null, false),
        new("crafted-split-ties", null, false, "airway seed not found", true, CraftedSplitTies),
        new("crafted-seed-ties", null, false, "airway grown at HU <= -950", false, CraftedSeedTies),
        new("crafted-edges", null, false, "airway grown at HU <= -950", false, CraftedEdges),
    ];

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases)
        {
            data.Add(c.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void The_csharp_analyzer_gives_the_masks_and_measures_of_the_python_reference(string name)
    {
        var run = runs[name];
        var output = new LungQuantificationAnalyzer().Analyze(new AnalyzerInput(runs.Package, run.Volume, run.Raw), CancellationToken.None);
        var result = LungQuantification.Run(run.Volume, run.Raw.Outputs["lung"].Data, CancellationToken.None);
        var reference = run.Reference;
        if (reference.TryGetProperty("error", out var error))
        {
            Assert.Equal("no lung found", error.GetString());
            Assert.Null(result);
            Assert.Null(output.LabelMap);
            Assert.Contains(output.Notes, n => n.Code == "lung-not-found");
            return;
        }

        Assert.NotNull(result);
        var expectedLabels = run.ReferenceLabels!;
        var labelMap = output.LabelMap!;
        Assert.Equal(expectedLabels.Length, labelMap.Length);
        var differences = 0;
        var firstDifference = -1;
        for (var i = 0; i < labelMap.Length; i++)
        {
            if (labelMap[i] != expectedLabels[i])
            {
                differences++;
                firstDifference = firstDifference < 0 ? i : firstDifference;
            }
        }

        Assert.True(differences == 0, $"{differences} voxels differ from the reference's labels, the first at index {firstDifference} (C# {(firstDifference < 0 ? 0 : labelMap[firstDifference])}, Python {(firstDifference < 0 ? 0 : expectedLabels[firstDifference])})");
        Assert.Equal(result.LabelMap, labelMap);
        Assert.Equal(expectedLabels.Count(v => v == 1), result.RightVoxels.Length);
        Assert.Equal(expectedLabels.Count(v => v == 2), result.LeftVoxels.Length);

        AssertMeasures(reference.GetProperty("right"), result.Right, "right");
        AssertMeasures(reference.GetProperty("left"), result.Left, "left");
        AssertMeasures(reference.GetProperty("total"), result.Both, "both");
        Assert.Equal(reference.GetProperty("airwayNote").GetString(), result.Airway.Note);
        Assert.Equal(reference.GetProperty("split").GetBoolean(), result.Split);
        Assert.Equal(reference.GetProperty("componentsDropped").GetInt32(), result.ComponentsDropped);

        // The findings carry the same measures (rounded for the report).
        foreach (var (id, measures) in new[] { ("lung-right", result.Right), ("lung-left", result.Left), ("lungs", result.Both) })
        {
            var finding = Assert.Single(output.Findings, f => f.Id == id);
            Assert.Equal(Math.Round(measures.VolumeMl, 1), Value(finding, SrCodes.Measurement.Volume));
            Assert.Equal(Math.Round(measures.MeanHu, 1), Value(finding, SrCodes.Measurement.AttenuationCoefficient));
            Assert.Equal(Math.Round(measures.Laa950Percent, 2), Value(finding, RadAICodes.LowAttenuationArea950));
            Assert.Equal(Math.Round(measures.Perc15Hu, 1), Value(finding, RadAICodes.Percentile15Attenuation));
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Each_phantom_takes_its_path_and_the_lungs_found_are_the_true_lungs_on_the_true_side(string name)
    {
        var run = runs[name];
        var expected = Cases.Single(c => c.Name == name);
        var output = new LungQuantificationAnalyzer().Analyze(new AnalyzerInput(runs.Package, run.Volume, run.Raw), CancellationToken.None);
        var result = LungQuantification.Run(run.Volume, run.Raw.Outputs["lung"].Data, CancellationToken.None);
        if (expected.AirwayNote is null)
        {
            Assert.Null(result);
            return;
        }

        Assert.NotNull(result);
        Assert.Equal(expected.AirwayNote, result.Airway.Note);
        Assert.Equal(expected.Split, result.Split);
        Assert.Contains(output.Notes, n => n.Code == result.Airway.Outcome switch
        {
            AirwayOutcome.Grown => "airway-grown",
            AirwayOutcome.SeedNotFound => "airway-seed-not-found",
            _ => "airway-leaked",
        });
        Assert.Equal(expected.Split, output.Notes.Any(n => n.Code == "lungs-split"));

        if (run.Truth is null)
        {
            return;
        }

        // Segment 1 is the right lung, 2 the left one, and each overlaps its true lung (Dice), whatever the geometry.
        Assert.Collection(output.Segments,
            s => Assert.Equal((1, SrCodes.Value.Right.Value), (s.Number, s.TypeModifier!.Value)),
            s => Assert.Equal((2, SrCodes.Value.Left.Value), (s.Number, s.TypeModifier!.Value)));
        var rightDice = Dice(output.LabelMap!, 1, run.Truth, ChestPhantom.RightLung);
        var leftDice = Dice(output.LabelMap!, 2, run.Truth, ChestPhantom.LeftLung);
        Assert.True(rightDice > 0.9 && leftDice > 0.9, $"Dice right {rightDice:F4}, left {leftDice:F4}");
        Assert.True(result.Right.VolumeMl > 300 && result.Left.VolumeMl > 300, $"volumes {result.Right.VolumeMl} / {result.Left.VolumeMl} mL");
    }

    [Fact]
    public void The_analysis_stops_when_cancelled()
    {
        var run = runs["normal"];
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new LungQuantificationAnalyzer().Analyze(new AnalyzerInput(runs.Package, run.Volume, run.Raw), cancelled.Token));
    }

    private static double Value(Finding finding, DicomCode concept) => Value(finding, concept.ToCode());

    private static double Value(Finding finding, Code concept) =>
        Assert.Single(finding.Measurements, m => m.Concept.Value == concept.Value && m.Concept.Scheme == concept.Scheme).Value;

    private static void AssertMeasures(JsonElement expected, LungMeasures actual, string which)
    {
        AssertClose(expected.GetProperty("volumeMl").GetDouble(), actual.VolumeMl, $"{which} volume");
        AssertClose(expected.GetProperty("laa950Percent").GetDouble(), actual.Laa950Percent, $"{which} %LAA-950");
        AssertClose(expected.GetProperty("perc15Hu").GetDouble(), actual.Perc15Hu, $"{which} Perc15");
        AssertClose(expected.GetProperty("meanHu").GetDouble(), actual.MeanHu, $"{which} MLD");
    }

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-6 * Math.Abs(expected), $"{what}: C# {actual:R}, Python {expected:R}");

    private static double Dice(byte[] labels, byte label, byte[] truth, byte truthLabel)
    {
        long both = 0, found = 0, wanted = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var a = labels[i] == label;
            var b = truth[i] == truthLabel;
            found += a ? 1 : 0;
            wanted += b ? 1 : 0;
            both += a && b ? 1 : 0;
        }

        return 2.0 * both / (found + wanted);
    }

    /// <summary>
    /// Two lung blocks joined by a bridge two voxels high, symmetric about column 11.5: the split band's fewest-voxel
    /// columns tie, and the two nearest the middle tie again (the smaller index must win). No airway.
    /// </summary>
    private static (Volume Volume, float[] Lung) CraftedSplitTies() => CraftedBlocks(bridge: true, airways: false);

    /// <summary>
    /// Two separate lung blocks, symmetric about column 11.5, and above them two airway-like 2×2 columns at the same
    /// distance from the midline, each touching its block diagonally: the first in raster order must be the seed and
    /// become the airway, and its dilation takes three voxels of the block below it; the other column stays a small
    /// component, dropped.
    /// </summary>
    private static (Volume Volume, float[] Lung) CraftedSeedTies() => CraftedBlocks(bridge: false, airways: true);

    private static (Volume Volume, float[] Lung) CraftedBlocks(bool bridge, bool airways)
    {
        const int W = 24, H = 20, D = 12;
        var hu = new float[W * H * D];
        var lung = new float[W * H * D];
        for (var z = 0; z < D; z++)
        {
            for (var y = 0; y < H; y++)
            {
                for (var x = 0; x < W; x++)
                {
                    var i = (((z * H) + y) * W) + x;
                    hu[i] = 40;
                    var inBlock = z <= 8 && y is >= 4 and <= 15 && x is (>= 3 and <= 9) or (>= 14 and <= 20);
                    var inBridge = bridge && z <= 8 && y is 9 or 10 && x is >= 10 and <= 13;
                    var inAirway = airways && z >= 9 && y is 2 or 3 && x is 8 or 9 or 14 or 15;
                    if (inBlock || inBridge)
                    {
                        (hu[i], lung[i]) = ((float)(-850 + (37.25 * Math.Sin(i * 0.37))), 1);
                    }
                    else if (inAirway)
                    {
                        (hu[i], lung[i]) = (-1000 + (i % 7), 1);
                    }
                }
            }
        }

        return (AxialVolume(W, H, D, new Vector3(4, 4, 5), hu), lung);
    }

    /// <summary>
    /// Two lung blocks touching the image's edges and its first and last slices: one with a hole (filled) and a notch
    /// open to the edge (not a hole), the other with a hole holding an island. The first block is small and central
    /// enough to be the airway seed; at -850 HU nothing of it is below the thresholds: an empty airway is accepted.
    /// </summary>
    private static (Volume Volume, float[] Lung) CraftedEdges()
    {
        const int W = 16, H = 14, D = 6;
        var hu = new float[W * H * D];
        var lung = new float[W * H * D];
        for (var z = 0; z < D; z++)
        {
            for (var y = 0; y < H; y++)
            {
                for (var x = 0; x < W; x++)
                {
                    var i = (((z * H) + y) * W) + x;
                    var first = x <= 5 && !(x is 2 or 3 && y is 5 or 6) && !(x <= 1 && y == 9);
                    var second = x >= 9 && !(x is >= 10 and <= 14 && y is >= 3 and <= 9 && !(x == 12 && y == 6));
                    lung[i] = first || second ? 1 : 0;
                    hu[i] = first || second ? (float)(-870 + (i % 23) + (0.5 * (i % 3))) : 30;
                }
            }
        }

        return (AxialVolume(W, H, D, new Vector3(2.5f, 2.5f, 3), hu), lung);
    }

    private static Volume AxialVolume(int w, int h, int d, Vector3 spacing, float[] hu) =>
        new(w, h, d, spacing, Vector3.Zero, Vector3.UnitX, Vector3.UnitY, hu)
        {
            Modality = "CT",
            Slices = [.. Enumerable.Range(0, d).Select(z => new SliceSource($"1.2.826.0.1.3680043.2.1143.2.{z + 1}", "1.2.840.10008.5.1.4.1.1.2", 1))],
        };

    /// <summary>One case: its volume, the model's outputs (through ModelRunner, or crafted), the truth (phantoms) and what Python computed.</summary>
    public sealed record Run(Volume Volume, ModelRunResult Raw, byte[]? Truth, JsonElement Reference, byte[]? ReferenceLabels);

    /// <summary>
    /// Every case run once per test class: phantom, volume, model.onnx through ModelRunner, then one Python process for
    /// all cases (raw float32 files in a temporary folder).
    /// </summary>
    public sealed class ReferenceRuns : IAsyncLifetime, IDisposable
    {
        public const string Python = "/usr/bin/python3";

        private readonly TemporaryDirectory _folder = new("radai-lung-reference");
        private readonly OnnxSessions _sessions = new(Options.Create(new InferenceOptions { UseCuda = false, WarmUp = false }), NullLogger<OnnxSessions>.Instance);
        private readonly Dictionary<string, Run> _runs = new(StringComparer.Ordinal);

        public ModelPackage Package { get; } = ModelPackage.Load(Path.Combine(ModelPackages.Folder, LungAnalyzerTests.Package));

        public Run this[string name] => _runs[name];

        public async Task InitializeAsync()
        {
            var runner = new ModelRunner(_sessions);
            var prepared = new List<(string Name, Volume Volume, ModelRunResult Raw, byte[]? Truth)>();
            var manifest = new List<object>();
            foreach (var c in Cases)
            {
                Volume volume;
                ModelRunResult raw;
                byte[]? truth = null;
                if (c.Crafted is { } craft)
                {
                    (volume, var lung) = craft();
                    raw = new ModelRunResult(new Dictionary<string, OutputMap> { ["lung"] = new("lung", 1, lung) }, "none", 0);
                }
                else
                {
                    (volume, truth) = ToVolume(SyntheticChest.Anatomical(c.Phantom!), c.Flipped);
                    raw = runner.Run(Package, volume, CancellationToken.None);
                }

                await File.WriteAllBytesAsync(Path.Combine(_folder.Path, c.Name + ".hu.f32"), FloatBytes(volume.Data));
                await File.WriteAllBytesAsync(Path.Combine(_folder.Path, c.Name + ".lung.f32"), FloatBytes(raw.Outputs["lung"].Data));
                manifest.Add(new
                {
                    name = c.Name,
                    shape = new[] { volume.SizeZ, volume.SizeY, volume.SizeX },
                    spacing = new[] { (double)volume.Spacing.Z, volume.Spacing.Y, volume.Spacing.X },
                    superiorIsLowerZ = volume.Normal.Z < 0,
                    leftIsHighX = volume.RowDirection.X > 0,
                });
                prepared.Add((c.Name, volume, raw, truth));
            }

            await File.WriteAllTextAsync(Path.Combine(_folder.Path, "cases.json"), JsonSerializer.Serialize(manifest));
            var script = Path.Combine(AppContext.BaseDirectory, "Models", "lung_reference.py");
            (await ExternalTool.RunAsync(Python, [script, _folder.Path, Package.Folder], TimeSpan.FromMinutes(5))).EnsureSuccess("lung_reference.py");
            using var results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_folder.Path, "reference.json")));
            foreach (var (name, volume, raw, truth) in prepared)
            {
                var reference = results.RootElement.GetProperty(name).Clone();
                var labelsPath = Path.Combine(_folder.Path, name + ".labels.u8");
                _runs[name] = new Run(volume, raw, truth, reference, File.Exists(labelsPath) ? await File.ReadAllBytesAsync(labelsPath) : null);
            }
        }

        // xunit calls Dispose after DisposeAsync.
        public Task DisposeAsync() => Task.CompletedTask;

        public void Dispose()
        {
            _sessions.Dispose();
            _folder.Dispose();
        }

        /// <summary>
        /// The phantom as a volume centred on the origin: axial (row (1, 0, 0), column (0, 1, 0)), or flipped (row
        /// (-1, 0, 0): the x and z index orders reversed, as the normal row × column then points to the feet).
        /// </summary>
        private static (Volume Volume, byte[] Truth) ToVolume(ChestPhantom phantom, bool flipped)
        {
            var (d, h, w) = (phantom.Depth, phantom.Height, phantom.Width);
            var spacing = new Vector3((float)phantom.PixelMm, (float)phantom.PixelMm, (float)phantom.SliceMm);
            var centre = new Vector3((w - 1) / 2f * spacing.X, (h - 1) / 2f * spacing.Y, (d - 1) / 2f * spacing.Z);
            var hu = phantom.Hu;
            var truth = phantom.Truth;
            var row = Vector3.UnitX;
            var origin = -centre;
            if (flipped)
            {
                (hu, truth) = (new float[hu.Length], new byte[truth.Length]);
                for (var z = 0; z < d; z++)
                {
                    for (var y = 0; y < h; y++)
                    {
                        for (var x = 0; x < w; x++)
                        {
                            var from = (((z * h) + y) * w) + x;
                            var to = ((((d - 1 - z) * h) + y) * w) + (w - 1 - x);
                            hu[to] = phantom.Hu[from];
                            truth[to] = phantom.Truth[from];
                        }
                    }
                }

                row = -Vector3.UnitX;
                origin = new Vector3(centre.X, -centre.Y, centre.Z);
            }

            var volume = new Volume(w, h, d, spacing, origin, row, Vector3.UnitY, hu)
            {
                Modality = "CT",
                SeriesInstanceUid = "1.2.826.0.1.3680043.2.1143.1",
                Slices = [.. Enumerable.Range(0, d).Select(z => new SliceSource($"1.2.826.0.1.3680043.2.1143.1.{z + 1}", "1.2.840.10008.5.1.4.1.1.2", 1))],
            };
            return (volume, truth);
        }

        private static byte[] FloatBytes(float[] values)
        {
            var bytes = new byte[values.Length * sizeof(float)];
            Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
            return bytes;
        }
    }
}
