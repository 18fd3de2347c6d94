using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;

namespace RadAI.Inference.Packages;

/// <summary>What to import from a MONAI bundle, and how.</summary>
public sealed record MonaiImportOptions
{
    /// <summary>The bundle: its folder (holding <c>configs/metadata.json</c>), or a .zip of it.</summary>
    public required string Bundle { get; init; }

    /// <summary>The network exported to ONNX; null: the only <c>.onnx</c> file under the bundle's <c>models/</c>.</summary>
    public string? Onnx { get; init; }

    /// <summary>The package folder to write; it must not exist, or be empty.</summary>
    public required string Output { get; init; }

    /// <summary>Package id; null: <c>monai.</c> and the bundle's name.</summary>
    public string? Id { get; init; }

    /// <summary><c>DEMO</c> or <c>RESEARCH</c>: an import is never <c>CLINICAL</c>.</summary>
    public ModelStatus Status { get; init; } = ModelStatus.RESEARCH;

    /// <summary>SEG type codes of output channels, by channel name (as <c>channel_def</c> names it).</summary>
    public IReadOnlyDictionary<string, CodeRef> Labels { get; init; } = new Dictionary<string, CodeRef>();

    /// <summary>SEG category codes for <see cref="Labels"/> whose code is in no DICOM segmentation type group.</summary>
    public IReadOnlyDictionary<string, CodeRef> LabelCategories { get; init; } = new Dictionary<string, CodeRef>();
}

/// <summary>A package imported from a MONAI bundle, and how each part of the bundle was mapped.</summary>
public sealed record MonaiImportResult(ModelPackage Package, IReadOnlyList<string> Mapping, IReadOnlyList<string> Limitations);

/// <summary>A bundle that does not map onto a RadAI package; each reason names the file and JSON path concerned.</summary>
public sealed class MonaiImportException(string bundle, IReadOnlyList<string> reasons)
    : Exception($"{bundle} cannot be imported: {string.Join("; ", reasons)}")
{
    public IReadOnlyList<string> Reasons { get; } = reasons;
}

/// <summary>
/// Imports a MONAI bundle (<c>configs/metadata.json</c>'s <c>network_data_format</c>, the preprocessing, inferer and
/// post-processing of <c>configs/inference.json</c>) and its network exported to ONNX as a RadAI model package; see
/// docs/model-packages.md, "Importing a MONAI bundle". What maps is mapped; anything that would make RadAI feed the
/// network otherwise than the bundle does, or read its outputs otherwise, is refused with its reason.
/// </summary>
/// <remarks>
/// MONAI networks take <c>[N, C, x, y, z]</c> in the orientation of the bundle's <c>Orientationd</c>; RadAI hands a model
/// <c>[N, C, z, y, x]</c> as the series is stored. The written <c>model.onnx</c> therefore wraps the network: a Transpose
/// (and Slice nodes reversing axes) before it, the bundle's activation and the inverse after it (<see cref="OnnxModelAdapter"/>).
/// </remarks>
public static partial class MonaiBundleImporter
{
    public const string MetadataFile = "configs/metadata.json";

    public const string InferenceFile = "configs/inference.json";

    /// <summary>Fewest slices a series needs for an imported 3D network: a volume, not a few slices.</summary>
    public const int MinSlices3D = 16;

    /// <summary>Imports a bundle; <see cref="MonaiImportException"/> lists every reason it cannot be imported.</summary>
    public static MonaiImportResult Import(MonaiImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Status == ModelStatus.CLINICAL)
        {
            throw new ArgumentException("An imported package is DEMO or RESEARCH, never CLINICAL: clinical status follows a local validation.", nameof(options));
        }

        var target = Path.GetFullPath(options.Output);
        if (File.Exists(target) || (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any()))
        {
            throw new IOException($"{target} already exists and is not an empty folder.");
        }

        string? extracted = null;
        try
        {
            var folder = BundleFolder(options.Bundle, ref extracted);
            var plan = new BundleAnalysis(folder, options).Plan();
            return Write(plan, target);
        }
        finally
        {
            if (extracted is not null && Directory.Exists(extracted))
            {
                Directory.Delete(extracted, recursive: true);
            }
        }
    }

    /// <summary>Reads <c>SCHEME:VALUE:Meaning</c> (the meaning may hold colons).</summary>
    public static bool TryParseCode(string text, out CodeRef code)
    {
        var parts = text.Split(':', 3);
        code = parts.Length == 3 && parts.All(p => p.Trim().Length > 0) ? new CodeRef(parts[0].Trim(), parts[1].Trim(), parts[2].Trim()) : null!;
        return code is not null;
    }

    /// <summary>The folder of the bundle: the one given, or its only sub-folder holding the metadata, or the .zip extracted.</summary>
    private static string BundleFolder(string bundle, ref string? extracted)
    {
        var folder = bundle;
        if (File.Exists(bundle))
        {
            if (!bundle.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            {
                throw new MonaiImportException(bundle, [$"{bundle}: a bundle is a folder or a .zip of one"]);
            }

            extracted = Path.Combine(Path.GetTempPath(), $"radai-monai-{Guid.NewGuid():N}");
            try
            {
                ZipFile.ExtractToDirectory(bundle, extracted);
            }
            catch (InvalidDataException e)
            {
                throw new MonaiImportException(bundle, [$"{bundle}: not a readable .zip ({e.Message})"]);
            }

            folder = extracted;
        }
        else if (!Directory.Exists(bundle))
        {
            throw new DirectoryNotFoundException($"{bundle}: no such folder or .zip.");
        }

        if (File.Exists(Path.Combine(folder, MetadataFile)))
        {
            return folder;
        }

        var candidates = Directory.GetDirectories(folder).Where(d => File.Exists(Path.Combine(d, MetadataFile))).ToList();
        return candidates.Count == 1
            ? candidates[0]
            : throw new MonaiImportException(bundle, [$"{MetadataFile}: missing: {bundle} is not a MONAI bundle (a folder with configs/metadata.json, or a .zip of one)"]);
    }

    private static MonaiImportResult Write(ImportPlan plan, string target)
    {
        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.import-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(staging);
            File.WriteAllBytes(Path.Combine(staging, plan.Manifest.Input.Onnx), plan.Onnx);
            File.WriteAllText(Path.Combine(staging, "radai-model.json"), JsonSerializer.Serialize(plan.Manifest, ModelManifest.JsonTypeInfo(ManifestJson)) + "\n");
            File.WriteAllText(Path.Combine(staging, "README.md"), plan.Readme);
            foreach (var (source, relative) in plan.Provenance)
            {
                var destination = Path.Combine(staging, ProvenanceFolder, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(source, destination);
            }

            try
            {
                _ = ModelPackage.Load(staging);
            }
            catch (ModelPackageException e)
            {
                throw new MonaiImportException(plan.BundleName, [$"the package written does not pass RadAI's package validation ({e.Message})"]);
            }

            if (Directory.Exists(target))
            {
                Directory.Delete(target);
            }

            Directory.Move(staging, target);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }

        return new MonaiImportResult(ModelPackage.Load(target), plan.Mapping, plan.Manifest.Limitations);
    }

    /// <summary>Folder of the package that keeps the bundle's own description, configs and licences.</summary>
    public const string ProvenanceFolder = "monai-bundle";

    /// <summary>The manifest as people read and edit it: indented, quotes and angle brackets left as they are.</summary>
    private static readonly JsonSerializerOptions ManifestJson = new(ModelManifest.Json) { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private sealed record ImportPlan(string BundleName, ModelManifest Manifest, byte[] Onnx, string Readme, IReadOnlyList<string> Mapping, IReadOnlyList<(string Source, string Relative)> Provenance);

    /// <summary>A spatial size a network accepts on one axis (<c>spatial_shape</c>): any, a fixed size, or a multiple.</summary>
    private sealed record AxisRequirement(int? Fixed, int Multiple)
    {
        public bool Accepts(int size) => Fixed is { } value ? size == value : size % Multiple == 0;

        public override string ToString() => Fixed is { } value ? value.ToString(CultureInfo.InvariantCulture) : Multiple == 1 ? "*" : $"{Multiple}*n";
    }

    /// <summary>What the bundle's post-processing does to one output.</summary>
    private sealed record OutputPostprocessing
    {
        public OutputActivation Activation { get; set; }

        public bool Argmax { get; set; }

        public double? Threshold { get; set; }

        public bool KeepsLargestComponent { get; set; }
    }

    [GeneratedRegex(@"^\s*(?:(\d+)\s*\*\s*[a-z]|[a-z]\s*\*\s*(\d+))\s*$")]
    private static partial Regex MultipleExpression();

    [GeneratedRegex("[^a-z0-9.]+")]
    private static partial Regex NotIdCharacters();

    private static string F(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Bracketed<T>(IEnumerable<T> values) => $"[{string.Join(", ", values.Select(v => v is double d ? F(d) : Convert.ToString(v, CultureInfo.InvariantCulture)))}]";

    /// <summary>Series descriptions of localizers and reformats, which a network trained on axial volumes must not see.</summary>
    public const string NotLocalizersOrReformats = "(?i)^(?!.*(?<![a-z])(scout|locali[sz]er|topogram|cor|coronal|sag|sagittal|mpr|mip)(?![a-z]))";

    private static string Humanize(string name)
    {
        var words = SegmentationPropertyCodes.Normalize(name);
        return words.Length == 0 ? name : char.ToUpperInvariant(words[0]) + words[1..];
    }

    private static string Slug(string name) => NotIdCharacters().Replace(name.ToLowerInvariant(), "-").Trim('-', '.');

    private static int Lcm(int a, int b)
    {
        static int Gcd(int x, int y) => y == 0 ? x : Gcd(y, x % y);
        return a / Gcd(a, b) * b;
    }
}
