using RadAI.Dicom.Imaging;

namespace RadAI.Dicom.Tests.Imaging;

/// <summary>Synthetic frames for codec tests: sample values in pixel_array order, within Bits Stored.</summary>
internal static class Synthetic
{
    public static readonly string[] Patterns = ["random", "constant", "alternating", "runs", "ramp", "pairs"];

    public static readonly (int Rows, int Columns)[] Sizes = [(1, 1), (1, 2), (3, 5), (7, 13), (2, 128), (2, 129), (3, 257), (16, 300)];

    /// <summary>Samples (Rows × Columns × Samples per Pixel) following a pattern; the same seed gives the same samples.</summary>
    public static long[] Samples(PixelDataDescription d, string pattern, int seed)
    {
        var count = checked((int)d.SamplesPerFrame);
        var random = new Random(seed);
        var min = d.MinStoredValue;
        var max = d.MaxStoredValue;
        var samples = new long[count];
        long runValue = 0;
        var runLeft = 0;
        int[] runLengths = [1, 2, 3, 127, 128, 129, 130, 255, 256, 257];
        var runIndex = 0;
        for (var i = 0; i < count; i++)
        {
            samples[i] = pattern switch
            {
                "constant" => Clamp(min + 5, min, max),
                "alternating" => i % 2 == 0 ? min : max,
                "ramp" => min + (i % Math.Max(1, Math.Min(max - min + 1, 1000))),
                "runs" or "pairs" => NextRun(),
                _ => Next(random, min, max),
            };
        }

        return samples;

        long NextRun()
        {
            if (runLeft == 0)
            {
                runLeft = pattern == "pairs" ? (runIndex % 3 == 0 ? 1 : 2) : runLengths[runIndex % runLengths.Length];
                runIndex++;
                runValue = Next(random, min, max);
            }

            runLeft--;
            return runValue;
        }
    }

    public static byte[] Frame(PixelDataDescription d, string pattern, int seed) => SampleBytes.FromSamples(Samples(d, pattern, seed), d);

    private static long Clamp(long value, long min, long max) => Math.Min(Math.Max(value, min), max);

    private static long Next(Random random, long min, long max) =>
        max == long.MaxValue ? random.NextInt64(min, long.MaxValue) : random.NextInt64(min, max + 1);
}
