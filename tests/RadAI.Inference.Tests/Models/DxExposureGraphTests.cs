using Xunit;

namespace RadAI.Inference.Tests.Models;

/// <summary>The CR/DX statistics graph gives what a direct C# computation gives.</summary>
public sealed class DxExposureGraphTests
{
    [Theory]
    [InlineData(100, 80, 12, 1)]
    [InlineData(256, 256, 12, 2)]
    [InlineData(700, 530, 14, 3)]
    [InlineData(1, 7, 10, 4)]
    public void The_statistics_match_a_direct_computation(int height, int width, int bitsStored, int seed)
    {
        var random = new Random(seed);
        var fullScale = (1 << bitsStored) - 1;
        var image = new float[height * width];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                // A collimated edge at 0, a direct-exposure area clipped at full scale, anatomy in between.
                image[(y * width) + x] = x < width / 10 ? 0 : y < height / 6 ? fullScale : random.Next(1, fullScale + 1);
            }
        }

        using var session = ModelPackages.Open("dx-exposure-qc");
        var outputs = ModelPackages.Run(session, "image", image, 1, 1, height, width);
        float Value(string name)
        {
            Assert.Equal([1], outputs[name].Shape);
            return outputs[name].Data[0];
        }

        var n = (double)image.Length;
        var (min, max) = (image.Min(), image.Max());
        Assert.Equal(min, Value("minValue"));
        Assert.Equal(max, Value("maxValue"));
        // ONNX Runtime sums in float32: a relative error of about 1e-5 on hundreds of thousands of pixels.
        var mean = image.Average(v => (double)v);
        Assert.True(Math.Abs(mean - Value("meanValue")) <= 1e-4 * mean, $"mean {Value("meanValue")}, expected {mean}");
        // Min and max computed once: evaluated inside the predicate they make the count quadratic.
        Assert.Equal(image.Count(v => v == max) / n, Value("fractionAtMax"), 1e-6);
        Assert.Equal(image.Count(v => v == min) / n, Value("fractionAtMin"), 1e-6);
        Assert.Equal(image.Count(v => v == 0) / n, Value("fractionAtZero"), 1e-6);

        var stride = Math.Max(1, (int)Math.Ceiling(Math.Sqrt(height * (double)width / 65536)));
        var sample = new List<float>();
        for (var y = 0; y < height; y += stride)
        {
            for (var x = 0; x < width; x += stride)
            {
                sample.Add(image[(y * width) + x]);
            }
        }

        sample.Sort();
        foreach (var p in new[] { 1, 50, 99 })
        {
            Assert.Equal(sample[p * (sample.Count - 1) / 100], Value($"p{p:00}"));
        }
    }
}
