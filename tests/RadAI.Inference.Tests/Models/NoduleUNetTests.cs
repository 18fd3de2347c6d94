using System.Numerics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RadAI.Inference.Packages;
using RadAI.Inference.Runtime;
using RadAI.Inference.Volumes;
using Xunit;

namespace RadAI.Inference.Tests.Models;

/// <summary>
/// The demo U-Net run by ONNX Runtime in C# gives what PyTorch gave in the training script: directly, and through
/// RadAI's ModelRunner (HU volume, the manifest's window, batches of slices, padding to multiples of 8 and back).
/// </summary>
public sealed class NoduleUNetTests : IDisposable
{
    private const string Package = "ct-nodule-demo";

    /// <summary>The manifest's intensity window: clip(HU, -1000, 400), then (v + 1000) / 1400.</summary>
    private const float WindowMin = -1000, WindowRange = 1400;

    private readonly OnnxSessions _sessions = new(Options.Create(new InferenceOptions { UseCuda = false, WarmUp = false }), NullLogger<OnnxSessions>.Instance);

    public void Dispose() => _sessions.Dispose();

    [Fact]
    public void The_unet_in_csharp_reproduces_the_outputs_exported_by_the_training_script()
    {
        var reference = Reference.Load();
        using var session = ModelPackages.Open(Package);
        var output = ModelPackages.Run(session, reference.InputName, reference.Input, reference.InputShape)[reference.OutputName];

        Assert.Equal(reference.OutputShape, output.Shape);
        AssertBelow(1e-4, reference.Output, output.Data);
        Assert.Contains(reference.Output, v => v > 0.5f);
        Assert.Contains(reference.Output, v => v < 0.5f);
    }

    [Fact]
    public void The_model_runner_on_the_reference_slices_as_a_ct_volume_reproduces_the_training_script()
    {
        // The reference input is already windowed: back to HU, a volume of two 0.75 mm slices (no resampling), then the
        // runner windows it again as the manifest says and runs the slices in one batch.
        var reference = Reference.Load();
        var (n, h, w) = (reference.InputShape[0], reference.InputShape[2], reference.InputShape[3]);
        var hu = reference.Input.Select(v => (v * WindowRange) + WindowMin).ToArray();
        var package = ModelPackage.Load(Path.Combine(ModelPackages.Folder, Package));

        var result = new ModelRunner(_sessions).Run(package, Volume(w, h, n, hu), CancellationToken.None);

        var output = result.Outputs[reference.OutputName];
        Assert.Equal(1, output.Channels);
        AssertBelow(1e-4, reference.Output, output.Data);
    }

    [Theory]
    [InlineData(90, 60)]
    [InlineData(81, 57)]
    public void The_model_runner_pads_slices_to_multiples_of_8_with_air_and_crops_the_output_back(int width, int height)
    {
        // Slices cut out of the reference input, whose sizes the U-Net cannot take (three 2×2 poolings): the runner must
        // give what the session gives on the slices padded at their end with 0 (air after the window), cropped back.
        Assert.Equal(8, ModelPackage.Load(Path.Combine(ModelPackages.Folder, Package)).Manifest.Input.SizeMultiple);
        var reference = Reference.Load();
        var (n, h, w) = (reference.InputShape[0], reference.InputShape[2], reference.InputShape[3]);
        var (paddedWidth, paddedHeight) = (RoundUp(width), RoundUp(height));
        Assert.True(paddedWidth <= w && paddedHeight <= h);
        var cut = new float[n * height * width];
        var padded = new float[n * paddedHeight * paddedWidth];
        for (var b = 0; b < n; b++)
        {
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    var value = reference.Input[(((b * h) + y) * w) + x];
                    cut[(((b * height) + y) * width) + x] = value;
                    padded[(((b * paddedHeight) + y) * paddedWidth) + x] = value;
                }
            }
        }

        using var session = ModelPackages.Open(Package);
        var direct = ModelPackages.Run(session, reference.InputName, padded, n, 1, paddedHeight, paddedWidth)[reference.OutputName].Data;
        var package = ModelPackage.Load(Path.Combine(ModelPackages.Folder, Package));

        var output = new ModelRunner(_sessions).Run(package, Volume(width, height, n, [.. cut.Select(v => (v * WindowRange) + WindowMin)]), CancellationToken.None)
            .Outputs[reference.OutputName].Data;

        Assert.Equal(n * height * width, output.Length);
        var expected = new float[output.Length];
        for (var b = 0; b < n; b++)
        {
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    expected[(((b * height) + y) * width) + x] = direct[(((b * paddedHeight) + y) * paddedWidth) + x];
                }
            }
        }

        AssertBelow(1e-5, expected, output);
        // Padding changes what the network sees near the cut edges: the cropped output is not the reference's.
        Assert.Contains(expected, v => v > 0.5f);
    }

    [Theory]
    [InlineData(1, 64, 64)]
    [InlineData(3, 32, 48)]
    [InlineData(2, 136, 72)]
    public void The_unet_takes_any_batch_and_any_size_that_is_a_multiple_of_8(int n, int height, int width)
    {
        var random = new Random(n * height * width);
        var image = new float[n * height * width];
        for (var i = 0; i < image.Length; i++)
        {
            image[i] = (float)(0.1 + (0.02 * random.NextDouble()));
        }

        using var session = ModelPackages.Open(Package);
        var output = ModelPackages.Run(session, "image", image, n, 1, height, width)["nodule"];

        Assert.Equal([n, 1, height, width], output.Shape);
        Assert.All(output.Data, p => Assert.InRange(p, 0f, 1f));
    }

    private static int RoundUp(int size) => (size + 7) / 8 * 8;

    private static Volume Volume(int width, int height, int slices, float[] hu) =>
        new(width, height, slices, new Vector3(0.75f, 0.75f, 1f), Vector3.Zero, Vector3.UnitX, Vector3.UnitY, hu) { Modality = "CT" };

    private static void AssertBelow(double tolerance, float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var maxDifference = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(maxDifference < tolerance, $"max abs difference {maxDifference}");
    }

    /// <summary>reference/ of the package: two 64×96 slices and PyTorch's outputs on them, exported by train.py.</summary>
    private sealed record Reference(string InputName, int[] InputShape, float[] Input, string OutputName, int[] OutputShape, float[] Output)
    {
        public static Reference Load()
        {
            using var shapes = JsonDocument.Parse(File.ReadAllText(ModelPackages.PathOf(Package, "reference/shapes.json")));
            var root = shapes.RootElement;
            var inputShape = root.GetProperty("input").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var outputShape = root.GetProperty("output").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var input = ReadFloats(ModelPackages.PathOf(Package, "reference/input.bin"));
            var output = ReadFloats(ModelPackages.PathOf(Package, "reference/output.bin"));
            Assert.Equal(inputShape.Aggregate(1, (a, b) => a * b), input.Length);
            Assert.Equal(outputShape.Aggregate(1, (a, b) => a * b), output.Length);
            return new Reference(root.GetProperty("inputName").GetString()!, inputShape, input, root.GetProperty("outputName").GetString()!, outputShape, output);
        }

        private static float[] ReadFloats(string path)
        {
            var bytes = File.ReadAllBytes(path);
            var values = new float[bytes.Length / sizeof(float)];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = BitConverter.ToSingle(bytes, i * sizeof(float));
            }

            return values;
        }
    }
}
