using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RadAI.Inference.Packages;

/// <summary>A package that failed to load, and why.</summary>
public sealed class ModelPackageException(string message) : Exception(message);

/// <summary>A loaded model package: its manifest and where its files are.</summary>
public sealed partial record ModelPackage(ModelManifest Manifest, string Folder)
{
    public string Id => Manifest.Id;

    public string Version => Manifest.Version;

    /// <summary>Absolute path of an ONNX file of the package.</summary>
    public string OnnxPath(string? file = null) => Path.Combine(Folder, file ?? Manifest.Input.Onnx);

    /// <summary>Loads a package folder, or a .zip of one (extracted under <paramref name="extractRoot"/>).</summary>
    public static ModelPackage Load(string path, string? extractRoot = null)
    {
        var folder = path;
        if (File.Exists(path) && path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            folder = Path.Combine(extractRoot ?? Path.Combine(Path.GetTempPath(), "radai-packages"), Path.GetFileNameWithoutExtension(path));
            Directory.CreateDirectory(folder);
            ZipFile.ExtractToDirectory(path, folder, overwriteFiles: true);
        }

        var manifestPath = Path.Combine(folder, "radai-model.json");
        if (!File.Exists(manifestPath))
        {
            throw new ModelPackageException($"{path}: no radai-model.json.");
        }

        ModelManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(File.ReadAllText(manifestPath), ModelManifest.JsonTypeInfo(ModelManifest.Json))
                ?? throw new ModelPackageException($"{manifestPath} is empty.");
        }
        catch (JsonException e)
        {
            throw new ModelPackageException($"{manifestPath}: {e.Message}");
        }

        var problems = Validate(manifest, folder).ToList();
        if (problems.Count > 0)
        {
            throw new ModelPackageException($"{manifestPath}: {string.Join("; ", problems)}");
        }

        return new ModelPackage(manifest, Path.GetFullPath(folder));
    }

    /// <summary>What is wrong with a manifest (nothing: an empty sequence).</summary>
    public static IEnumerable<string> Validate(ModelManifest manifest, string folder)
    {
        if (!IdPattern().IsMatch(manifest.Id))
        {
            yield return $"id '{manifest.Id}' must be lowercase letters, digits, dots and dashes";
        }

        if (manifest.Select.Modalities.Count == 0)
        {
            yield return "select.modalities is empty";
        }

        if (manifest.Select.SeriesDescription is { } pattern)
        {
            string? error = null;
            try
            {
                _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                error = $"select.seriesDescription is not a valid regular expression: {e.Message}";
            }

            if (error is not null)
            {
                yield return error;
            }
        }

        if (manifest.Input.Mode is not ("volume3d" or "slice2d" or "slices25d" or "image2d"))
        {
            yield return $"input.mode '{manifest.Input.Mode}' is not volume3d, slice2d, slices25d or image2d";
        }

        if (manifest.Input.Intensity.Kind is not ("none" or "hu-window" or "clip" or "zscore"))
        {
            yield return $"input.intensity.kind '{manifest.Input.Intensity.Kind}' is not none, hu-window, clip or zscore";
        }

        if (manifest.Input.Intensity.Kind is "hu-window" or "clip" && (manifest.Input.Intensity.Min is null || manifest.Input.Intensity.Max is null || manifest.Input.Intensity.Min >= manifest.Input.Intensity.Max))
        {
            yield return "input.intensity needs min < max";
        }

        if (manifest.Input.SizeMultiple < 1)
        {
            yield return "input.sizeMultipleOf must be 1 or more";
        }

        if (manifest.Input.Photometric is not (null or "MONOCHROME2"))
        {
            yield return $"input.photometric '{manifest.Input.Photometric}' is not MONOCHROME2";
        }

        if (manifest.Inference.Mode is not ("whole" or "sliding-window"))
        {
            yield return $"inference.mode '{manifest.Inference.Mode}' is not whole or sliding-window";
        }

        if (manifest.Inference.Mode == "sliding-window" && (manifest.Inference.RoiSize is null || manifest.Inference.Overlap is < 0 or >= 1))
        {
            yield return "sliding-window needs inference.roiSize and an overlap in [0, 1)";
        }

        if (manifest.Outputs.Count == 0)
        {
            yield return "outputs is empty";
        }

        foreach (var output in manifest.Outputs.Where(o => o.Kind is not ("segmentation" or "detection" or "classification" or "measurement" or "intermediate")))
        {
            yield return $"output '{output.Name}' has unknown kind '{output.Kind}'";
        }

        foreach (var output in manifest.Outputs.Where(o => o.Kind == "detection"))
        {
            yield return $"output '{output.Name}': box detection outputs are not supported by this version; give candidates as a probability map (kind segmentation, postprocess.connectedComponents) and each component becomes a finding";
        }

        foreach (var output in manifest.Outputs.Where(o => o.Kind == "classification" && o.Classes.Count == 0))
        {
            yield return $"classification output '{output.Name}' has no classes";
        }

        foreach (var output in manifest.Outputs.Where(o => o.Kind == "segmentation" && o.Labels.Any(l => l.Value is < 1 or > 255)))
        {
            yield return $"segmentation output '{output.Name}' has a label value outside 1..255";
        }

        if (manifest.Analyzer is { } analyzer && !KnownAnalyzers.Contains(analyzer))
        {
            yield return $"analyzer '{analyzer}' is not one of {string.Join(", ", KnownAnalyzers)}";
        }

        foreach (var output in manifest.Outputs.Where(o => o.Kind == "segmentation" && o.Labels.Count == 0))
        {
            yield return $"segmentation output '{output.Name}' has no labels";
        }

        var onnx = Path.Combine(folder, manifest.Input.Onnx);
        if (!File.Exists(onnx))
        {
            yield return $"{manifest.Input.Onnx} is missing";
        }
    }

    /// <summary>The domain analyzers this version provides.</summary>
    public static readonly IReadOnlyList<string> KnownAnalyzers = ["lung-quantification", "nodule-candidates", "brain-icv", "exposure-qc", "mammo-density"];

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]*$")]
    private static partial Regex IdPattern();
}
