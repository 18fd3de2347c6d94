using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace RadAI.Models.OnnxRun;

/// <summary>
/// onnx-run MODEL.onnx OUTDIR NAME=INPUT.npy [NAME=INPUT.npy ...]: runs the model on CPU with ONNX Runtime and
/// writes each float32 output as OUTDIR/&lt;output name&gt;.npy. Inputs are little-endian float32 C-order .npy files.
/// </summary>
public static partial class Program
{
    public static int Main(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("usage: onnx-run MODEL.onnx OUTDIR NAME=INPUT.npy [NAME=INPUT.npy ...]");
            return 2;
        }

        Directory.CreateDirectory(args[1]);
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(args[0], options);
        var inputs = new List<NamedOnnxValue>();
        foreach (var arg in args.Skip(2))
        {
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var (shape, data) = ReadNpy(arg[(eq + 1)..]);
            inputs.Add(NamedOnnxValue.CreateFromTensor(arg[..eq], new DenseTensor<float>(data, shape)));
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var results = session.Run(inputs);
        Console.WriteLine($"ran {Path.GetFileName(args[0])} in {watch.ElapsedMilliseconds} ms");
        foreach (var result in results)
        {
            var tensor = result.AsTensor<float>();
            WriteNpy(Path.Combine(args[1], result.Name + ".npy"), tensor.Dimensions.ToArray(), tensor.ToArray());
        }

        return 0;
    }

    private static (int[] Shape, float[] Data) ReadNpy(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var major = bytes[6];
        var headerLength = major == 1 ? BitConverter.ToUInt16(bytes, 8) : (int)BitConverter.ToUInt32(bytes, 8);
        var headerStart = major == 1 ? 10 : 12;
        var header = Encoding.ASCII.GetString(bytes, headerStart, headerLength);
        if (!header.Contains("'<f4'", StringComparison.Ordinal) || header.Contains("'fortran_order': True", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: only little-endian float32 C-order .npy files are read ({header})");
        }

        var shapeText = ShapePattern().Match(header).Groups[1].Value;
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var data = new float[shape.Aggregate(1, (a, b) => a * b)];
        Buffer.BlockCopy(bytes, headerStart + headerLength, data, 0, data.Length * sizeof(float));
        return (shape, data);
    }

    private static void WriteNpy(string path, int[] shape, float[] data)
    {
        var shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shapeText}, }}";
        var total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + ((64 - (total % 64)) % 64)) + "\n";
        using var stream = File.Create(path);
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        stream.Write(BitConverter.GetBytes((ushort)header.Length));
        stream.Write(Encoding.ASCII.GetBytes(header));
        var raw = new byte[data.Length * sizeof(float)];
        Buffer.BlockCopy(data, 0, raw, 0, raw.Length);
        stream.Write(raw);
    }

    [GeneratedRegex(@"'shape': \(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
