using System.Text.Json;
using System.Text.Json.Nodes;
using RadAI.Testing;

namespace RadAI.Inference.Tests.Packages;

/// <summary>
/// MONAI bundles for the import tests: the fixture modelled on MONAI's spleen_ct_segmentation bundle
/// (MonaiBundles/spleen_ct_segmentation), copied with changes, and the tiny exported networks of TestModels/.
/// </summary>
internal static class MonaiBundles
{
    public static string Spleen { get; } = Path.Combine(RepositoryPaths.Root, "tests", "RadAI.Inference.Tests", "MonaiBundles", "spleen_ct_segmentation");

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// Writes the spleen bundle under <paramref name="parent"/>, its configs changed by the given actions, with
    /// <paramref name="onnx"/> (from TestModels/, null: none) as <c>models/model.onnx</c>; returns its folder.
    /// </summary>
    public static string WriteSpleen(string parent, Action<JsonObject>? metadata = null, Action<JsonObject>? inference = null, string? onnx = "monai_seg3d.onnx")
    {
        var folder = Path.Combine(parent, "spleen_ct_segmentation");
        Directory.CreateDirectory(Path.Combine(folder, "configs"));
        Directory.CreateDirectory(Path.Combine(folder, "docs"));
        File.Copy(Path.Combine(Spleen, "docs", "README.md"), Path.Combine(folder, "docs", "README.md"));
        WriteJson(Path.Combine(folder, "configs", "metadata.json"), Read(Path.Combine(Spleen, "configs", "metadata.json")), metadata);
        WriteJson(Path.Combine(folder, "configs", "inference.json"), Read(Path.Combine(Spleen, "configs", "inference.json")), inference);
        if (onnx is not null)
        {
            Directory.CreateDirectory(Path.Combine(folder, "models"));
            File.Copy(Path.Combine(TestPackages.ModelsFolder, onnx), Path.Combine(folder, "models", "model.onnx"));
        }

        return folder;
    }

    /// <summary>A 2D chest X-ray classifier bundle (two classes, z-score, softmax) around monai_cls2d.onnx.</summary>
    public static string WriteClassifier2D(string parent)
    {
        var folder = Path.Combine(parent, "cxr_classification");
        Directory.CreateDirectory(Path.Combine(folder, "configs"));
        Directory.CreateDirectory(Path.Combine(folder, "models"));
        File.Copy(Path.Combine(TestPackages.ModelsFolder, "monai_cls2d.onnx"), Path.Combine(folder, "models", "model.onnx"));
        WriteJson(Path.Combine(folder, "configs", "metadata.json"), JsonNode.Parse("""
            {
              "version": "0.2.0",
              "monai_version": "1.4.0",
              "pytorch_version": "2.4.0",
              "numpy_version": "1.24.4",
              "optional_packages_version": {},
              "task": "Chest X-ray normal or abnormal",
              "description": "A test classifier",
              "authors": "RadAI tests",
              "copyright": "none",
              "network_data_format": {
                "inputs": { "image": { "type": "image", "format": "magnitude", "modality": "CXR", "num_channels": 1, "spatial_shape": ["*", "*"],
                                       "dtype": "float32", "value_range": [], "is_patch_data": false, "channel_def": { "0": "image" } } },
                "outputs": { "pred": { "type": "probabilities", "format": "classes", "num_channels": 2, "spatial_shape": [2], "dtype": "float32",
                                       "value_range": [0, 1], "is_patch_data": false, "channel_def": { "0": "normal", "1": "abnormal" } } }
              }
            }
            """)!.AsObject(), null);
        WriteJson(Path.Combine(folder, "configs", "inference.json"), JsonNode.Parse("""
            {
              "preprocessing": { "_target_": "Compose", "transforms": [
                { "_target_": "LoadImaged", "keys": "image" },
                { "_target_": "EnsureChannelFirstd", "keys": "image" },
                { "_target_": "NormalizeIntensityd", "keys": "image" } ] },
              "inferer": { "_target_": "SimpleInferer" },
              "postprocessing": { "_target_": "Compose", "transforms": [ { "_target_": "Activationsd", "keys": "pred", "softmax": true } ] }
            }
            """)!.AsObject(), null);
        return folder;
    }

    /// <summary>The transforms of a section (<c>preprocessing</c>, <c>postprocessing</c>) of an inference config.</summary>
    public static JsonArray Transforms(JsonObject inference, string section = "preprocessing") => inference[section]!["transforms"]!.AsArray();

    /// <summary>The first transform of the preprocessing whose _target_ is <paramref name="target"/>.</summary>
    public static JsonObject Transform(JsonObject inference, string target) =>
        Transforms(inference).Select(t => t!.AsObject()).First(t => (string?)t["_target_"] == target);

    public static JsonObject Input(JsonObject metadata) => metadata["network_data_format"]!["inputs"]!["image"]!.AsObject();

    public static JsonObject Output(JsonObject metadata) => metadata["network_data_format"]!["outputs"]!["pred"]!.AsObject();

    private static JsonObject Read(string path) => JsonNode.Parse(File.ReadAllText(path))!.AsObject();

    private static void WriteJson(string path, JsonObject json, Action<JsonObject>? change)
    {
        change?.Invoke(json);
        File.WriteAllText(path, json.ToJsonString(Indented));
    }
}
