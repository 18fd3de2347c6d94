using RadAI.Inference.Packages;
using RadAI.Inference.Runtime;
using RadAI.Inference.Volumes;

namespace RadAI.Inference.Analysis;

/// <summary>
/// The grid a package's model ran on (the manifest's <c>spacingMm</c> or <c>size</c>), where analyzers whose
/// package README gives sizes in model voxels do their work. <see cref="ModelRunner"/> hands outputs back on the
/// volume's own grid; an analyzer brings them (and the image) onto this grid, analyses there and maps its label
/// map back. When the volume is already at the model's spacing both grids are the same and nothing is resampled.
/// </summary>
/// <param name="SizeX">Columns of the model grid.</param>
/// <param name="SizeY">Rows.</param>
/// <param name="SizeZ">Slices.</param>
/// <param name="SpacingX">Column spacing (mm): the volume's extent over <paramref name="SizeX"/>.</param>
/// <param name="SpacingY">Row spacing (mm).</param>
/// <param name="SpacingZ">Slice spacing (mm).</param>
/// <param name="NativeX">Columns of the volume.</param>
/// <param name="NativeY">Rows of the volume.</param>
/// <param name="NativeZ">Slices of the volume.</param>
public sealed record ModelGrid(int SizeX, int SizeY, int SizeZ, double SpacingX, double SpacingY, double SpacingZ, int NativeX, int NativeY, int NativeZ)
{
    /// <summary>False when the model ran on the volume's own grid.</summary>
    public bool Resampled => (SizeX, SizeY, SizeZ) != (NativeX, NativeY, NativeZ);

    public int VoxelCount => SizeX * SizeY * SizeZ;

    /// <summary>The model grid of <paramref name="package"/> on <paramref name="volume"/>, sized as <see cref="ModelRunner"/> sizes it.</summary>
    public static ModelGrid Of(ModelPackage package, Volume volume)
    {
        var input = package.Manifest.Input;
        var threeD = input.Mode == "volume3d";
        var (wx, wy, wz) = (volume.SizeX, volume.SizeY, volume.SizeZ);
        if (input.Size is { } size)
        {
            (wx, wy, wz) = threeD ? (size[2], size[1], size[0]) : (size[^1], size[^2], volume.SizeZ);
        }
        else if (input.SpacingMm is { } spacing)
        {
            wx = Math.Max(1, (int)Math.Round(volume.SizeX * volume.Spacing.X / spacing[^1]));
            wy = Math.Max(1, (int)Math.Round(volume.SizeY * volume.Spacing.Y / spacing[^2]));
            wz = threeD ? Math.Max(1, (int)Math.Round(volume.SizeZ * volume.Spacing.Z / spacing[0])) : volume.SizeZ;
        }

        return new ModelGrid(
            wx, wy, wz, Spacing(volume.SizeX, volume.Spacing.X, wx), Spacing(volume.SizeY, volume.Spacing.Y, wy), Spacing(volume.SizeZ, volume.Spacing.Z, wz),
            volume.SizeX, volume.SizeY, volume.SizeZ);
    }

    /// <summary>The spacing of <paramref name="size"/> cells over the extent of <paramref name="native"/> cells of <paramref name="spacing"/>.</summary>
    private static double Spacing(int native, float spacing, int size) => size == native ? spacing : (double)native * spacing / size;

    /// <summary>Values on the volume's grid brought onto the model grid (trilinear, as the runner resamples).</summary>
    public float[] FromNative(ReadOnlySpan<float> native)
    {
        if (native.Length != NativeX * NativeY * NativeZ)
        {
            throw new ArgumentException($"{native.Length} values for a {NativeX}×{NativeY}×{NativeZ} grid.", nameof(native));
        }

        return Resampled ? VolumeOps.Resample(native, NativeX, NativeY, NativeZ, SizeX, SizeY, SizeZ) : native.ToArray();
    }

    /// <summary>A single-channel spatial output of the run, on the model grid.</summary>
    public float[] Output(ModelRunResult raw, string packageId, string name)
    {
        if (!raw.Outputs.TryGetValue(name, out var map))
        {
            throw new InvalidOperationException($"Model {packageId} did not return output '{name}'.");
        }

        if (!map.Spatial || map.Channels != 1)
        {
            throw new InvalidOperationException($"Output '{name}' of {packageId} is not a single-channel map ({map.Channels} channel(s)).");
        }

        return FromNative(map.Data);
    }

    /// <summary>
    /// A label map of the model grid on the volume's grid: each voxel takes the label of the model voxel holding its
    /// centre (nearest neighbour, so labels are never blended).
    /// </summary>
    public byte[] ToNative(byte[] labels)
    {
        if (labels.Length != VoxelCount)
        {
            throw new ArgumentException($"{labels.Length} labels for a {SizeX}×{SizeY}×{SizeZ} grid.", nameof(labels));
        }

        if (!Resampled)
        {
            return (byte[])labels.Clone();
        }

        var native = new byte[NativeX * NativeY * NativeZ];
        var xs = Nearest(NativeX, SizeX);
        var ys = Nearest(NativeY, SizeY);
        var zs = Nearest(NativeZ, SizeZ);
        for (var z = 0; z < NativeZ; z++)
        {
            for (var y = 0; y < NativeY; y++)
            {
                var row = ((zs[z] * SizeY) + ys[y]) * SizeX;
                var nativeRow = ((z * NativeY) + y) * NativeX;
                for (var x = 0; x < NativeX; x++)
                {
                    native[nativeRow + x] = labels[row + xs[x]];
                }
            }
        }

        return native;
    }

    /// <summary>For each of <paramref name="from"/> cells, the index of the <paramref name="to"/> cell over its centre (same extent).</summary>
    private static int[] Nearest(int from, int to)
    {
        var map = new int[from];
        for (var i = 0; i < from; i++)
        {
            map[i] = Math.Min(to - 1, (int)Math.Floor((i + 0.5) * to / from));
        }

        return map;
    }
}
