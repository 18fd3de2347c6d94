using Xunit;

namespace RadAI.Inference.Tests.Models;

/// <summary>The MG graph gives the smoothed image and the breast mask that a direct C# computation gives.</summary>
public sealed class MgDensityGraphTests
{
    private const double BreastThreshold = 0.10;

    [Theory]
    [InlineData(120, 90, 1)]
    [InlineData(97, 131, 2)]
    public void The_smoothed_image_and_breast_mask_match_a_direct_computation(int height, int width, int seed)
    {
        var random = new Random(seed);
        var image = new float[height * width];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                // Breast: a half ellipse on the chest wall (x = 0); a pectoral triangle; background; a bright marker.
                var inside = Math.Pow(x / (0.75 * width), 2) + Math.Pow((y - (0.45 * height)) / (0.5 * height), 2) <= 1;
                var value = !inside ? 30 : x < 0.3 * width * (1 - (y / (0.45 * height))) ? 700 : 300 + (300 * (((x / 7) + (y / 9)) & 1));
                if (y > height - 12 && y < height - 4 && x > width - 14 && x < width - 4)
                {
                    value = 1000;
                }

                image[(y * width) + x] = value + random.Next(0, 20);
            }
        }

        var min = image.Min();
        var max = image.Max();
        var dims = new LungGraphReference.Dims(1, height, width);
        var smoothed = new double[image.Length];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                double sum = 0;
                var count = 0;
                for (var yy = Math.Max(0, y - 2); yy <= Math.Min(height - 1, y + 2); yy++)
                {
                    for (var xx = Math.Max(0, x - 2); xx <= Math.Min(width - 1, x + 2); xx++)
                    {
                        sum += (image[(yy * width) + xx] - min) / (max - min);
                        count++;
                    }
                }

                smoothed[(y * width) + x] = sum / count;
            }
        }

        var near = smoothed.Count(v => Math.Abs(v - BreastThreshold) < 1e-5);
        Assert.True(near == 0, $"{near} pixels are too close to the threshold for an exact comparison: change the seed");
        var breast0 = smoothed.Select(v => v > BreastThreshold).ToArray();
        var opened = LungGraphReference.Dilate(LungGraphReference.Erode(breast0, dims, 0, 2, 2), dims, 0, 2, 2);
        var breast = LungGraphReference.Erode(LungGraphReference.Dilate(opened, dims, 0, 2, 2), dims, 0, 2, 2);

        using var session = ModelPackages.Open("mg-density");
        var outputs = ModelPackages.Run(session, "image", image, 1, 1, height, width);

        Assert.Equal([1, 1, height, width], outputs["smoothed"].Shape);
        var maxDifference = smoothed.Zip(outputs["smoothed"].Data, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(maxDifference < 1e-5, $"smoothed: max abs difference {maxDifference}");
        var differences = Enumerable.Range(0, breast.Length).Count(i => (outputs["breast"].Data[i] == 1f) != breast[i] || outputs["breast"].Data[i] is not (0f or 1f));
        Assert.True(differences == 0, $"breast: {differences} pixels differ");
        Assert.InRange(breast.Count(b => b), image.Length / 5, image.Length * 4 / 5);
    }
}
