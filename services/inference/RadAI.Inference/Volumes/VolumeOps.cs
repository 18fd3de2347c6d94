using RadAI.Inference.Packages;

namespace RadAI.Inference.Volumes;

/// <summary>Resampling and intensity transforms on dense float grids (x fastest, then y, then z; optional channels outermost).</summary>
public static class VolumeOps
{
    /// <summary>
    /// Trilinear resampling of a grid to another size over the same physical extent (voxel centres
    /// aligned as in "align corners = false").
    /// </summary>
    public static float[] Resample(ReadOnlySpan<float> source, int sx, int sy, int sz, int nx, int ny, int nz)
    {
        var result = new float[(long)nx * ny * nz];
        var scaleX = (double)sx / nx;
        var scaleY = (double)sy / ny;
        var scaleZ = (double)sz / nz;
        for (var z = 0; z < nz; z++)
        {
            var (z0, z1, fz) = Neighbours((z + 0.5) * scaleZ - 0.5, sz);
            for (var y = 0; y < ny; y++)
            {
                var (y0, y1, fy) = Neighbours((y + 0.5) * scaleY - 0.5, sy);
                for (var x = 0; x < nx; x++)
                {
                    var (x0, x1, fx) = Neighbours((x + 0.5) * scaleX - 0.5, sx);
                    var c00 = (At(source, sx, sy, x0, y0, z0) * (1 - fx)) + (At(source, sx, sy, x1, y0, z0) * fx);
                    var c10 = (At(source, sx, sy, x0, y1, z0) * (1 - fx)) + (At(source, sx, sy, x1, y1, z0) * fx);
                    var c01 = (At(source, sx, sy, x0, y0, z1) * (1 - fx)) + (At(source, sx, sy, x1, y0, z1) * fx);
                    var c11 = (At(source, sx, sy, x0, y1, z1) * (1 - fx)) + (At(source, sx, sy, x1, y1, z1) * fx);
                    var c0 = (c00 * (1 - fy)) + (c10 * fy);
                    var c1 = (c01 * (1 - fy)) + (c11 * fy);
                    result[(((z * ny) + y) * nx) + x] = (float)((c0 * (1 - fz)) + (c1 * fz));
                }
            }
        }

        return result;
    }

    private static double At(ReadOnlySpan<float> source, int sx, int sy, int x, int y, int z) => source[(((z * sy) + y) * sx) + x];

    private static (int Low, int High, double Fraction) Neighbours(double position, int size)
    {
        position = Math.Clamp(position, 0, size - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, size - 1);
        return (low, high, position - low);
    }

    /// <summary>Applies the manifest's intensity transform in place.</summary>
    public static void ApplyIntensity(Span<float> values, IntensityTransform transform)
    {
        switch (transform.Kind)
        {
            case "hu-window":
            {
                float min = (float)transform.Min!.Value, max = (float)transform.Max!.Value, range = max - min;
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = (Math.Clamp(values[i], min, max) - min) / range;
                }

                break;
            }

            case "clip":
            {
                float min = (float)transform.Min!.Value, max = (float)transform.Max!.Value;
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = Math.Clamp(values[i], min, max);
                }

                break;
            }

            case "zscore":
            {
                double sum = 0, squares = 0;
                long count = 0;
                var threshold = transform.Threshold ?? double.NegativeInfinity;
                foreach (var v in values)
                {
                    if (v > threshold)
                    {
                        sum += v;
                        squares += (double)v * v;
                        count++;
                    }
                }

                var mean = count == 0 ? 0 : sum / count;
                var std = count == 0 ? 1 : Math.Sqrt(Math.Max(squares / count - (mean * mean), 1e-12));
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = (float)((values[i] - mean) / std);
                }

                break;
            }
        }
    }

    /// <summary>
    /// What padding holds: the bottom of the intensity window (air after <c>hu-window</c>: 0), else the
    /// smallest value of the input.
    /// </summary>
    public static float PaddingValue(ReadOnlySpan<float> values, IntensityTransform transform)
    {
        switch (transform.Kind)
        {
            case "hu-window":
                return 0f;
            case "clip":
                return (float)transform.Min!.Value;
        }

        var min = float.MaxValue;
        foreach (var v in values)
        {
            min = Math.Min(min, v);
        }

        return values.IsEmpty ? 0 : min;
    }

    /// <summary>
    /// A MONOCHROME1 image made MONOCHROME2 on its stored values, x' = (2^BitsStored − 1) − x, expressed on
    /// modality values v = x·slope + intercept: v' = (2^BitsStored − 1)·slope + 2·intercept − v.
    /// </summary>
    public static void InvertMonochrome1(Span<float> values, IReadOnlyDictionary<string, string> attributes)
    {
        static double Number(IReadOnlyDictionary<string, string> attributes, string keyword, double fallback) =>
            attributes.TryGetValue(keyword, out var text) && double.TryParse(text.Split('\\')[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
                ? value
                : fallback;

        var bits = (int)Number(attributes, "BitsStored", 16);
        var slope = Number(attributes, "RescaleSlope", 1);
        var intercept = Number(attributes, "RescaleIntercept", 0);
        var constant = (float)((((1L << bits) - 1) * slope) + (2 * intercept));
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = constant - values[i];
        }
    }

    /// <summary>The grid padded (bottom/right/back) with <paramref name="fill"/> to the given sizes.</summary>
    public static float[] Pad(ReadOnlySpan<float> source, int sx, int sy, int sz, int px, int py, int pz, float fill)
    {
        if (px == sx && py == sy && pz == sz)
        {
            return source.ToArray();
        }

        var result = new float[(long)px * py * pz];
        result.AsSpan().Fill(fill);
        for (var z = 0; z < sz; z++)
        {
            for (var y = 0; y < sy; y++)
            {
                source.Slice(((z * sy) + y) * sx, sx).CopyTo(result.AsSpan(((z * py) + y) * px, sx));
            }
        }

        return result;
    }

    /// <summary>The first <paramref name="sx"/>×<paramref name="sy"/>×<paramref name="sz"/> of a padded grid.</summary>
    public static float[] Crop(ReadOnlySpan<float> source, int px, int py, int sx, int sy, int sz)
    {
        var result = new float[(long)sx * sy * sz];
        for (var z = 0; z < sz; z++)
        {
            for (var y = 0; y < sy; y++)
            {
                source.Slice(((z * py) + y) * px, sx).CopyTo(result.AsSpan(((z * sy) + y) * sx, sx));
            }
        }

        return result;
    }

    /// <summary>The smallest multiple of <paramref name="multiple"/> not below <paramref name="size"/>.</summary>
    public static int RoundUp(int size, int multiple) => multiple <= 1 ? size : (size + multiple - 1) / multiple * multiple;
}
