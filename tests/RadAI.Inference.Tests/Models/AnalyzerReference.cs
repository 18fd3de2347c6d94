using System.Numerics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Inference.Packages;
using RadAI.Inference.Runtime;
using RadAI.Inference.Volumes;
using RadAI.Testing;
using Xunit;

namespace RadAI.Inference.Tests.Models;

/// <summary>
/// What the analyzer tests against the packages' Python references share: a default package run by RadAI's own
/// <see cref="ModelRunner"/> (CPU), a temporary folder of raw little-endian files for the driver scripts next to the
/// tests (run with Debian's /usr/bin/python3, which has numpy and scipy), and comparisons.
/// </summary>
public sealed class AnalyzerReference : IDisposable
{
    public const string Python = "/usr/bin/python3";

    /// <summary>Relative tolerance of floating measures between C# and Python.</summary>
    public const double Tolerance = 1e-6;

    private readonly OnnxSessions _sessions = new(Options.Create(new InferenceOptions { UseCuda = false, WarmUp = false }), NullLogger<OnnxSessions>.Instance);

    public AnalyzerReference(string package, string script)
    {
        Package = ModelPackage.Load(Path.Combine(ModelPackages.Folder, package));
        Script = Path.Combine(AppContext.BaseDirectory, "Models", script);
        Folder = new TemporaryDirectory($"radai-{package}-reference");
    }

    public ModelPackage Package { get; }

    public string Script { get; }

    public TemporaryDirectory Folder { get; }

    public ModelRunResult Run(Volume volume) => new ModelRunner(_sessions).Run(Package, volume, CancellationToken.None);

    public string PathOf(string file) => Path.Combine(Folder.Path, file);

    /// <summary>Runs the driver script in <paramref name="mode"/> on the folder; fails with the script's own words.</summary>
    public async Task RunScriptAsync(string mode)
    {
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException($"{Python} is missing: these tests need Debian's python3 with python3-numpy and python3-scipy.");
        }

        (await ExternalTool.RunAsync(Python, [Script, mode, Folder.Path, Package.Folder], TimeSpan.FromMinutes(3))).EnsureSuccess($"{Path.GetFileName(Script)} {mode}");
    }

    public Task WriteJsonAsync(string file, object value) => File.WriteAllTextAsync(PathOf(file), JsonSerializer.Serialize(value));

    public async Task<JsonElement> ReadJsonAsync(string file)
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(PathOf(file)));
        return document.RootElement.Clone();
    }

    public Task WriteFloatsAsync(string file, float[] values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return File.WriteAllBytesAsync(PathOf(file), bytes);
    }

    public async Task<float[]> ReadFloatsAsync(string file)
    {
        var bytes = await File.ReadAllBytesAsync(PathOf(file));
        var values = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    public Task<byte[]> ReadBytesAsync(string file) => File.ReadAllBytesAsync(PathOf(file));

    public void Dispose()
    {
        _sessions.Dispose();
        Folder.Dispose();
    }

    /// <summary>An axial volume (identity orientation) of the given values, as the loader would assemble it.</summary>
    public static Volume Volume(int sx, int sy, int sz, Vector3 spacing, float[] data, string modality, IReadOnlyDictionary<string, string>? attributes = null) =>
        new(sx, sy, sz, spacing, Vector3.Zero, Vector3.UnitX, Vector3.UnitY, data)
        {
            Modality = modality,
            SeriesInstanceUid = "1.2.826.0.1.3680043.2.1143.7",
            Slices = [.. Enumerable.Range(0, sz).Select(z => new SliceSource($"1.2.826.0.1.3680043.2.1143.7.{z + 1}", "1.2.840.10008.5.1.4.1.1.4", 1))],
            Attributes = attributes ?? new Dictionary<string, string>(),
        };

    /// <summary>C# and Python agree within <see cref="Tolerance"/> (relative), or are both absent.</summary>
    public static void AssertClose(JsonElement expected, double? actual, string what)
    {
        if (expected.ValueKind == JsonValueKind.Null)
        {
            Assert.True(actual is null, $"{what}: C# {actual:R}, Python none");
            return;
        }

        Assert.True(actual is not null, $"{what}: C# none, Python {expected.GetDouble():R}");
        AssertClose(expected.GetDouble(), actual.Value, what);
    }

    public static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= (Tolerance * Math.Abs(expected)) + 1e-12, $"{what}: C# {actual:R}, Python {expected:R}");

    /// <summary>Two masks (or label maps) are identical; the message says how many and where they differ.</summary>
    public static void AssertSameMask(byte[] expected, byte[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var differences = 0;
        var first = -1;
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                differences++;
                first = first < 0 ? i : first;
            }
        }

        Assert.True(differences == 0, $"{what}: {differences} voxels differ from the reference, the first at index {first} (C# {(first < 0 ? 0 : actual[first])}, Python {(first < 0 ? 0 : expected[first])})");
    }

    /// <summary>Dice of label <paramref name="label"/> of <paramref name="found"/> against label <paramref name="truthLabel"/> of <paramref name="truth"/> (1 when both are empty).</summary>
    public static double Dice(byte[] found, Func<byte, bool> label, byte[] truth, Func<byte, bool> truthLabel)
    {
        long both = 0, a = 0, b = 0;
        for (var i = 0; i < found.Length; i++)
        {
            var inFound = label(found[i]);
            var inTruth = truthLabel(truth[i]);
            a += inFound ? 1 : 0;
            b += inTruth ? 1 : 0;
            both += inFound && inTruth ? 1 : 0;
        }

        return a + b == 0 ? 1 : 2.0 * both / (a + b);
    }

    /// <summary>The single measurement of <paramref name="concept"/> (and <paramref name="derivation"/> when given) of a finding.</summary>
    public static double Value(Finding finding, DicomCode concept, DicomCode? derivation = null) =>
        Assert.Single(finding.Measurements, m => m.Concept.Scheme == concept.Scheme && m.Concept.Value == concept.Value
            && (derivation is null || (m.Derivation?.Scheme == derivation.Scheme && m.Derivation.Value == derivation.Value))).Value;

    /// <summary>Whether a finding has a measurement of <paramref name="concept"/>.</summary>
    public static bool Has(Finding finding, DicomCode concept) =>
        finding.Measurements.Any(m => m.Concept.Scheme == concept.Scheme && m.Concept.Value == concept.Value);

    /// <summary>The single measurement of <paramref name="concept"/>, a code in the findings document's terms (<see cref="RadAICodes"/>), of a finding.</summary>
    public static double Value(Finding finding, Code concept) => Value(finding, new DicomCode(concept.Scheme, concept.Value, concept.Meaning));

    /// <summary>Whether a finding has a measurement of <paramref name="concept"/>, a code in the findings document's terms (<see cref="RadAICodes"/>).</summary>
    public static bool Has(Finding finding, Code concept) => Has(finding, new DicomCode(concept.Scheme, concept.Value, concept.Meaning));
}
