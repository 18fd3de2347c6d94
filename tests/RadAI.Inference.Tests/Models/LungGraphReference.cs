namespace RadAI.Inference.Tests.Models;

/// <summary>
/// Independent C# implementation of models/ct-lung-quant/model.onnx, from the README's description, with direct
/// neighbourhood loops (no MaxPool, no cumulative sums): body = closing(HU &gt; -500, 1x5x5); inside = body present
/// at or before and at or after the voxel along x and along y within its slice; candidates = -1024 &lt;= HU &lt;= -400
/// inside; then closing and opening with 3x3x3 boxes. Dilation and erosion look at in-volume neighbours only,
/// as ONNX MaxPool does with its padding (padded cells never win a max).
/// </summary>
internal static class LungGraphReference
{
    public const float BodyHu = -500f;
    public const float LowMinHu = -1024f;
    public const float LowMaxHu = -400f;

    public static bool[] Run(float[] hu, int depth, int height, int width)
    {
        var dims = new Dims(depth, height, width);
        var body = new bool[hu.Length];
        for (var i = 0; i < hu.Length; i++)
        {
            body[i] = hu[i] > BodyHu;
        }

        body = Erode(Dilate(body, dims, 0, 2, 2), dims, 0, 2, 2);
        var inside = Enclosed(body, dims);
        var candidates = new bool[hu.Length];
        for (var i = 0; i < hu.Length; i++)
        {
            candidates[i] = hu[i] >= LowMinHu && hu[i] <= LowMaxHu && inside[i];
        }

        var closed = Erode(Dilate(candidates, dims, 1, 1, 1), dims, 1, 1, 1);
        return Dilate(Erode(closed, dims, 1, 1, 1), dims, 1, 1, 1);
    }

    /// <summary>True where any in-volume voxel of the box of half-sizes (rz, ry, rx) is true.</summary>
    public static bool[] Dilate(bool[] mask, Dims dims, int rz, int ry, int rx) => Box(mask, dims, rz, ry, rx, any: true);

    /// <summary>True where every in-volume voxel of the box of half-sizes (rz, ry, rx) is true.</summary>
    public static bool[] Erode(bool[] mask, Dims dims, int rz, int ry, int rx) => Box(mask, dims, rz, ry, rx, any: false);

    private static bool[] Box(bool[] mask, Dims dims, int rz, int ry, int rx, bool any)
    {
        var result = new bool[mask.Length];
        for (var z = 0; z < dims.Depth; z++)
        {
            for (var y = 0; y < dims.Height; y++)
            {
                for (var x = 0; x < dims.Width; x++)
                {
                    var value = !any;
                    for (var dz = -rz; dz <= rz && value != any; dz++)
                    {
                        var zz = z + dz;
                        if (zz < 0 || zz >= dims.Depth)
                        {
                            continue;
                        }

                        for (var dy = -ry; dy <= ry && value != any; dy++)
                        {
                            var yy = y + dy;
                            if (yy < 0 || yy >= dims.Height)
                            {
                                continue;
                            }

                            for (var dx = -rx; dx <= rx; dx++)
                            {
                                var xx = x + dx;
                                if (xx >= 0 && xx < dims.Width && mask[dims.Index(zz, yy, xx)] == any)
                                {
                                    value = any;
                                    break;
                                }
                            }
                        }
                    }

                    result[dims.Index(z, y, x)] = value;
                }
            }
        }

        return result;
    }

    /// <summary>Per slice: the mask has a voxel at or left of, at or right of, at or above and at or below each voxel.</summary>
    public static bool[] Enclosed(bool[] mask, Dims dims)
    {
        var result = new bool[mask.Length];
        for (var z = 0; z < dims.Depth; z++)
        {
            for (var y = 0; y < dims.Height; y++)
            {
                for (var x = 0; x < dims.Width; x++)
                {
                    result[dims.Index(z, y, x)] =
                        Any(x, -1, dims.Width, i => mask[dims.Index(z, y, i)]) && Any(x, 1, dims.Width, i => mask[dims.Index(z, y, i)]) &&
                        Any(y, -1, dims.Height, i => mask[dims.Index(z, i, x)]) && Any(y, 1, dims.Height, i => mask[dims.Index(z, i, x)]);
                }
            }
        }

        return result;
    }

    private static bool Any(int from, int step, int length, Func<int, bool> at)
    {
        for (var i = from; i >= 0 && i < length; i += step)
        {
            if (at(i))
            {
                return true;
            }
        }

        return false;
    }

    internal readonly record struct Dims(int Depth, int Height, int Width)
    {
        public int Index(int z, int y, int x) => (((z * Height) + y) * Width) + x;
    }
}
