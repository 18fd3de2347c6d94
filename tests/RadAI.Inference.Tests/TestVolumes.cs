using System.Numerics;
using RadAI.Inference.Volumes;

namespace RadAI.Inference.Tests;

/// <summary>Synthetic volumes with known truth.</summary>
internal static class TestVolumes
{
    /// <summary>An axial volume (identity orientation) with the given spacing, filled by <paramref name="value"/>(x, y, z in mm from the origin).</summary>
    public static Volume Make(int sx, int sy, int sz, Vector3 spacing, Func<double, double, double, float> value, string modality = "CT")
    {
        var data = new float[sx * sy * sz];
        for (var z = 0; z < sz; z++)
        {
            for (var y = 0; y < sy; y++)
            {
                for (var x = 0; x < sx; x++)
                {
                    data[(((z * sy) + y) * sx) + x] = value(x * spacing.X, y * spacing.Y, z * spacing.Z);
                }
            }
        }

        return new Volume(sx, sy, sz, spacing, Vector3.Zero, Vector3.UnitX, Vector3.UnitY, data)
        {
            Modality = modality,
            Slices = [.. Enumerable.Range(0, sz).Select(z => new SliceSource($"1.2.3.{z + 1}", "1.2.840.10008.5.1.4.1.1.2", 1))],
            SeriesInstanceUid = "1.2.3",
        };
    }

    /// <summary>The voxel indices whose value is non-zero.</summary>
    public static int[] Foreground(Volume volume) =>
        [.. Enumerable.Range(0, volume.Data.Length).Where(i => volume.Data[i] != 0)];
}
