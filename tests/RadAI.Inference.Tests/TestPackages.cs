using System.Text.Json;
using RadAI.Inference.Packages;
using RadAI.Testing;

namespace RadAI.Inference.Tests;

/// <summary>Model packages for tests, written into temporary folders around the tiny models of TestModels/.</summary>
internal static class TestPackages
{
    public static string ModelsFolder => Path.Combine(AppContext.BaseDirectory, "TestModels");

    /// <summary>A manifest around a mask output named <c>mask</c>.</summary>
    public static ModelManifest Manifest(string id, bool connectedComponents = false, string onnx = "threshold3d.onnx", string mode = "volume3d") => new()
    {
        Id = id,
        Version = "0.0.1",
        Name = $"Test package {id}",
        Status = ModelStatus.DEMO,
        IntendedUse = "Tests only.",
        Select = new SelectionRules { Modalities = ["CT"], MinSlices = 1 },
        Input = new ModelInput { Onnx = onnx, Name = "x", Mode = mode, Layout = mode == "volume3d" ? "NCDHW" : "NCHW" },
        Outputs =
        [
            new ModelOutput
            {
                Name = "mask",
                Kind = "segmentation",
                Labels = [new SegmentLabel(1, "Lesion", new CodeRef("SCT", "49755003", "Morphologically Abnormal Structure"), new CodeRef("SCT", "52988006", "Lesion"))],
                Postprocess = new Postprocess { Threshold = 0.5, ConnectedComponents = connectedComponents },
            },
        ],
    };

    /// <summary>Writes a package folder: the manifest and the ONNX file it names, copied from TestModels/.</summary>
    public static string Write(string parent, ModelManifest manifest, string? onnxSource = null)
    {
        var folder = Path.Combine(parent, manifest.Id);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "radai-model.json"), JsonSerializer.Serialize(manifest, ModelManifest.Json));
        File.Copy(Path.Combine(ModelsFolder, onnxSource ?? manifest.Input.Onnx), Path.Combine(folder, manifest.Input.Onnx), overwrite: true);
        return folder;
    }
}
