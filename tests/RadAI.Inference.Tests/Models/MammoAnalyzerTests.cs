using System.Numerics;
using System.Text.Json;
using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Inference.Analysis;
using RadAI.Inference.Runtime;
using RadAI.Inference.Volumes;
using Xunit;

namespace RadAI.Inference.Tests.Models;

/// <summary>
/// The analyzer <c>mammo-density</c> in C# against models/mg-density/analyzer_reference.py: mammograms of
/// models/mg-density/phantom.py (the seeds of validate.py's table) run through <c>model.onnx</c> by RadAI's
/// ModelRunner, then both analyzers on the same <c>smoothed</c> and <c>breast</c> outputs (on the model grid) must
/// give identical breast, dense and pectoral masks and the same areas, percent density, threshold, line and notes.
/// Cases cover MLO and CC views, the chest wall on either side, a MONOCHROME1 image, a CC image labelled MLO, spacing
/// from the magnification factor and no spacing at all; the phantoms' truth checks the README's accuracy claims.
/// </summary>
public sealed class MammoAnalyzerTests(MammoAnalyzerTests.ReferenceRuns runs) : IClassFixture<MammoAnalyzerTests.ReferenceRuns>
{
    public static TheoryData<string> CaseNames() =>
        ["mlo-left", "mlo-right", "mlo-dense", "mlo-fatty", "cc-left", "cc-right", "mlo-monochrome2", "mlo-monochrome1", "cc-as-mlo", "no-spacing", "holes", "empty"];

    /// <summary>The validate.py phantoms, at their native 0.5 mm.</summary>
    public static TheoryData<string> PhantomNames() => ["mlo-left", "mlo-right", "mlo-dense", "mlo-fatty", "cc-left", "cc-right"];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void The_csharp_analyzer_gives_the_masks_and_measures_of_the_python_reference(string name)
    {
        var run = runs[name];
        var result = Measure(run);
        var output = Analyze(run);
        if (run.Expected.TryGetProperty("empty", out _))
        {
            Assert.Null(result);
            Assert.Null(output.LabelMap);
            Assert.Contains(output.Notes, n => n.Code == "breast-not-found");
            return;
        }

        Assert.NotNull(result);
        var labels = Labels(result);
        AnalyzerReference.AssertSameMask(run.ExpectedLabels!, labels, "breast / dense / pectoral labels");
        var expected = run.Expected;
        AnalyzerReference.AssertClose(expected.GetProperty("percentDensity").GetDouble(), result.PercentDensity, "PD %");
        AnalyzerReference.AssertClose(expected.GetProperty("otsuThreshold").GetDouble(), result.DenseThreshold, "Otsu threshold");
        Assert.Equal(expected.GetProperty("chestWallRight").GetBoolean(), result.ChestWallRight);
        Assert.Equal(Outcome(expected.GetProperty("pectoralNote").GetString()!), result.PectoralOutcome);
        var line = expected.GetProperty("line");
        Assert.Equal(line.ValueKind == JsonValueKind.Null, result.Line is null || result.PectoralOutcome != PectoralOutcome.Removed);
        if (result.PectoralOutcome == PectoralOutcome.Removed)
        {
            AnalyzerReference.AssertClose(line[0].GetDouble(), result.Line!.Value.Intercept, "line intercept");
            AnalyzerReference.AssertClose(line[1].GetDouble(), result.Line.Value.Slope, "line slope");
        }

        // The run's output: the labels on the volume's grid, the measures rounded for the report.
        Assert.Equal(run.Grid.ToNative(labels), output.LabelMap);
        Assert.Equal(run.Volume.VoxelCount, output.LabelMap!.LongLength);
        var finding = Assert.Single(output.Findings);
        Assert.Equal(Math.Round(result.PercentDensity, 2), AnalyzerReference.Value(finding, DcmCodes.PercentFibroglandularTissue));
        Assert.Equal(Math.Round(result.DenseThreshold, 4), AnalyzerReference.Value(finding, QcCodes.DenseTissueThreshold));
        if (run.ReferenceSpacing is not null)
        {
            var breastArea = AnalyzerReference.Value(finding, SrCodes.Measurement.Area);
            var denseArea = AnalyzerReference.Value(finding, RadAICodes.DenseArea);
            AnalyzerReference.AssertClose(Math.Round(expected.GetProperty("breastAreaCm2").GetDouble(), 2), breastArea, "breast area");
            AnalyzerReference.AssertClose(Math.Round(expected.GetProperty("denseAreaCm2").GetDouble(), 2), denseArea, "dense area");
        }
    }

    [Theory]
    [MemberData(nameof(PhantomNames))]
    public void On_the_phantoms_breast_pectoral_and_dense_tissue_are_those_of_the_truth(string name)
    {
        var run = runs[name];
        var labels = Labels(Measure(run)!);
        var truth = run.Truth!;
        var breastDice = AnalyzerReference.Dice(labels, v => v != 0, truth, v => v != 0);
        var denseDice = AnalyzerReference.Dice(labels, v => v == 2, truth, v => v == 2);
        Assert.True(breastDice > 0.99, $"breast Dice {breastDice:F4}");
        // README: dense Dice 0.986 to 0.994, 0.907 on the fatty breast (its blurred edge weighs more).
        Assert.True(denseDice > (name == "mlo-fatty" ? 0.85 : 0.98), $"dense Dice {denseDice:F4}");
        if (name.StartsWith("mlo", StringComparison.Ordinal))
        {
            var pectoralDice = AnalyzerReference.Dice(labels, v => v == 3, truth, v => v == 3);
            Assert.True(pectoralDice > 0.99, $"pectoral Dice {pectoralDice:F4}");
        }
        else
        {
            Assert.DoesNotContain((byte)3, labels);
        }

        // README: PD % within 0.7 percentage points of the truth on these phantoms.
        var percent = Measure(run)!.PercentDensity;
        Assert.True(Math.Abs(percent - run.TruthPercentDensity!.Value) <= 0.7, $"PD {percent:F2} %, truth {run.TruthPercentDensity:F2} %");
    }

    [Fact]
    public void The_chest_wall_side_is_found_and_the_pectoral_removed_on_that_side()
    {
        foreach (var (name, right) in new[] { ("mlo-left", false), ("mlo-right", true), ("cc-left", false), ("cc-right", true) })
        {
            var run = runs[name];
            var result = Measure(run)!;
            Assert.Equal(right, result.ChestWallRight);
            var output = Analyze(run);
            Assert.Contains(output.Notes, n => n.Code == "chest-wall-side" && n.Text.Contains(right ? "right" : "left", StringComparison.Ordinal));
            if (name.StartsWith("mlo", StringComparison.Ordinal))
            {
                Assert.Equal(PectoralOutcome.Removed, result.PectoralOutcome);
                var columns = Enumerable.Range(0, result.Pectoral.Length).Where(i => result.Pectoral[i] != 0).Select(i => i % run.Grid.SizeX).ToArray();
                Assert.Equal(right, columns.Average() > run.Grid.SizeX / 2.0);
                Assert.Contains(output.Notes, n => n.Code == "pectoral-removed");
                Assert.Contains(output.Segments, s => s.Number == 3 && s.Type.Value == RadAICodes.PectoralMuscle.Value);
            }
            else
            {
                Assert.Equal(PectoralOutcome.NotMloView, result.PectoralOutcome);
                Assert.Contains(output.Notes, n => n.Code == "pectoral-not-searched");
            }
        }
    }

    [Fact]
    public void A_monochrome1_image_is_inverted_before_the_model_and_gives_the_monochrome2_result()
    {
        var mono2 = Measure(runs["mlo-monochrome2"])!;
        var mono1 = Measure(runs["mlo-monochrome1"])!;
        Assert.Equal(Labels(mono2), Labels(mono1));
        Assert.Equal(mono2.PercentDensity, mono1.PercentDensity);
        Assert.Equal(mono2.Line, mono1.Line);
        Assert.Equal(PectoralOutcome.Removed, mono1.PectoralOutcome);
        // Without the inversion the muscle and dense tissue would be the dark ones: nothing like the truth.
        var dice = AnalyzerReference.Dice(Labels(mono1), v => v == 2, runs["mlo-monochrome1"].Truth!, v => v == 2);
        Assert.True(dice > 0.98, $"dense Dice {dice:F4}");
    }

    [Fact]
    public void A_cc_image_labelled_mlo_finds_no_straight_pectoral_edge_and_removes_nothing()
    {
        var run = runs["cc-as-mlo"];
        var result = Measure(run)!;
        Assert.NotEqual(PectoralOutcome.Removed, result.PectoralOutcome);
        Assert.DoesNotContain((byte)1, result.Pectoral);
        var output = Analyze(run);
        Assert.Contains(output.Notes, n => n.Code.StartsWith("pectoral-", StringComparison.Ordinal) && n.Severity == "warning");
        Assert.Equal(Measure(runs["cc-left"])!.PercentDensity, result.PercentDensity);
    }

    [Fact]
    public void A_hole_in_the_breast_mask_is_filled()
    {
        var run = runs["holes"];
        Assert.Equal(0f, run.Breast[(205 * run.Grid.SizeX) + 65]);
        Assert.Equal(1, run.Result!.Breast[(205 * run.Grid.SizeX) + 65]);
        Assert.Equal(runs["cc-left"].Result!.Breast, run.Result.Breast);
    }

    [Fact]
    public void Areas_use_the_spacing_at_the_patient_and_are_withheld_without_spacing()
    {
        // mlo-right: Imager Pixel Spacing 0.5 mm, magnification 1.25: pixels of 0.4 mm at the patient.
        var magnified = runs["mlo-right"];
        var result = Measure(magnified)!;
        var finding = Assert.Single(Analyze(magnified).Findings);
        Assert.Equal(Math.Round(result.RegionPixels * (0.4 * 0.4 / 100), 2), AnalyzerReference.Value(finding, SrCodes.Measurement.Area));

        // No spacing in the header: the loader's 1 mm made the runner double the image; areas are not given.
        var unknown = runs["no-spacing"];
        Assert.True(unknown.Grid.Resampled);
        Assert.Equal((unknown.Volume.SizeX * 2, unknown.Volume.SizeY * 2), (unknown.Grid.SizeX, unknown.Grid.SizeY));
        var output = Analyze(unknown);
        var density = Assert.Single(output.Findings);
        Assert.False(AnalyzerReference.Has(density, SrCodes.Measurement.Area));
        Assert.False(AnalyzerReference.Has(density, RadAICodes.DenseArea));
        Assert.True(AnalyzerReference.Has(density, DcmCodes.PercentFibroglandularTissue));
        Assert.Contains(output.Notes, n => n.Code == "spacing-unknown");
        Assert.Equal(unknown.Volume.VoxelCount, output.LabelMap!.LongLength);
    }

    [Fact]
    public void The_analyzer_gives_the_output_of_its_steps_and_stops_when_cancelled()
    {
        var run = runs["mlo-right"];
        var output = new MammoDensityAnalyzer().Analyze(new AnalyzerInput(runs.Reference.Package, run.Volume, run.Raw), CancellationToken.None);
        Assert.Equal(run.Output.LabelMap, output.LabelMap);
        Assert.Equal(run.Output.Segments, output.Segments);
        Assert.Equal(run.Output.Notes, output.Notes);
        Assert.Equal(run.Output.Findings.Single().Measurements, output.Findings.Single().Measurements);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new MammoDensityAnalyzer().Analyze(new AnalyzerInput(runs.Reference.Package, run.Volume, run.Raw), cancelled.Token));
    }

    private static MammoDensityResult? Measure(Run run) => run.Result;

    private static AnalyzerOutput Analyze(Run run) => run.Output;

    /// <summary>1 breast, 2 dense, 3 pectoral: the reference's and the analyzer's label order.</summary>
    private static byte[] Labels(MammoDensityResult result) =>
        [.. result.Breast.Select((b, i) => result.Pectoral[i] != 0 ? (byte)3 : result.Dense[i] != 0 ? (byte)2 : b)];

    private static PectoralOutcome Outcome(string note) => note switch
    {
        _ when note.StartsWith("pectoral removed", StringComparison.Ordinal) => PectoralOutcome.Removed,
        _ when note.StartsWith("not an MLO view", StringComparison.Ordinal) => PectoralOutcome.NotMloView,
        _ when note.StartsWith("pectoral edge not found", StringComparison.Ordinal) => PectoralOutcome.EdgeNotFound,
        _ when note.StartsWith("pectoral edge not straight", StringComparison.Ordinal) => PectoralOutcome.EdgeNotStraight,
        _ when note.StartsWith("pectoral line rejected", StringComparison.Ordinal) => PectoralOutcome.LineRejected,
        _ when note.StartsWith("pectoral region too large", StringComparison.Ordinal) => PectoralOutcome.TooLarge,
        _ => throw new InvalidOperationException($"Unknown reference note '{note}'."),
    };

    /// <summary>
    /// One case: the volume and run the analyzer gets, its inputs on the model grid, the truth, the analyzer's result
    /// and output (computed once for all the tests) and the reference.
    /// </summary>
    public sealed record Run(Volume Volume, ModelRunResult Raw, ModelGrid Grid, float[] Smoothed, float[] Breast, byte[]? Truth, double? TruthPercentDensity, double[]? ReferenceSpacing)
    {
        public MammoDensityResult? Result { get; set; }

        public AnalyzerOutput Output { get; set; } = null!;

        public JsonElement Expected { get; set; }

        public byte[]? ExpectedLabels { get; set; }
    }

    /// <summary>
    /// Every case built once per test class: one Python process makes the phantoms, ModelRunner runs model.onnx on
    /// each, then one Python process runs the reference on all of them.
    /// </summary>
    public sealed class ReferenceRuns : IAsyncLifetime
    {
        private const int BitsStored = 12;

        private readonly Dictionary<string, Run> _runs = new(StringComparer.Ordinal);

        public AnalyzerReference Reference { get; } = new("mg-density", "mammo_reference.py");

        public Run this[string name] => _runs[name];

        public async Task InitializeAsync()
        {
            object[] phantoms =
            [
                new { name = "mlo-left", kwargs = new Dictionary<string, object> { ["seed"] = 1, ["view"] = "MLO" } },
                new { name = "mlo-right", kwargs = new Dictionary<string, object> { ["seed"] = 2, ["view"] = "MLO", ["flip"] = true } },
                new { name = "mlo-dense", kwargs = new Dictionary<string, object> { ["seed"] = 3, ["view"] = "MLO", ["blobs"] = new[] { 12, 16 } } },
                new { name = "mlo-fatty", kwargs = new Dictionary<string, object> { ["seed"] = 4, ["view"] = "MLO", ["blobs"] = new[] { 1, 2 }, ["blob_scale"] = 0.5 } },
                new { name = "cc-left", kwargs = new Dictionary<string, object> { ["seed"] = 5, ["view"] = "CC" } },
                new { name = "cc-right", kwargs = new Dictionary<string, object> { ["seed"] = 6, ["view"] = "CC", ["flip"] = true, ["marker"] = false } },
                new { name = "small-mlo", kwargs = new Dictionary<string, object> { ["seed"] = 9, ["view"] = "MLO", ["shape"] = new[] { 240, 180 } } },
            ];
            await Reference.WriteJsonAsync("phantoms.json", phantoms);
            await Reference.RunScriptAsync("phantoms");
            var made = await Reference.ReadJsonAsync("phantoms-out.json");
            var spacing = new Dictionary<string, string> { ["PixelSpacing"] = "0.5\\0.5" };
            async Task<(float[] Image, int Width, int Height, byte[] Truth, double Percent)> Phantom(string name)
            {
                var shape = made.GetProperty(name).GetProperty("shape");
                return (await Reference.ReadFloatsAsync($"{name}.image.f32"), shape[1].GetInt32(), shape[0].GetInt32(),
                    await Reference.ReadBytesAsync($"{name}.truth.u8"), made.GetProperty(name).GetProperty("percentDensity").GetDouble());
            }

            foreach (var (name, view, laterality) in new[] { ("mlo-left", "MLO", "R"), ("mlo-dense", "MLO", "R"), ("mlo-fatty", "MLO", "R"), ("cc-left", "CC", "R"), ("cc-right", "CC", "L") })
            {
                var (image, width, height, truth, percent) = await Phantom(name);
                _runs[name] = RunModel(image, width, height, 0.5f, Attributes(view, laterality, spacing), truth, percent, [0.5, 0.5]);
            }

            // Imager Pixel Spacing 0.5 mm (what the loader uses) with a magnification factor of 1.25: 0.4 mm at the patient.
            var right = await Phantom("mlo-right");
            _runs["mlo-right"] = RunModel(right.Image, right.Width, right.Height, 0.5f,
                Attributes("MLO", "L", new() { ["ImagerPixelSpacing"] = "0.5\\0.5", ["EstimatedRadiographicMagnificationFactor"] = "1.25" }), right.Truth, right.Percent, [0.4, 0.4]);

            // The same image stored as 12-bit values, MONOCHROME2 and MONOCHROME1 (x' = 4095 − x).
            var left = await Phantom("mlo-left");
            var stored = left.Image.Select(v => MathF.Round(v * ((1 << BitsStored) - 1))).ToArray();
            _runs["mlo-monochrome2"] = RunModel(stored, left.Width, left.Height, 0.5f,
                Attributes("MLO", "R", new(spacing) { ["PhotometricInterpretation"] = "MONOCHROME2", ["BitsStored"] = "12" }), left.Truth, left.Percent, [0.5, 0.5]);
            _runs["mlo-monochrome1"] = RunModel([.. stored.Select(v => ((1 << BitsStored) - 1) - v)], left.Width, left.Height, 0.5f,
                Attributes("MLO", "R", new(spacing) { ["PhotometricInterpretation"] = "MONOCHROME1", ["BitsStored"] = "12" }), left.Truth, left.Percent, [0.5, 0.5]);

            // The CC phantom's run, read as an MLO view.
            var cc = _runs["cc-left"];
            _runs["cc-as-mlo"] = cc with { Volume = WithAttributes(cc.Volume, Attributes("MLO", "R", spacing)), Truth = null, TruthPercentDensity = null };

            // No spacing in the header: the loader assembles 1 mm pixels, the runner resamples them to 0.5 mm.
            var small = await Phantom("small-mlo");
            _runs["no-spacing"] = RunModel(small.Image, small.Width, small.Height, 1f, Attributes("MLO", "R", new()), null, null, null);

            // The CC breast mask with a 15 × 15 hole punched inside the breast: filled again.
            var holes = (float[])cc.Breast.Clone();
            var ccWidth = cc.Grid.SizeX;
            for (var y = 0; y < cc.Grid.SizeY; y++)
            {
                for (var x = 0; x < ccWidth; x++)
                {
                    var inHole = x is >= 60 and < 75 && y is >= 200 and < 215;
                    holes[(y * ccWidth) + x] = inHole ? 0f : holes[(y * ccWidth) + x];
                }
            }

            _runs["holes"] = cc with
            {
                Raw = new ModelRunResult(new Dictionary<string, OutputMap>(StringComparer.Ordinal)
                {
                    ["smoothed"] = new("smoothed", 1, cc.Smoothed),
                    ["breast"] = new("breast", 1, holes),
                }, "CPU", 0),
                Breast = holes,
                Truth = null,
                TruthPercentDensity = null,
            };

            // No breast at all.
            var emptyRaw = new ModelRunResult(new Dictionary<string, OutputMap>(StringComparer.Ordinal)
            {
                ["smoothed"] = new("smoothed", 1, cc.Smoothed),
                ["breast"] = new("breast", 1, new float[cc.Breast.Length]),
            }, "CPU", 0);
            _runs["empty"] = cc with { Raw = emptyRaw, Breast = new float[cc.Breast.Length], Truth = null, TruthPercentDensity = null };

            var cases = new List<object>();
            foreach (var (name, run) in _runs)
            {
                await Reference.WriteFloatsAsync($"{name}.smoothed.f32", run.Smoothed);
                await Reference.WriteFloatsAsync($"{name}.breast.f32", run.Breast);
                cases.Add(new
                {
                    name,
                    shape = new[] { run.Grid.SizeY, run.Grid.SizeX },
                    view = run.Volume.Attributes["ViewPosition"],
                    spacing = run.ReferenceSpacing ?? [0.5, 0.5],
                });
            }

            await Reference.WriteJsonAsync("cases.json", cases);
            var reference = Reference.RunScriptAsync("analyze");
            foreach (var run in _runs.Values)
            {
                run.Result = MammoDensityAnalyzer.Measure(new AnalyzerInput(Reference.Package, run.Volume, run.Raw), run.Grid, CancellationToken.None);
                run.Output = MammoDensityAnalyzer.Report(run.Volume, run.Grid, run.Result);
            }

            await reference;
            var results = await Reference.ReadJsonAsync("reference.json");
            foreach (var (name, run) in _runs)
            {
                run.Expected = results.GetProperty(name);
                if (!run.Expected.TryGetProperty("empty", out _))
                {
                    run.ExpectedLabels = await Reference.ReadBytesAsync($"{name}.labels.u8");
                }
            }
        }

        public Task DisposeAsync()
        {
            Reference.Dispose();
            return Task.CompletedTask;
        }

        private static Dictionary<string, string> Attributes(string view, string laterality, Dictionary<string, string> spacing) =>
            new(spacing) { ["ViewPosition"] = view, ["ImageLaterality"] = laterality };

        private static Volume WithAttributes(Volume volume, Dictionary<string, string> attributes) =>
            AnalyzerReference.Volume(volume.SizeX, volume.SizeY, volume.SizeZ, volume.Spacing, volume.Data, "MG", attributes);

        private Run RunModel(float[] image, int width, int height, float pixelMm, Dictionary<string, string> attributes, byte[]? truth, double? percent, double[]? referenceSpacing)
        {
            var volume = AnalyzerReference.Volume(width, height, 1, new Vector3(pixelMm, pixelMm, 1), image, "MG", attributes);
            var raw = Reference.Run(volume);
            var grid = ModelGrid.Of(Reference.Package, volume);
            return new Run(volume, raw, grid, grid.Output(raw, Reference.Package.Id, "smoothed"), grid.Output(raw, Reference.Package.Id, "breast"), truth, percent, referenceSpacing);
        }
    }
}
