using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RadAI.Testing;

namespace RadAI.Inference.Tests.Models;

/// <summary>The default model packages of the checkout (models/&lt;package&gt;/) and a way to run their ONNX files.</summary>
internal static class ModelPackages
{
    public static string Folder { get; } = Path.Combine(RepositoryPaths.Root, "models");

    /// <summary>Every folder of models/ that holds a radai-model.json.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Directory.EnumerateDirectories(Folder)
        .Where(d => System.IO.File.Exists(Path.Combine(d, "radai-model.json")))
        .Select(Path.GetFileName)
        .OfType<string>()
        .Order(StringComparer.Ordinal)];

    public static string PathOf(string package, string relativePath) => Path.Combine(Folder, package, relativePath);

    public static InferenceSession Open(string package, string onnxFile = "model.onnx")
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        return new InferenceSession(PathOf(package, onnxFile), options);
    }

    /// <summary>Runs a single-input model; returns every float output by name.</summary>
    public static Dictionary<string, Output> Run(InferenceSession session, string inputName, float[] data, params int[] shape)
    {
        var input = NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(data, shape));
        using var results = session.Run([input]);
        return results.ToDictionary(
            r => r.Name,
            r =>
            {
                var tensor = r.AsTensor<float>();
                return new Output(tensor.ToArray(), tensor.Dimensions.ToArray());
            },
            StringComparer.Ordinal);
    }

    internal sealed record Output(float[] Data, int[] Shape);
}
