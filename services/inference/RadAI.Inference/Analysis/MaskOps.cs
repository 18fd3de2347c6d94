namespace RadAI.Inference.Analysis;

/// <summary>
/// Binary masks (1 = in, 0 = out, x fastest, then y, then z) and box filters as the package READMEs define them:
/// boxes are cubes of an odd size centred on the voxel that look at in-volume neighbours only (ONNX
/// <c>MaxPool</c> semantics, scipy <c>maximum_filter</c>/<c>minimum_filter</c> with a neutral border).
/// </summary>
public static class MaskOps
{
    /// <summary>1 where <paramref name="values"/> is at least <paramref name="threshold"/>.</summary>
    public static byte[] AtLeast(ReadOnlySpan<float> values, double threshold)
    {
        var mask = new byte[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            mask[i] = values[i] >= threshold ? (byte)1 : (byte)0;
        }

        return mask;
    }

    /// <summary>Voxels in the mask.</summary>
    public static int Count(ReadOnlySpan<byte> mask)
    {
        var count = 0;
        foreach (var value in mask)
        {
            count += value != 0 ? 1 : 0;
        }

        return count;
    }

    /// <summary>
    /// The largest connected component (26- or 6-connected; on one slice 8- or 4-connected); of equal sizes the one
    /// met first in raster order. All zero when the mask is empty.
    /// </summary>
    public static byte[] LargestComponent(ReadOnlySpan<byte> mask, int sx, int sy, int sz, bool fullConnectivity)
    {
        int[]? best = null;
        foreach (var component in ConnectedComponents.Find3D(mask, sx, sy, sz, fullConnectivity))
        {
            // A component's first voxel is its first in raster order (the scan starts it there).
            if (best is null || component.Length > best.Length || (component.Length == best.Length && component[0] < best[0]))
            {
                best = component;
            }
        }

        var result = new byte[mask.Length];
        foreach (var index in best ?? [])
        {
            result[index] = 1;
        }

        return result;
    }

    /// <summary>Dilation by a <paramref name="size"/>³ box (in-volume neighbours only).</summary>
    public static byte[] DilateBox(ReadOnlySpan<byte> mask, int sx, int sy, int sz, int size) => Box(mask, sx, sy, sz, size, erode: false);

    /// <summary>Erosion by a <paramref name="size"/>³ box: a voxel stays when all its in-volume neighbours are in.</summary>
    public static byte[] ErodeBox(ReadOnlySpan<byte> mask, int sx, int sy, int sz, int size) => Box(mask, sx, sy, sz, size, erode: true);

    /// <summary>
    /// 3D hole filling: every background voxel that is not 6-connected, through background, to a face of the
    /// volume becomes foreground.
    /// </summary>
    public static byte[] FillHoles3D(ReadOnlySpan<byte> mask, int sx, int sy, int sz) => FillHoles(mask, sx, sy, sz, zFaces: true);

    /// <summary>2D hole filling of one image: background not 4-connected, through background, to the image edge.</summary>
    internal static byte[] FillHolesInPlane(ReadOnlySpan<byte> mask, int width, int height) => FillHoles(mask, width, height, 1, zFaces: false);

    private static byte[] FillHoles(ReadOnlySpan<byte> mask, int sx, int sy, int sz, bool zFaces)
    {
        var slice = sx * sy;
        var filled = new byte[mask.Length];
        filled.AsSpan().Fill(1);
        var stack = new int[mask.Length];
        var top = 0;
        for (var z = 0; z < sz; z++)
        {
            for (var y = 0; y < sy; y++)
            {
                for (var x = 0; x < sx; x++)
                {
                    var index = (z * slice) + (y * sx) + x;
                    var onFace = x == 0 || y == 0 || x == sx - 1 || y == sy - 1 || (zFaces && (z == 0 || z == sz - 1));
                    if (onFace && mask[index] == 0 && filled[index] != 0)
                    {
                        filled[index] = 0;
                        stack[top++] = index;
                    }
                }
            }
        }

        // Background reached from a face through background (6-connected) is outside: 0; the rest is filled.
        while (top > 0)
        {
            var index = stack[--top];
            var z = index / slice;
            var rest = index - (z * slice);
            var y = rest / sx;
            var x = rest - (y * sx);
            if (x > 0 && mask[index - 1] == 0 && filled[index - 1] != 0)
            {
                filled[index - 1] = 0;
                stack[top++] = index - 1;
            }

            if (x < sx - 1 && mask[index + 1] == 0 && filled[index + 1] != 0)
            {
                filled[index + 1] = 0;
                stack[top++] = index + 1;
            }

            if (y > 0 && mask[index - sx] == 0 && filled[index - sx] != 0)
            {
                filled[index - sx] = 0;
                stack[top++] = index - sx;
            }

            if (y < sy - 1 && mask[index + sx] == 0 && filled[index + sx] != 0)
            {
                filled[index + sx] = 0;
                stack[top++] = index + sx;
            }

            if (z > 0 && mask[index - slice] == 0 && filled[index - slice] != 0)
            {
                filled[index - slice] = 0;
                stack[top++] = index - slice;
            }

            if (z < sz - 1 && mask[index + slice] == 0 && filled[index + slice] != 0)
            {
                filled[index + slice] = 0;
                stack[top++] = index + slice;
            }
        }

        return filled;
    }

    /// <summary>
    /// Mean of the in-volume voxels of the <paramref name="size"/>³ box around each voxel, computed as scipy's
    /// <c>uniform_filter(image, size, mode="constant") / uniform_filter(ones, ...)</c>: one running-sum pass per axis
    /// (z, then y, then x), each divided by the size, on zero padding. The same operations in the same order give the
    /// same doubles as the package's Python reference, so a split at the median of these values matches it exactly.
    /// </summary>
    public static double[] BoxMean(ReadOnlySpan<float> values, int sx, int sy, int sz, int size)
    {
        var sums = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            sums[i] = values[i];
        }

        var slice = sx * sy;
        var line = new double[Math.Max(sx, Math.Max(sy, sz)) + size];
        for (var y = 0; y < sy; y++)
        {
            for (var x = 0; x < sx; x++)
            {
                RunningMean(sums, (y * sx) + x, slice, sz, size, line);
            }
        }

        for (var z = 0; z < sz; z++)
        {
            for (var x = 0; x < sx; x++)
            {
                RunningMean(sums, (z * slice) + x, sx, sy, size, line);
            }
        }

        for (var z = 0; z < sz; z++)
        {
            for (var y = 0; y < sy; y++)
            {
                RunningMean(sums, (z * slice) + (y * sx), 1, sx, size, line);
            }
        }

        // The same passes over a volume of ones: its value depends on z, then (z, y), then (z, y, x) only.
        var countZ = Constant(sz, 1.0, size);
        var countRow = new double[sx];
        for (var z = 0; z < sz; z++)
        {
            var countZy = new double[sy];
            Array.Fill(countZy, countZ[z]);
            RunningMean(countZy, 0, 1, sy, size, line);
            for (var y = 0; y < sy; y++)
            {
                Array.Fill(countRow, countZy[y]);
                RunningMean(countRow, 0, 1, sx, size, line);
                var row = (z * slice) + (y * sx);
                for (var x = 0; x < sx; x++)
                {
                    sums[row + x] /= countRow[x];
                }
            }
        }

        return sums;
    }

    private static double[] Constant(int length, double value, int size)
    {
        var result = new double[length];
        Array.Fill(result, value);
        RunningMean(result, 0, 1, length, size, new double[length + size]);
        return result;
    }

    /// <summary>One scipy <c>uniform_filter1d</c> pass (constant 0 border) over a line of <paramref name="data"/>, in place.</summary>
    /// <param name="data">The values.</param>
    /// <param name="start">Index of the line's first value.</param>
    /// <param name="stride">Step between its values.</param>
    /// <param name="length">Its length.</param>
    /// <param name="size">The filter size.</param>
    /// <param name="extended">Room for the line with <paramref name="size"/> − 1 zeros around it.</param>
    private static void RunningMean(double[] data, int start, int stride, int length, int size, double[] extended)
    {
        var before = size / 2;
        extended.AsSpan(0, before).Clear();
        extended.AsSpan(before + length, size - 1 - before).Clear();
        for (var i = 0; i < length; i++)
        {
            extended[before + i] = data[start + (i * stride)];
        }

        var sum = 0.0;
        for (var k = 0; k < size; k++)
        {
            sum += extended[k];
        }

        data[start] = sum / size;
        for (var i = 1; i < length; i++)
        {
            sum += extended[i + size - 1] - extended[i - 1];
            data[start + (i * stride)] = sum / size;
        }
    }

    private static byte[] Box(ReadOnlySpan<byte> mask, int sx, int sy, int sz, int size, bool erode)
    {
        if (size < 1 || size % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "A box has an odd size.");
        }

        var result = new byte[mask.Length];
        for (var i = 0; i < mask.Length; i++)
        {
            result[i] = mask[i] != 0 ? (byte)1 : (byte)0;
        }

        // A box is separable: the same 1D filter along x, then y, then z (the border is neutral on every axis).
        var radius = size / 2;
        var slice = sx * sy;
        var line = new byte[Math.Max(sx, Math.Max(sy, sz))];
        var prefix = new int[line.Length + 1];
        for (var z = 0; z < sz; z++)
        {
            for (var y = 0; y < sy; y++)
            {
                Pass(result, (z * slice) + (y * sx), 1, sx, radius, erode, line, prefix);
            }
        }

        for (var z = 0; z < sz; z++)
        {
            for (var x = 0; x < sx; x++)
            {
                Pass(result, (z * slice) + x, sx, sy, radius, erode, line, prefix);
            }
        }

        for (var y = 0; y < sy; y++)
        {
            for (var x = 0; x < sx; x++)
            {
                Pass(result, (y * sx) + x, slice, sz, radius, erode, line, prefix);
            }
        }

        return result;
    }

    private static void Pass(byte[] data, int start, int stride, int length, int radius, bool erode, byte[] line, int[] prefix)
    {
        prefix[0] = 0;
        for (var i = 0; i < length; i++)
        {
            line[i] = data[start + (i * stride)];
            prefix[i + 1] = prefix[i] + line[i];
        }

        for (var i = 0; i < length; i++)
        {
            var low = Math.Max(0, i - radius);
            var high = Math.Min(length - 1, i + radius);
            var ones = prefix[high + 1] - prefix[low];
            data[start + (i * stride)] = (erode ? ones == high - low + 1 : ones > 0) ? (byte)1 : (byte)0;
        }
    }
}
