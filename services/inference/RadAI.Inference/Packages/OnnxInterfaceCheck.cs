using Microsoft.ML.OnnxRuntime;

namespace RadAI.Inference.Packages;

/// <summary>
/// Does a package's ONNX file offer what its manifest names? <see cref="ModelPackage.Load"/> checks the manifest and
/// that the file exists; this opens the file in ONNX Runtime (CPU) and compares its interface with the manifest, so
/// that a wrong name or rank is found before the first study rather than during it.
/// </summary>
public static class OnnxInterfaceCheck
{
    /// <summary>What does not match (nothing: an empty list).</summary>
    public static IReadOnlyList<string> Problems(ModelPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        var manifest = package.Manifest;
        var problems = new List<string>();
        InferenceSession session;
        try
        {
            session = new InferenceSession(package.OnnxPath());
        }
        catch (OnnxRuntimeException e)
        {
            return [$"{manifest.Input.Onnx} does not load in ONNX Runtime: {e.Message.Split('\n')[0]}"];
        }

        using (session)
        {
            var rank = manifest.Input.Mode == "volume3d" ? 5 : 4;
            if (!session.InputMetadata.TryGetValue(manifest.Input.Name, out var input))
            {
                problems.Add($"input.name '{manifest.Input.Name}' is not an input of {manifest.Input.Onnx} ({string.Join(", ", session.InputMetadata.Keys)})");
            }
            else if (input.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float)
            {
                problems.Add($"input '{manifest.Input.Name}' is {input.ElementDataType}, not float32");
            }
            else if (input.Dimensions.Length != rank)
            {
                problems.Add($"input '{manifest.Input.Name}' has {input.Dimensions.Length} dimensions; {manifest.Input.Mode} feeds {rank}");
            }

            foreach (var extra in session.InputMetadata.Keys.Where(k => k != manifest.Input.Name))
            {
                problems.Add($"{manifest.Input.Onnx} has another input, '{extra}', which RadAI does not feed");
            }

            foreach (var output in manifest.Outputs.Where(o => !session.OutputMetadata.ContainsKey(o.Name)))
            {
                problems.Add($"output '{output.Name}' is not an output of {manifest.Input.Onnx} ({string.Join(", ", session.OutputMetadata.Keys)})");
            }
        }

        return problems;
    }
}
