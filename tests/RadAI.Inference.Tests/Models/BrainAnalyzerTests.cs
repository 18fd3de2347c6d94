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
/// The analyzer <c>brain-icv</c> in C# against models/mr-brain-icv/analyzer_reference.py: head phantoms of
/// models/mr-brain-icv/phantom.py (small heads, so that the test runs in seconds) run through <c>model.onnx</c> by
/// RadAI's ModelRunner, then both analyzers on the same image and outputs (on the model grid) must give identical ICV
/// and background masks and the same ICV, signal, SNR, ghosting and uniformity. Derived cases reach the README's
/// "not reported" rules and the tie rule. The measures are also checked against the phantoms' truth where the README
/// claims accuracy.
/// </summary>
public sealed class BrainAnalyzerTests(BrainAnalyzerTests.ReferenceRuns runs) : IClassFixture<BrainAnalyzerTests.ReferenceRuns>
{
    /// <summary>Cases compared with the reference: the phantoms, then the derived cases.</summary>
    public static TheoryData<string> CaseNames() =>
        ["bias", "ghost", "no-bias", "thick-slices", "zero-background", "head-fills-view", "no-head", "thin-icv", "equal-components", "hollow", "empty"];

    /// <summary>The phantoms with a known truth.</summary>
    public static TheoryData<string> PhantomNames() => ["bias", "ghost", "no-bias"];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void The_csharp_analyzer_gives_the_masks_and_measures_of_the_python_reference(string name)
    {
        var run = runs[name];
        var grid = run.Grid;
        var result = run.Result;
        var output = run.Output;
        if (run.Expected.TryGetProperty("empty", out _))
        {
            Assert.Null(result);
            Assert.Null(output.LabelMap);
            Assert.Empty(output.Findings);
            Assert.Contains(output.Notes, n => n.Code == "icv-not-found");
            return;
        }

        Assert.NotNull(result);
        AnalyzerReference.AssertSameMask(run.ExpectedIcv!, result.Icv, "ICV mask");
        AnalyzerReference.AssertSameMask(run.ExpectedBackground!, result.Background, "background");
        AnalyzerReference.AssertClose(run.Expected.GetProperty("icvMl").GetDouble(), result.IcvMl, "ICV mL");
        AnalyzerReference.AssertClose(run.Expected.GetProperty("signal"), result.Quality.Signal, "signal");
        AnalyzerReference.AssertClose(run.Expected.GetProperty("snr"), result.Quality.Snr, "SNR");
        AnalyzerReference.AssertClose(run.Expected.GetProperty("ghostingPercent"), result.Quality.GhostingPercent, "ghosting");
        AnalyzerReference.AssertClose(run.Expected.GetProperty("uniformityPercent"), result.Quality.UniformityPercent, "uniformity");

        // The run's output: the ICV mask on the volume's grid, the measures rounded for the report.
        Assert.Equal(grid.ToNative(result.Icv), output.LabelMap);
        Assert.Equal(run.Volume.VoxelCount, output.LabelMap!.LongLength);
        var icv = Assert.Single(output.Findings, f => f.Id == "intracranial-volume");
        Assert.Equal(Math.Round(result.IcvMl, 1), AnalyzerReference.Value(icv, SrCodes.Measurement.Volume));
        var quality = output.Findings.SingleOrDefault(f => f.Id == "image-quality");
        AssertReported(quality, DcmCodes.SignalToNoiseRatio, result.Quality.Snr, 2);
        AssertReported(quality, QcCodes.PercentSignalGhosting, result.Quality.GhostingPercent, 2);
        AssertReported(quality, QcCodes.PercentIntegralUniformity, result.Quality.UniformityPercent, 2);
        // A withheld measure has its note (one note for all of them without an interior).
        var measured = result.Quality.Signal is not null;
        Assert.Equal(!measured, output.Notes.Any(n => n.Code == "quality-not-measured"));
        Assert.Equal(measured && result.Quality.Snr is null, output.Notes.Any(n => n.Code == "snr-not-measured"));
        Assert.Equal(measured && result.Quality.GhostingPercent is null, output.Notes.Any(n => n.Code == "ghosting-not-measured"));
    }

    [Theory]
    [MemberData(nameof(PhantomNames))]
    public void On_the_phantoms_the_icv_and_snr_are_those_of_the_truth(string name)
    {
        var run = runs[name];
        var result = Measure(run);
        var truthMl = run.Truth!.Count(v => v != 0) / 1000.0;
        var error = (result.IcvMl - truthMl) / truthMl;
        var dice = AnalyzerReference.Dice(result.Icv, v => v != 0, run.Truth!, v => v != 0);
        // README: within 0.8 % and Dice 0.995 or more on full-size heads; these heads are 0.42 times as large, so the
        // partial volume at the inner skull surface (and a ghost) weighs 2.4 times as much.
        Assert.True(Math.Abs(error) < 0.015, $"ICV {result.IcvMl:F1} mL, truth {truthMl:F1} mL ({100 * error:+0.00;-0.00} %)");
        Assert.True(dice > 0.99, $"Dice {dice:F4}");

        var trueSnr = run.Expected.GetProperty("trueSnr").GetDouble();
        if (name != "ghost")
        {
            // README: SNR matches S/sigma within 4 % without a ghost.
            Assert.True(Math.Abs((result.Quality.Snr!.Value / trueSnr) - 1) < 0.04, $"SNR {result.Quality.Snr:F2}, truth S/sigma {trueSnr:F2}");
            Assert.True(result.Quality.GhostingPercent < 0.2, $"ghosting {result.Quality.GhostingPercent:F2} % without a ghost");
        }

        var noiseless = run.Expected.GetProperty("noiselessUniformityPercent").GetDouble();
        Assert.True(Math.Abs(result.Quality.UniformityPercent!.Value - noiseless) < 0.5, $"uniformity {result.Quality.UniformityPercent:F2} %, noiseless {noiseless:F2} %");
    }

    [Fact]
    public void A_ghost_raises_the_ghosting_and_lowers_the_snr_and_a_bias_lowers_the_uniformity()
    {
        var bias = Measure(runs["bias"]).Quality;
        var ghost = Measure(runs["ghost"]).Quality;
        var noBias = Measure(runs["no-bias"]).Quality;
        Assert.True(ghost.GhostingPercent > bias.GhostingPercent + 0.5, $"ghosting {ghost.GhostingPercent:F2} % with a 5 % ghost, {bias.GhostingPercent:F2} % without");
        Assert.True(ghost.Snr < runs["ghost"].Expected.GetProperty("trueSnr").GetDouble() * 0.9, $"SNR {ghost.Snr:F2} with a ghost");
        Assert.True(noBias.UniformityPercent > bias.UniformityPercent + 0.5, $"uniformity {noBias.UniformityPercent:F2} % without bias, {bias.UniformityPercent:F2} % with 10 %");
    }

    [Fact]
    public void The_icv_does_not_depend_on_the_intensity_scale()
    {
        // The "bias" phantom's image times 1000, through the model and the analyzer.
        var unit = Measure(runs["bias"]);
        var scaled = Measure(runs["bias-x1000"]);
        var dice = AnalyzerReference.Dice(unit.Icv, v => v != 0, scaled.Icv, v => v != 0);
        Assert.True(dice > 0.999, $"Dice {dice:F5} between the image and the image x 1000");
        Assert.True(Math.Abs((scaled.Quality.Snr!.Value / unit.Quality.Snr!.Value) - 1) < 1e-3, $"SNR {unit.Quality.Snr} and {scaled.Quality.Snr}");
    }

    [Fact]
    public void Thick_slices_are_analysed_on_the_1_mm_model_grid_and_mapped_back()
    {
        // The "bias" phantom's image declared with 1.2 mm slices: the runner resamples it to 1 mm (115 slices).
        var run = runs["thick-slices"];
        Assert.True(run.Grid.Resampled);
        Assert.Equal((run.Volume.SizeX, run.Volume.SizeY, (int)Math.Round(run.Volume.SizeZ * 1.2)), (run.Grid.SizeX, run.Grid.SizeY, run.Grid.SizeZ));
        var result = Measure(run);
        var output = new BrainIcvAnalyzer().Analyze(new AnalyzerInput(runs.Reference.Package, run.Volume, run.Raw), CancellationToken.None);
        Assert.Equal(run.Output.LabelMap, output.LabelMap);
        var truthMl = runs["bias"].Truth!.Count(v => v != 0) * 1.2 / 1000.0;
        Assert.True(Math.Abs((result.IcvMl / truthMl) - 1) < 0.03, $"ICV {result.IcvMl:F1} mL, truth {truthMl:F1} mL");
        // The label map is on the volume's own grid, and holds about the same volume.
        Assert.Equal(run.Volume.VoxelCount, output.LabelMap!.LongLength);
        var nativeMl = output.LabelMap.Count(v => v == 1) * run.Volume.VoxelVolumeMm3 / 1000.0;
        Assert.True(Math.Abs((nativeMl / result.IcvMl) - 1) < 0.01, $"label map {nativeMl:F1} mL, ICV {result.IcvMl:F1} mL");
    }

    [Fact]
    public void The_rules_that_withhold_a_measure_say_so()
    {
        var zero = runs["zero-background"].Output;
        Assert.Contains(zero.Notes, n => n.Code == "snr-not-measured" && n.Text.Contains("exactly 0", StringComparison.Ordinal));
        var full = runs["head-fills-view"].Output;
        Assert.Contains(full.Notes, n => n.Code == "snr-not-measured" && n.Text.Contains("No background", StringComparison.Ordinal));
        Assert.Contains(full.Notes, n => n.Code == "ghosting-not-measured");
        var quality = Assert.Single(full.Findings, f => f.Id == "image-quality");
        Assert.False(AnalyzerReference.Has(quality, DcmCodes.SignalToNoiseRatio));
        Assert.True(AnalyzerReference.Has(quality, QcCodes.PercentIntegralUniformity));
        var thin = runs["thin-icv"];
        Assert.Equal(6 * 6 * 6, thin.Result!.IcvVoxels);
        Assert.Null(thin.Result.Quality.Signal);
        Assert.DoesNotContain(thin.Output.Findings, f => f.Id == "image-quality");
        Assert.Contains(thin.Output.Notes, n => n.Code == "quality-not-measured");
        Assert.Contains(thin.Output.Findings, f => f.Id == "intracranial-volume");
    }

    [Fact]
    public void Of_two_equal_components_the_first_in_raster_order_is_kept()
    {
        var result = Measure(runs["equal-components"]);
        // The two cubes are 9 voxels wide at x 5..13 and 25..33: the kept one, dilated back by 2, is x 3..15.
        var grid = runs["equal-components"].Grid;
        var xs = Enumerable.Range(0, result.Icv.Length).Where(i => result.Icv[i] != 0).Select(i => i % grid.SizeX).ToArray();
        Assert.Equal((3, 15), (xs.Min(), xs.Max()));
        Assert.Equal(13 * 13 * 13, result.IcvVoxels);
    }

    [Fact]
    public void A_cavity_is_filled_and_a_diagonal_neighbour_is_not_kept()
    {
        // A 25³ shell (x, y, z 8..32) around a 17³ cavity, and a 3³ cube touching it at one corner only.
        var result = Measure(runs["hollow"]);
        Assert.Equal(29 * 29 * 29, result.IcvVoxels);
        var grid = runs["hollow"].Grid;
        Assert.Equal(1, result.Icv[(((20 * grid.SizeY) + 20) * grid.SizeX) + 20]);
        Assert.Equal(0, result.Icv[(((35 * grid.SizeY) + 35) * grid.SizeX) + 35]);
    }

    [Fact]
    public void The_analysis_stops_when_cancelled()
    {
        var run = runs["bias"];
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new BrainIcvAnalyzer().Analyze(new AnalyzerInput(runs.Reference.Package, run.Volume, run.Raw), cancelled.Token));
    }

    private static BrainIcvResult Measure(Run run) => run.Result ?? throw new InvalidOperationException("No ICV.");

    private static void AssertReported(Finding? finding, DicomCode concept, double? value, int digits)
    {
        if (value is { } v)
        {
            Assert.NotNull(finding);
            Assert.Equal(Math.Round(v, digits), AnalyzerReference.Value(finding, concept));
        }
        else
        {
            Assert.True(finding is null || !AnalyzerReference.Has(finding, concept), $"{concept.Meaning} reported without a value");
        }
    }

    /// <summary>
    /// One case: the volume and run the analyzer gets, its inputs on the model grid, the truth, the analyzer's result
    /// and output (computed once for all the tests) and the reference.
    /// </summary>
    public sealed record Run(Volume Volume, ModelRunResult Raw, ModelGrid Grid, float[] Image, float[] Head, float[] Brain, byte[]? Truth)
    {
        public BrainIcvResult? Result { get; set; }

        public AnalyzerOutput Output { get; set; } = null!;

        public JsonElement Expected { get; set; }

        public byte[]? ExpectedIcv { get; set; }

        public byte[]? ExpectedBackground { get; set; }
    }

    /// <summary>
    /// Every case built once per test class: one Python process makes the phantoms, ModelRunner runs model.onnx on
    /// each, the derived cases reuse those outputs, then one Python process runs the reference on all of them.
    /// </summary>
    public sealed class ReferenceRuns : IAsyncLifetime
    {
        private static readonly int[] Shape = [96, 112, 100];

        private readonly Dictionary<string, Run> _runs = new(StringComparer.Ordinal);

        public AnalyzerReference Reference { get; } = new("mr-brain-icv", "brain_reference.py");

        public Run this[string name] => _runs[name];

        public async Task InitializeAsync()
        {
            Dictionary<string, object> Head(int seed, double bias = 0.10, double ghost = 0) => new()
            {
                ["shape"] = Shape, ["seed"] = seed, ["sigma"] = 0.02, ["bias"] = bias, ["ghost"] = ghost, ["scale"] = 0.42, ["neck_scale"] = 0.42,
            };

            object[] phantoms =
            [
                new { name = "bias", kwargs = Head(1), factor = 1.0 },
                new { name = "ghost", kwargs = Head(7, ghost: 0.05), factor = 1.0 },
                new { name = "no-bias", kwargs = Head(1, bias: 0), factor = 1.0 },
            ];
            await Reference.WriteJsonAsync("phantoms.json", phantoms);
            await Reference.RunScriptAsync("phantoms");
            var made = await Reference.ReadJsonAsync("phantoms-out.json");
            var (sz, sy, sx) = (Shape[0], Shape[1], Shape[2]);
            var sigmas = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var name in new[] { "bias", "ghost", "no-bias" })
            {
                var image = await Reference.ReadFloatsAsync($"{name}.image.f32");
                var truth = await Reference.ReadBytesAsync($"{name}.truth.u8");
                _runs[name] = RunModel(AnalyzerReference.Volume(sx, sy, sz, Vector3.One, image, "MR"), truth);
                sigmas[name] = made.GetProperty(name).GetProperty("sigma").GetDouble();
            }

            var bias = _runs["bias"];
            _runs["thick-slices"] = RunModel(AnalyzerReference.Volume(sx, sy, sz, new Vector3(1, 1, 1.2f), bias.Volume.Data, "MR"), null);
            _runs["bias-x1000"] = RunModel(AnalyzerReference.Volume(sx, sy, sz, Vector3.One, [.. bias.Volume.Data.Select(v => v * 1000f)], "MR"), bias.Truth);

            // Derived cases on a small synthetic head: the analyzer's inputs are given, no model run needed.
            var small = EqualComponents();
            var (tx, ty, tz) = (small.Grid.SizeX, small.Grid.SizeY, small.Grid.SizeZ);
            var nearHead = MaskOps.DilateBox(MaskOps.AtLeast(small.Head, 0.5), tx, ty, tz, BrainIcvAnalyzer.BackgroundBox);
            _runs["equal-components"] = small;
            _runs["zero-background"] = Derived([.. small.Image.Select((v, i) => nearHead[i] == 0 ? 0f : v)], small.Head, small.Brain, tx, ty, tz);
            _runs["head-fills-view"] = Derived(small.Image, [.. small.Head.Select(_ => 1f)], small.Brain, tx, ty, tz);
            _runs["no-head"] = Derived(small.Image, new float[small.Head.Length], small.Brain, tx, ty, tz);
            // A 2³ candidate: dilated to 6³, thinner than the 7³ erosion that gives the interior.
            _runs["thin-icv"] = Derived(small.Image, small.Head, [.. small.Brain.Select((_, i) => i % tx is 8 or 9 && i / tx % ty is 10 or 11 && i / (tx * ty) is 10 or 11 ? 1f : 0f)], tx, ty, tz);
            _runs["empty"] = Derived(small.Image, small.Head, new float[small.Brain.Length], tx, ty, tz);
            _runs["hollow"] = Hollow();

            var cases = new List<object>();
            foreach (var (name, run) in _runs.Where(r => r.Key != "bias-x1000"))
            {
                await Reference.WriteFloatsAsync($"{name}.image.f32", run.Image);
                await Reference.WriteFloatsAsync($"{name}.head.f32", run.Head);
                await Reference.WriteFloatsAsync($"{name}.brain.f32", run.Brain);
                cases.Add(new
                {
                    name,
                    shape = new[] { run.Grid.SizeZ, run.Grid.SizeY, run.Grid.SizeX },
                    spacing = new[] { run.Grid.SpacingZ, run.Grid.SpacingY, run.Grid.SpacingX },
                    noiseless = sigmas.ContainsKey(name) ? $"{name}.noiseless.f32" : null,
                    sigma = sigmas.GetValueOrDefault(name),
                });
            }

            await Reference.WriteJsonAsync("cases.json", cases);
            var reference = Reference.RunScriptAsync("analyze");
            foreach (var run in _runs.Values)
            {
                run.Result = BrainIcvAnalyzer.Measure(new AnalyzerInput(Reference.Package, run.Volume, run.Raw), run.Grid, CancellationToken.None);
                run.Output = BrainIcvAnalyzer.Report(run.Volume, run.Grid, run.Result);
            }

            await reference;
            var results = await Reference.ReadJsonAsync("reference.json");
            foreach (var (name, run) in _runs.Where(r => r.Key != "bias-x1000"))
            {
                run.Expected = results.GetProperty(name);
                if (!run.Expected.TryGetProperty("empty", out _))
                {
                    run.ExpectedIcv = await Reference.ReadBytesAsync($"{name}.icv.u8");
                    run.ExpectedBackground = await Reference.ReadBytesAsync($"{name}.background.u8");
                }
            }
        }

        public Task DisposeAsync()
        {
            Reference.Dispose();
            return Task.CompletedTask;
        }

        private Run RunModel(Volume volume, byte[]? truth)
        {
            var raw = Reference.Run(volume);
            var grid = ModelGrid.Of(Reference.Package, volume);
            return new Run(volume, raw, grid, grid.FromNative(volume.Data), grid.Output(raw, Reference.Package.Id, "head"), grid.Output(raw, Reference.Package.Id, "brain"), truth);
        }

        /// <summary>A case on a 1 mm grid whose model outputs are given.</summary>
        private Run Derived(float[] image, float[] head, float[] brain, int sx, int sy, int sz)
        {
            var volume = AnalyzerReference.Volume(sx, sy, sz, Vector3.One, image, "MR");
            var raw = new ModelRunResult(
                new Dictionary<string, OutputMap>(StringComparer.Ordinal) { ["head"] = new("head", 1, head), ["brain"] = new("brain", 1, brain) }, "CPU", 0);
            return new Run(volume, raw, ModelGrid.Of(Reference.Package, volume), image, head, brain, null);
        }

        /// <summary>A candidate shell around a cavity, with a small cube touching it diagonally, in a 44³ volume.</summary>
        private Run Hollow()
        {
            const int n = 44;
            var random = new Random(12);
            var image = new float[n * n * n];
            var head = new float[image.Length];
            var brain = new float[image.Length];
            static bool Within(int v, int low, int high) => v >= low && v <= high;
            for (var z = 0; z < n; z++)
            {
                for (var y = 0; y < n; y++)
                {
                    for (var x = 0; x < n; x++)
                    {
                        var i = (((z * n) + y) * n) + x;
                        var shell = Within(x, 8, 32) && Within(y, 8, 32) && Within(z, 8, 32) && !(Within(x, 12, 28) && Within(y, 12, 28) && Within(z, 12, 28));
                        var corner = Within(x, 33, 35) && Within(y, 33, 35) && Within(z, 33, 35);
                        head[i] = Within(x, 4, 39) && Within(y, 4, 39) && Within(z, 4, 39) ? 1 : 0;
                        brain[i] = shell || corner ? 1 : 0;
                        image[i] = (float)((head[i] * 0.7) + (0.03 * random.NextDouble()));
                    }
                }
            }

            return Derived(image, head, brain, n, n, n);
        }

        /// <summary>Two equal 9³ cubes of candidate at x 5..13 and 25..33 inside a box-shaped head, with noise around.</summary>
        private Run EqualComponents()
        {
            var (sx, sy, sz) = (40, 36, 30);
            var random = new Random(11);
            var image = new float[sx * sy * sz];
            var head = new float[image.Length];
            var brain = new float[image.Length];
            for (var z = 0; z < sz; z++)
            {
                for (var y = 0; y < sy; y++)
                {
                    for (var x = 0; x < sx; x++)
                    {
                        var i = (((z * sy) + y) * sx) + x;
                        var inHead = x is >= 2 and <= 36 && y is >= 4 and <= 18 && z is >= 4 and <= 18;
                        var inCube = (x is >= 5 and <= 13 || x is >= 25 and <= 33) && y is >= 7 and <= 15 && z is >= 7 and <= 15;
                        head[i] = inHead ? 1 : 0;
                        brain[i] = inCube ? 1 : 0;
                        image[i] = (float)((inHead ? 0.8 : 0) + (0.03 * random.NextDouble()));
                    }
                }
            }

            return Derived(image, head, brain, sx, sy, sz);
        }
    }
}
