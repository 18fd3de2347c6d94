using Xunit;

namespace RadAI.Inference.Tests.Models;

/// <summary>The MR brain graph gives the masks that a direct C# computation of its README's steps gives.</summary>
public sealed class MrBrainGraphTests
{
    private const double HeadThreshold = 0.20;
    private const double BrainThreshold = 0.25;

    [Theory]
    [InlineData(24, 40, 36, 1)]
    [InlineData(31, 45, 41, 2)]
    public void The_head_and_brain_masks_match_a_direct_computation(int depth, int height, int width, int seed)
    {
        var image = SyntheticHead(depth, height, width, seed);
        var dims = new LungGraphReference.Dims(depth, height, width);
        var smooth = Smooth(image, dims);
        var nearThreshold = smooth.Count(v => Math.Abs(v - HeadThreshold) < 1e-6 || Math.Abs(v - BrainThreshold) < 1e-6);
        Assert.True(nearThreshold == 0, $"{nearThreshold} voxels are too close to a threshold for an exact comparison: change the seed");

        var head = LungGraphReference.Enclosed(
            LungGraphReference.Erode(LungGraphReference.Dilate([.. smooth.Select(v => v > HeadThreshold)], dims, 1, 2, 2), dims, 1, 2, 2), dims);
        var brain = LungGraphReference.Erode([.. smooth.Select((v, i) => v > BrainThreshold && head[i])], dims, 2, 2, 2);

        using var session = ModelPackages.Open("mr-brain-icv");
        var outputs = ModelPackages.Run(session, "image", image, 1, 1, depth, height, width);
        AssertMask(head, outputs["head"], "head");
        AssertMask(brain, outputs["brain"], "brain");
        Assert.True(brain.Count(b => b) > 200, "the intracranial candidate is not empty");
        Assert.True(head.Count(b => b) > brain.Count(b => b) * 2, "the head is larger than the eroded intracranial candidate");
    }

    /// <summary>image / mean(image above the whole-volume mean), then the mean of the in-volume 3x3x3 neighbours.</summary>
    private static double[] Smooth(float[] image, LungGraphReference.Dims dims)
    {
        var mean = image.Average(v => (double)v);
        var above = image.Where(v => v > mean).Select(v => (double)v).ToArray();
        var foregroundMean = above.Sum() / Math.Max(above.Length, 1);
        var smooth = new double[image.Length];
        for (var z = 0; z < dims.Depth; z++)
        {
            for (var y = 0; y < dims.Height; y++)
            {
                for (var x = 0; x < dims.Width; x++)
                {
                    double sum = 0;
                    var count = 0;
                    for (var dz = -1; dz <= 1; dz++)
                    {
                        for (var dy = -1; dy <= 1; dy++)
                        {
                            for (var dx = -1; dx <= 1; dx++)
                            {
                                var (zz, yy, xx) = (z + dz, y + dy, x + dx);
                                if (zz >= 0 && zz < dims.Depth && yy >= 0 && yy < dims.Height && xx >= 0 && xx < dims.Width)
                                {
                                    sum += image[dims.Index(zz, yy, xx)] / foregroundMean;
                                    count++;
                                }
                            }
                        }
                    }

                    smooth[dims.Index(z, y, x)] = sum / count;
                }
            }
        }

        return smooth;
    }

    /// <summary>Nested ellipsoids: scalp 0.95, skull 0.05, CSF 0.30, brain 0.75, with noise; background near 0.</summary>
    private static float[] SyntheticHead(int depth, int height, int width, int seed)
    {
        var random = new Random(seed);
        var image = new float[depth * height * width];
        var (cz, cy, cx) = ((depth - 1) / 2.0, (height - 1) / 2.0, (width - 1) / 2.0);
        var (az, ay, ax) = (0.42 * depth, 0.42 * height, 0.42 * width);
        for (var z = 0; z < depth; z++)
        {
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    double Radius(double shrink) => Math.Sqrt(
                        Math.Pow((z - cz) / (az - shrink), 2) + Math.Pow((y - cy) / (ay - shrink), 2) + Math.Pow((x - cx) / (ax - shrink), 2));
                    var value = Radius(0) > 1 ? 0.01 : Radius(2) > 1 ? 0.95 : Radius(4) > 1 ? 0.05 : Radius(5) > 1 ? 0.30 : 0.75;
                    image[(((z * height) + y) * width) + x] = (float)(value + (0.04 * random.NextDouble()));
                }
            }
        }

        return image;
    }

    private static void AssertMask(bool[] expected, ModelPackages.Output actual, string name)
    {
        Assert.Equal(expected.Length, actual.Data.Length);
        var differences = Enumerable.Range(0, expected.Length).Count(i => (actual.Data[i] == 1f) != expected[i] || actual.Data[i] is not (0f or 1f));
        Assert.True(differences == 0, $"{name}: {differences} voxels differ");
    }
}
