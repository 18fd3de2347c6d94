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
        ResampleInto(source, sx, sy, sz, result, nx, ny, nz);
        return result;
    }

    /// <summary><see cref="Resample"/> written into <paramref name="destination"/> (nx × ny × nz values) instead of a new array.</summary>
    public static void ResampleInto(ReadOnlySpan<float> source, int sx, int sy, int sz, Span<float> destination, int nx, int ny, int nz)
    {
        // The neighbours along x are the same on every row: computed once.
        var columns = new (int Low, int High, double Fraction)[nx];
        var scaleX = (double)sx / nx;
        for (var x = 0; x < nx; x++)
        {
            columns[x] = Neighbours((x + 0.5) * scaleX - 0.5, sx);
        }

        var scaleY = (double)sy / ny;
        var scaleZ = (double)sz / nz;
        for (var z = 0; z < nz; z++)
        {
            var (z0, z1, fz) = Neighbours((z + 0.5) * scaleZ - 0.5, sz);
            for (var y = 0; y < ny; y++)
            {
                var (y0, y1, fy) = Neighbours((y + 0.5) * scaleY - 0.5, sy);
                var row00 = source.Slice(((z0 * sy) + y0) * sx, sx);
                var row10 = source.Slice(((z0 * sy) + y1) * sx, sx);
                var row01 = source.Slice(((z1 * sy) + y0) * sx, sx);
                var row11 = source.Slice(((z1 * sy) + y1) * sx, sx);
                var target = destination.Slice(((z * ny) + y) * nx, nx);
                for (var x = 0; x < nx; x++)
                {
                    var (x0, x1, fx) = columns[x];
                    var c00 = ((double)row00[x0] * (1 - fx)) + ((double)row00[x1] * fx);
                    var c10 = ((double)row10[x0] * (1 - fx)) + ((double)row10[x1] * fx);
                    var c01 = ((double)row01[x0] * (1 - fx)) + ((double)row01[x1] * fx);
                    var c11 = ((double)row11[x0] * (1 - fx)) + ((double)row11[x1] * fx);
                    var c0 = (c00 * (1 - fy)) + (c10 * fy);
                    var c1 = (c01 * (1 - fy)) + (c11 * fy);
                    target[x] = (float)((c0 * (1 - fz)) + (c1 * fz));
                }
            }
        }
    }

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
        var result = new float[(long)px * py * pz];
        PadInto(source, sx, sy, sz, result, px, py, pz, fill);
        return result;
    }

    /// <summary><see cref="Pad"/> written into <paramref name="destination"/> (px × py × pz values).</summary>
    public static void PadInto(ReadOnlySpan<float> source, int sx, int sy, int sz, Span<float> destination, int px, int py, int pz, float fill)
    {
        if (px == sx && py == sy && pz == sz)
        {
            source[..(sx * sy * sz)].CopyTo(destination);
            return;
        }

        destination[..(px * py * pz)].Fill(fill);
        for (var z = 0; z < sz; z++)
        {
            for (var y = 0; y < sy; y++)
            {
                source.Slice(((z * sy) + y) * sx, sx).CopyTo(destination.Slice(((z * py) + y) * px, sx));
            }
        }
    }

    /// <summary>The first <paramref name="sx"/>×<paramref name="sy"/>×<paramref name="sz"/> of a padded grid, written into <paramref name="destination"/>.</summary>
    public static void CropInto(ReadOnlySpan<float> source, int px, int py, Span<float> destination, int sx, int sy, int sz)
    {
        for (var z = 0; z < sz; z++)
        {
            for (var y = 0; y < sy; y++)
            {
                source.Slice(((z * py) + y) * px, sx).CopyTo(destination.Slice(((z * sy) + y) * sx, sx));
            }
        }
    }

    /// <summary>The smallest multiple of <paramref name="multiple"/> not below <paramref name="size"/>.</summary>
    public static int RoundUp(int size, int multiple) => multiple <= 1 ? size : (size + multiple - 1) / multiple * multiple;
}
