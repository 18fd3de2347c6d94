using System.Globalization;
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
/// The analyzer <c>exposure-qc</c> in C# against models/dx-exposure-qc/analyzer_reference.py: radiographs of the
/// package's validate.py (and signed and rescaled ones built here) run through <c>model.onnx</c> by RadAI's
/// ModelRunner; each header case (the README's examples, every Deviation Index band edge, every pixel spacing rule,
/// no Exposure Index, signed pixels, rescaled values, no Bits Stored, no spacing) is evaluated by both analyzers on
/// the same statistics, which must agree; the statistics and the README's worked examples are checked against their
/// truth.
/// </summary>
public sealed class ExposureAnalyzerTests(ExposureAnalyzerTests.ReferenceRuns runs) : IClassFixture<ExposureAnalyzerTests.ReferenceRuns>
{
    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases)
        {
            data.Add(c.Name);
        }

        return data;
    }

    /// <summary>A header (DICOM keyword → number, numbers or text) on the statistics of one radiograph.</summary>
    internal sealed record Case(string Name, string Radiograph, Dictionary<string, object> Header);

    private static Dictionary<string, object> Header(params (string Keyword, object Value)[] values) =>
        values.ToDictionary(v => v.Keyword, v => v.Value, StringComparer.Ordinal);

    internal static IReadOnlyList<Case> Cases { get; } =
    [
        // The README's header examples.
        new("readme-ermf", "sat12", Header(("BitsStored", 12), ("ExposureIndex", 400), ("TargetExposureIndex", 250), ("ImagerPixelSpacing", new[] { 0.143, 0.143 }), ("EstimatedRadiographicMagnificationFactor", 1.1))),
        new("readme-sod-sid", "sat12", Header(("BitsStored", 12), ("ExposureIndex", 125), ("TargetExposureIndex", 250), ("ImagerPixelSpacing", new[] { 0.15, 0.15 }), ("DistanceSourceToDetector", 1800), ("DistanceSourceToPatient", 1600))),
        new("readme-di-header", "sat12", Header(("BitsStored", 12), ("ExposureIndex", 260), ("TargetExposureIndex", 250), ("DeviationIndex", 0.2), ("PixelSpacing", new[] { 0.139, 0.139 }), ("ImagerPixelSpacing", new[] { 0.15, 0.15 }))),
        new("readme-equal-spacings", "sat12", Header(("BitsStored", 12), ("ExposureIndex", 2500), ("TargetExposureIndex", 250), ("PixelSpacing", new[] { 0.1, 0.1 }), ("ImagerPixelSpacing", new[] { 0.1, 0.1 }))),
        new("readme-calibrated", "sat12", Header(("BitsStored", 12), ("ExposureIndex", 300), ("PixelSpacing", new[] { 0.2, 0.2 }), ("PixelSpacingCalibrationType", "GEOMETRY"), ("PixelSpacingCalibrationDescription", "ruler at the table"), ("ImagerPixelSpacing", new[] { 0.2, 0.2 }))),

        // Band edges: the first test that holds.
        new("di-3", "sat12", Header(("BitsStored", 12), ("DeviationIndex", 3.0))),
        new("di-1", "sat12", Header(("BitsStored", 12), ("DeviationIndex", 1.0))),
        new("di-0.5", "sat12", Header(("BitsStored", 12), ("DeviationIndex", 0.5))),
        new("di-minus-0.5", "sat12", Header(("BitsStored", 12), ("DeviationIndex", -0.5))),
        new("di-minus-1", "sat12", Header(("BitsStored", 12), ("DeviationIndex", -1.0))),
        new("di-minus-3", "sat12", Header(("BitsStored", 12), ("DeviationIndex", -3.0))),
        new("di-minus-3.01", "sat12", Header(("BitsStored", 12), ("DeviationIndex", -3.01))),

        // No Deviation Index, and the spacing rules past the README's examples.
        new("no-exposure-index-no-spacing", "sat12", Header(("BitsStored", 12))),
        new("target-zero", "sat12", Header(("BitsStored", 12), ("ExposureIndex", 300), ("TargetExposureIndex", 0), ("PixelSpacing", new[] { 0.15, 0.16 }))),
        new("magnification-zero", "sat12", Header(("BitsStored", 12), ("ImagerPixelSpacing", new[] { 0.15, 0.15 }), ("EstimatedRadiographicMagnificationFactor", 0), ("DistanceSourceToDetector", 1000), ("DistanceSourceToPatient", 900))),
        new("magnification-negative", "sat12", Header(("BitsStored", 12), ("ImagerPixelSpacing", new[] { 0.15, 0.15 }), ("EstimatedRadiographicMagnificationFactor", -1.2))),
        new("pixel-equals-imager", "sat12", Header(("BitsStored", 12), ("PixelSpacing", new[] { 0.15, 0.15 }), ("ImagerPixelSpacing", new[] { 0.15, 0.15 }), ("EstimatedRadiographicMagnificationFactor", 1.2))),
        new("no-bits-stored", "sat12", Header(("ExposureIndex", 300), ("TargetExposureIndex", 300))),

        // Each radiograph with its own header.
        new("clean14", "clean14", Header(("BitsStored", 14), ("ExposureIndex", 180), ("TargetExposureIndex", 200))),
        new("sat16", "sat16", Header(("BitsStored", 16), ("PixelRepresentation", 0))),
        new("small10", "small10", Header(("BitsStored", 10))),
        new("signed", "signed", Header(("BitsStored", 12), ("PixelRepresentation", 1))),
        new("signed-read-as-unsigned", "signed", Header(("BitsStored", 12), ("PixelRepresentation", 0))),
        new("rescaled", "rescaled", Header(("BitsStored", 12), ("RescaleSlope", 2), ("RescaleIntercept", -1024))),
    ];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void The_csharp_analyzer_gives_the_results_of_the_python_reference(string name)
    {
        var c = Cases.Single(c => c.Name == name);
        var statistics = runs.Statistics(c.Radiograph);
        var result = ExposureQcAnalyzer.Evaluate(Attributes(c.Header), statistics);
        var expected = runs.Expected(name);
        AnalyzerReference.AssertClose(expected.GetProperty("exposureIndex"), result.ExposureIndex, "EI");
        AnalyzerReference.AssertClose(expected.GetProperty("targetExposureIndex"), result.TargetExposureIndex, "EI_T");
        AnalyzerReference.AssertClose(expected.GetProperty("deviationIndex"), result.DeviationIndex, "DI");
        Assert.Equal(Source(expected.GetProperty("deviationIndexSource").GetString()!), result.DeviationIndexSource);
        Assert.Equal(Band(expected.GetProperty("deviationIndexBand")), result.Band);
        AnalyzerReference.AssertClose(expected.GetProperty("fullScale"), result.FullScale, "full scale");
        AnalyzerReference.AssertClose(expected.GetProperty("saturationFraction"), result.SaturationFraction, "saturation fraction");
        Assert.Equal(expected.GetProperty("saturationFlag").GetBoolean(), result.SaturationFlag);
        AnalyzerReference.AssertClose(expected.GetProperty("fractionAtImageMax").GetDouble(), statistics.FractionAtMax, "fraction at the image maximum");
        var spacing = expected.GetProperty("pixelSpacingMm");
        if (spacing.ValueKind == JsonValueKind.Null)
        {
            Assert.False(result.PixelSpacing.Known);
        }
        else
        {
            AnalyzerReference.AssertClose(spacing[0].GetDouble(), result.PixelSpacing.RowMm!.Value, "row spacing");
            AnalyzerReference.AssertClose(spacing[1].GetDouble(), result.PixelSpacing.ColumnMm!.Value, "column spacing");
        }

        Assert.Equal(SpacingSource(expected.GetProperty("pixelSpacingSource").GetString()!), result.PixelSpacing.Source);

        // The run's output reports the same, rounded for the report; a quality finding only, no mask, no detection.
        var output = new ExposureQcAnalyzer().Analyze(new AnalyzerInput(runs.Reference.Package, runs.Volume(c.Radiograph, Attributes(c.Header)), runs.Raw(c.Radiograph)), CancellationToken.None);
        Assert.Null(output.LabelMap);
        Assert.Empty(output.Segments);
        var finding = Assert.Single(output.Findings);
        Assert.Equal("quality", finding.Kind);
        Assert.Equal(result.DeviationIndex is null, !AnalyzerReference.Has(finding, DcmCodes.DeviationIndex));
        if (result.DeviationIndex is { } di)
        {
            Assert.Equal(Math.Round(di, 2), AnalyzerReference.Value(finding, DcmCodes.DeviationIndex));
            Assert.Single(output.Notes, n => n.Code.StartsWith("di-", StringComparison.Ordinal) && n.Code != "di-computed");
        }
        else
        {
            Assert.Contains(output.Notes, n => n.Code == "di-not-available");
        }

        Assert.Equal(result.DeviationIndexSource == DeviationIndexSource.Computed, output.Notes.Any(n => n.Code == "di-computed"));
        Assert.Equal(result.SaturationFraction is null, !AnalyzerReference.Has(finding, RadAICodes.SaturatedPixelFraction));
        Assert.Equal(result.SaturationFlag, output.Notes.Any(n => n.Code == "saturated-area"));
        Assert.Equal(statistics.P50, AnalyzerReference.Value(finding, QcCodes.PixelValue, QcCodes.Percentile(50)));
        Assert.Equal(statistics.MaxValue, AnalyzerReference.Value(finding, QcCodes.PixelValue, SrCodes.Measurement.Maximum));
        Assert.Equal(result.PixelSpacing.Known, AnalyzerReference.Has(finding, DcmCodes.VerticalPixelSpacing));
        Assert.Equal(!result.PixelSpacing.Known, output.Notes.Any(n => n.Code == "spacing-unknown" && n.Severity == "warning"));
    }

    [Fact]
    public void The_graph_statistics_give_the_true_saturated_and_empty_fractions()
    {
        foreach (var radiograph in new[] { "sat12", "clean14", "sat16", "small10" })
        {
            var truth = runs.Truth(radiograph);
            var statistics = runs.Statistics(radiograph);
            var bits = truth.GetProperty("top").GetInt32();
            var result = ExposureQcAnalyzer.Evaluate(Attributes(Header(("BitsStored", (int)Math.Log2(bits + 1)))), statistics);
            Assert.Equal(bits, result.FullScale);
            Assert.Equal(truth.GetProperty("fractionAtTop").GetDouble(), result.SaturationFraction!.Value, 1e-6);
            Assert.Equal(truth.GetProperty("fractionAtZero").GetDouble(), statistics.FractionAtZero, 1e-6);
            Assert.Equal(result.SaturationFraction > 0.01, result.SaturationFlag);
        }
    }

    [Fact]
    public void The_readme_header_examples_give_the_values_worked_by_hand()
    {
        var statistics = runs.Statistics("sat12");
        (double? Di, DeviationIndexSource Source, DeviationIndexBand? Band, double? Spacing, PixelSpacingSource SpacingSource) Of(string name)
        {
            var r = ExposureQcAnalyzer.Evaluate(Attributes(Cases.Single(c => c.Name == name).Header), statistics);
            return (r.DeviationIndex is { } d ? Math.Round(d, 2) : null, r.DeviationIndexSource, r.Band, r.PixelSpacing.RowMm is { } s ? Math.Round(s, 4) : null, r.PixelSpacing.Source);
        }

        Assert.Equal((2.04, DeviationIndexSource.Computed, DeviationIndexBand.Overexposure, 0.13, PixelSpacingSource.EstimatedFromMagnificationFactor), Of("readme-ermf"));
        Assert.Equal((-3.01, DeviationIndexSource.Computed, DeviationIndexBand.ExcessiveUnderexposure, 0.1333, PixelSpacingSource.EstimatedFromSourceDistances), Of("readme-sod-sid"));
        Assert.Equal((0.2, DeviationIndexSource.Header, DeviationIndexBand.TargetRange, 0.139, PixelSpacingSource.CorrectedByModality), Of("readme-di-header"));
        Assert.Equal((10.0, DeviationIndexSource.Computed, DeviationIndexBand.ExcessiveExposure, 0.1, PixelSpacingSource.DetectorPlane), Of("readme-equal-spacings"));
        Assert.Equal(((double?)null, DeviationIndexSource.NotAvailable, (DeviationIndexBand?)null, 0.2, PixelSpacingSource.CalibratedAtPatient), Of("readme-calibrated"));
    }

    [Fact]
    public void Signed_pixels_have_their_own_full_scale()
    {
        var statistics = runs.Statistics("signed");
        var signed = ExposureQcAnalyzer.Evaluate(Attributes(Cases.Single(c => c.Name == "signed").Header), statistics);
        Assert.Equal(2047, signed.FullScale);
        Assert.Equal(runs.SignedSaturatedFraction, signed.SaturationFraction!.Value, 1e-6);
        Assert.True(signed.SaturationFlag);
        // Read as unsigned, the same pixels never reach full scale (4095).
        var unsigned = ExposureQcAnalyzer.Evaluate(Attributes(Cases.Single(c => c.Name == "signed-read-as-unsigned").Header), statistics);
        Assert.Equal(0, unsigned.SaturationFraction);
        // Rescaled: full scale 4095 · 2 − 1024 in modality units.
        var rescaled = ExposureQcAnalyzer.Evaluate(Attributes(Cases.Single(c => c.Name == "rescaled").Header), runs.Statistics("rescaled"));
        Assert.Equal(7166, rescaled.FullScale);
        Assert.True(rescaled.SaturationFraction > 0.01);
    }

    [Fact]
    public void Notes_name_the_spacing_source_and_the_calibration()
    {
        var c = Cases.Single(c => c.Name == "readme-calibrated");
        var output = new ExposureQcAnalyzer().Analyze(new AnalyzerInput(runs.Reference.Package, runs.Volume("sat12", Attributes(c.Header)), runs.Raw("sat12")), CancellationToken.None);
        Assert.Contains(output.Notes, n => n.Code == "spacing-calibrated" && n.Text.Contains("GEOMETRY: ruler at the table", StringComparison.Ordinal));
        var finding = Assert.Single(output.Findings);
        Assert.Equal(0.2, AnalyzerReference.Value(finding, DcmCodes.VerticalPixelSpacing));
        Assert.Equal(300, AnalyzerReference.Value(finding, DcmCodes.ExposureIndex));
    }

    /// <summary>The header as the volume loader copies it: DS text, several values separated by a backslash.</summary>
    private static Dictionary<string, string> Attributes(Dictionary<string, object> header) =>
        header.ToDictionary(h => h.Key, h => h.Value switch
        {
            double[] values => string.Join('\\', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
            double v => v.ToString("R", CultureInfo.InvariantCulture),
            int v => v.ToString(CultureInfo.InvariantCulture),
            string text => text,
            _ => throw new ArgumentException($"{h.Key}: {h.Value.GetType()}"),
        }, StringComparer.Ordinal);

    private static DeviationIndexSource Source(string text) => text switch
    {
        _ when text.StartsWith("header", StringComparison.Ordinal) => DeviationIndexSource.Header,
        _ when text.StartsWith("computed", StringComparison.Ordinal) => DeviationIndexSource.Computed,
        _ when text.StartsWith("not available", StringComparison.Ordinal) => DeviationIndexSource.NotAvailable,
        _ => throw new InvalidOperationException($"Unknown DI source '{text}'."),
    };

    private static DeviationIndexBand? Band(JsonElement band) => band.ValueKind == JsonValueKind.Null ? null : band.GetString()! switch
    {
        var t when t.StartsWith("excessive exposure", StringComparison.Ordinal) => DeviationIndexBand.ExcessiveExposure,
        var t when t.StartsWith("overexposure", StringComparison.Ordinal) => DeviationIndexBand.Overexposure,
        var t when t.StartsWith("slightly above", StringComparison.Ordinal) => DeviationIndexBand.SlightlyAboveTarget,
        var t when t.StartsWith("target range", StringComparison.Ordinal) => DeviationIndexBand.TargetRange,
        var t when t.StartsWith("slightly below", StringComparison.Ordinal) => DeviationIndexBand.SlightlyBelowTarget,
        var t when t.StartsWith("underexposure", StringComparison.Ordinal) => DeviationIndexBand.Underexposure,
        var t when t.StartsWith("excessive underexposure", StringComparison.Ordinal) => DeviationIndexBand.ExcessiveUnderexposure,
        var t => throw new InvalidOperationException($"Unknown band '{t}'."),
    };

    private static PixelSpacingSource SpacingSource(string text) => text switch
    {
        _ when text.StartsWith("calibrated at the patient", StringComparison.Ordinal) => PixelSpacingSource.CalibratedAtPatient,
        _ when text.StartsWith("Pixel Spacing (corrected", StringComparison.Ordinal) => PixelSpacingSource.CorrectedByModality,
        _ when text.StartsWith("Imager Pixel Spacing / ", StringComparison.Ordinal) => PixelSpacingSource.EstimatedFromMagnificationFactor,
        _ when text.StartsWith("Imager Pixel Spacing × SOD", StringComparison.Ordinal) => PixelSpacingSource.EstimatedFromSourceDistances,
        _ when text.StartsWith("detector plane", StringComparison.Ordinal) => PixelSpacingSource.DetectorPlane,
        _ when text == "unknown" => PixelSpacingSource.Unknown,
        _ => throw new InvalidOperationException($"Unknown spacing source '{text}'."),
    };

    /// <summary>
    /// The radiographs run once per test class: one Python process makes validate.py's, C# the signed and rescaled
    /// ones, ModelRunner runs model.onnx on each, then one Python process evaluates every header case.
    /// </summary>
    public sealed class ReferenceRuns : IAsyncLifetime
    {
        private readonly Dictionary<string, (float[] Image, int Width, int Height, ModelRunResult Raw)> _radiographs = new(StringComparer.Ordinal);
        private JsonElement _truth;
        private JsonElement _reference;

        public AnalyzerReference Reference { get; } = new("dx-exposure-qc", "exposure_reference.py");

        /// <summary>Fraction of the signed radiograph's pixels at +2047.</summary>
        public double SignedSaturatedFraction { get; private set; }

        public PixelStatistics Statistics(string radiograph) =>
            PixelStatistics.From(_radiographs[radiograph].Raw.Outputs.ToDictionary(o => o.Key, o => o.Value.Data), Reference.Package.Id);

        public ModelRunResult Raw(string radiograph) => _radiographs[radiograph].Raw;

        public Volume Volume(string radiograph, Dictionary<string, string> attributes)
        {
            var (image, width, height, _) = _radiographs[radiograph];
            return AnalyzerReference.Volume(width, height, 1, Vector3.One, image, "DX", attributes);
        }

        public JsonElement Truth(string radiograph) => _truth.GetProperty(radiograph);

        public JsonElement Expected(string name) => _reference.GetProperty(name);

        public async Task InitializeAsync()
        {
            object[] radiographs =
            [
                new { name = "sat12", seed = 0, h = 600, w = 500, bits = 12, saturatedRows = 30, collimatedColumns = 25 },
                new { name = "clean14", seed = 1, h = 400, w = 300, bits = 14, saturatedRows = 0, collimatedColumns = 20 },
                new { name = "sat16", seed = 2, h = 256, w = 256, bits = 16, saturatedRows = 80, collimatedColumns = 0 },
                new { name = "small10", seed = 3, h = 512, w = 700, bits = 10, saturatedRows = 5, collimatedColumns = 5 },
            ];
            await Reference.WriteJsonAsync("radiographs.json", radiographs);
            await Reference.RunScriptAsync("radiographs");
            _truth = await Reference.ReadJsonAsync("radiographs-out.json");
            foreach (var (name, width, height) in new[] { ("sat12", 500, 600), ("clean14", 300, 400), ("sat16", 256, 256), ("small10", 700, 512) })
            {
                Add(name, await Reference.ReadFloatsAsync($"{name}.image.f32"), width, height);
            }

            // Signed 12-bit values (Pixel Representation 1): -2048 (shutters) to +2047 (a clipped band of 1/8 of the rows).
            var random = new Random(5);
            var (w, h) = (320, 240);
            var signed = new float[w * h];
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    signed[(y * w) + x] = x < 12 ? -2048 : y < h / 8 ? 2047 : random.Next(-1500, 1800);
                }
            }

            SignedSaturatedFraction = signed.Count(v => v == 2047) / (double)signed.Length;
            Add("signed", signed, w, h);
            // Stored 0..4095 with Rescale Slope 2 and Intercept -1024: the model sees modality values, full scale 7166.
            Add("rescaled", [.. signed.Select(v => (2 * (v + 2048)) - 1024)], w, h);

            var cases = Cases.Select(c => new { name = c.Name, header = c.Header, stats = Stats(c.Radiograph) }).ToList();
            await Reference.WriteJsonAsync("cases.json", cases);
            await Reference.RunScriptAsync("analyze");
            _reference = await Reference.ReadJsonAsync("reference.json");
        }

        public Task DisposeAsync()
        {
            Reference.Dispose();
            return Task.CompletedTask;
        }

        private void Add(string name, float[] image, int width, int height)
        {
            var raw = Reference.Run(AnalyzerReference.Volume(width, height, 1, Vector3.One, image, "DX"));
            _radiographs[name] = (image, width, height, raw);
        }

        /// <summary>The graph's outputs as the Python reference reads them.</summary>
        private Dictionary<string, double> Stats(string radiograph) =>
            ExposureQcAnalyzer.StatisticNames.ToDictionary(n => n, n => (double)_radiographs[radiograph].Raw.Outputs[n].Data[0], StringComparer.Ordinal);
    }
}
