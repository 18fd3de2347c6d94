using System.Numerics;
using RadAI.Inference.Analysis;
using Xunit;

namespace RadAI.Inference.Tests;

/// <summary>Golden measurements: spheres of known size at several spacings.</summary>
public sealed class MeasurementTests
{
    public static TheoryData<float, float, float, double> Spheres => new()
    {
        { 1f, 1f, 1f, 10 },
        { 0.5f, 0.5f, 0.5f, 6 },
        { 0.7f, 0.7f, 2.5f, 15 },
        { 0.8f, 0.8f, 1.25f, 8 },
        { 2f, 2f, 2f, 20 },
    };

    [Theory]
    [MemberData(nameof(Spheres))]
    public void A_sphere_measures_its_volume_within_2_percent_and_its_diameter_within_one_voxel(float spacingX, float spacingY, float spacingZ, double radius)
    {
        var spacing = new Vector3(spacingX, spacingY, spacingZ);
        // Centre off the grid, so the test does not profit from symmetry.
        var (cx, cy, cz) = (radius + 3.3, radius + 4.1, radius + 2.7);
        var size = (int)Math.Ceiling(((2 * radius) + 9) / spacingX);
        var slices = (int)Math.Ceiling(((2 * radius) + 9) / spacingZ);
        var volume = TestVolumes.Make(size, size, slices, spacing, (x, y, z) =>
            ((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) + ((z - cz) * (z - cz)) <= radius * radius ? 40f : 0f);
        var region = TestVolumes.Foreground(volume);

        var measured = RegionMeasurements.Compute(volume, region, measureDiameter: true);

        var trueVolume = 4.0 / 3.0 * Math.PI * radius * radius * radius;
        Assert.InRange(measured.VolumeMm3, trueVolume * 0.98, trueVolume * 1.02);
        var voxel = Math.Max(spacingX, Math.Max(spacingY, spacingZ));
        Assert.InRange(measured.Diameter!.LengthMm, (2 * radius) - voxel, (2 * radius) + voxel);
        Assert.InRange(Vector3.Distance(measured.Centroid, new Vector3((float)cx, (float)cy, (float)cz)), 0, voxel / 2);
        Assert.Equal(40, measured.Mean, 6);
        Assert.Equal(0, measured.StandardDeviation, 6);
        // The key slice is the one through the centre.
        Assert.InRange(measured.KeySlice * spacingZ, cz - spacingZ, cz + spacingZ);
    }

    [Fact]
    public void The_diameter_of_a_rod_is_its_length_and_its_ends_lie_at_both_ends()
    {
        // A 1-voxel-thick rod along the main diagonal, 40 voxels: corner to corner √3·40 mm; measured between
        // face centres, within one voxel's diagonal (√3 mm) of it.
        var volume = TestVolumes.Make(48, 48, 48, Vector3.One, (x, y, z) => x == y && y == z && x >= 4 && x < 44 ? 1f : 0f);
        var measured = RegionMeasurements.Compute(volume, TestVolumes.Foreground(volume), measureDiameter: true);
        Assert.InRange(measured.Diameter!.LengthMm, Math.Sqrt(3) * 39, Math.Sqrt(3) * 40);
        var ends = new[] { measured.Diameter.Start, measured.Diameter.End }.OrderBy(p => p.X).ToArray();
        Assert.InRange(ends[0].X, 3, 4.5);
        Assert.InRange(ends[1].X, 42.5, 44);
    }

    [Fact]
    public void A_large_region_takes_the_sampled_path_and_agrees_with_the_exact_diameter()
    {
        // An ellipsoid with semi-axes 30, 20, 12 mm: its diameter is 60 mm along x.
        var volume = TestVolumes.Make(70, 50, 30, Vector3.One, (x, y, z) =>
            (Math.Pow((x - 35) / 30, 2) + Math.Pow((y - 25) / 20, 2) + Math.Pow((z - 15) / 12, 2)) <= 1 ? 1f : 0f);
        var measured = RegionMeasurements.Compute(volume, TestVolumes.Foreground(volume), measureDiameter: true);
        Assert.InRange(measured.Diameter!.LengthMm, 59, 61);
        Assert.InRange(Math.Abs(measured.Diameter.End.X - measured.Diameter.Start.X), 58, 61);
    }

    [Fact]
    public void Lung_density_indices_follow_their_definitions()
    {
        // 1000 voxels: values -1000 .. -1 HU, one each.
        var values = Enumerable.Range(0, 1000).Select(i => (float)(-1000 + i)).ToArray();
        var volume = new RadAI.Inference.Volumes.Volume(10, 10, 10, Vector3.One, Vector3.Zero, Vector3.UnitX, Vector3.UnitY, values);
        var indices = DensityIndices.Of(volume, Enumerable.Range(0, 1000).ToArray());
        // -1000 .. -951: 50 voxels below -950.
        Assert.Equal(5.0, indices.Laa950Percent, 6);
        // Rank 0.15 × 999 = 149.85 between -851 and -850.
        Assert.Equal(-850.15, indices.Perc15Hu, 6);
    }
}
