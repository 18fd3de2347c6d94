using System.Text.Json;
using Xunit;

namespace RadAI.Inference.Tests.Models;

/// <summary>The demo U-Net run by ONNX Runtime in C# gives what PyTorch gave in the training script.</summary>
public sealed class NoduleUNetTests
{
    private const string Package = "ct-nodule-demo";

    [Fact]
    public void The_unet_in_csharp_reproduces_the_outputs_exported_by_the_training_script()
    {
        using var shapes = JsonDocument.Parse(File.ReadAllText(ModelPackages.PathOf(Package, "reference/shapes.json")));
        var inputShape = shapes.RootElement.GetProperty("input").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var outputShape = shapes.RootElement.GetProperty("output").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var input = ReadFloats(ModelPackages.PathOf(Package, "reference/input.bin"));
        var expected = ReadFloats(ModelPackages.PathOf(Package, "reference/output.bin"));
        Assert.Equal(inputShape.Aggregate(1, (a, b) => a * b), input.Length);
        Assert.Equal(outputShape.Aggregate(1, (a, b) => a * b), expected.Length);

        using var session = ModelPackages.Open(Package);
        var output = ModelPackages.Run(session, shapes.RootElement.GetProperty("inputName").GetString()!, input, inputShape)
            [shapes.RootElement.GetProperty("outputName").GetString()!];

        Assert.Equal(outputShape, output.Shape);
        var maxDifference = expected.Zip(output.Data, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(maxDifference < 1e-4, $"max abs difference {maxDifference}");
        Assert.Contains(expected, v => v > 0.5f);
        Assert.Contains(expected, v => v < 0.5f);
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
