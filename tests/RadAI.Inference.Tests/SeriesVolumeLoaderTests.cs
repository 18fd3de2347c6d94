using System.Numerics;
using RadAI.Inference.Volumes;
using RadAI.Testing;
using Xunit;

namespace RadAI.Inference.Tests;

public sealed class SeriesVolumeLoaderTests
{
    private static double Field(int x, int y, int z) => (x * 10) + (y * 100) + (z * 1000) - 1000;

    private static Vector3[] Positions(int count, double spacing, Func<int, Vector3>? shift = null) =>
        [.. Enumerable.Range(0, count).Select(i => new Vector3(-50, -40, (float)(i * spacing)) + (shift?.Invoke(i) ?? Vector3.Zero))];

    [Fact]
    public async Task Slices_are_sorted_along_the_normal_and_rescaled_to_HU()
    {
        using var folder = new TemporaryDirectory();
        // Positions descending in the files, slope 0.5: the volume must come out ascending in HU.
        var positions = Positions(6, 2.5).Reverse().ToArray();
        await TestSeries.WriteAsync(folder.Path, positions, 5, 4, (x, y, i) => Field(x, y, 5 - i), slope: 0.5, intercept: -1024);

        var volume = await SeriesVolumeLoader.LoadAsync(folder.Path, CancellationToken.None);

        Assert.Equal((5, 4, 6), (volume.SizeX, volume.SizeY, volume.SizeZ));
        Assert.Equal(new Vector3(0.7f, 0.8f, 2.5f), volume.Spacing);
        Assert.Equal(new Vector3(-50, -40, 0), volume.Origin);
        for (var z = 0; z < 6; z++)
        {
            Assert.Equal(Field(3, 2, z), volume[3, 2, z], 3);
        }

        // The first slice is the instance at z = 0: the last one written.
        Assert.Equal("2.25.20005", volume.Slices[0].SopInstanceUid);
        Assert.Equal(TestSeries.SeriesUid, volume.SeriesInstanceUid);
        Assert.Equal("CT", volume.Modality);
    }

    [Fact]
    public async Task A_missing_slice_is_refused_with_the_gap()
    {
        using var folder = new TemporaryDirectory();
        var positions = Positions(8, 1.25).Where((_, i) => i != 4).ToArray();
        await TestSeries.WriteAsync(folder.Path, positions, 4, 4, Field);
        var error = await Assert.ThrowsAsync<VolumeAssemblyException>(() => SeriesVolumeLoader.LoadAsync(folder.Path, CancellationToken.None));
        Assert.Contains("1 slice(s) missing", error.Message);
    }

    [Fact]
    public async Task Two_slices_at_one_position_are_refused()
    {
        using var folder = new TemporaryDirectory();
        var positions = Positions(5, 2);
        positions[3] = positions[2];
        await TestSeries.WriteAsync(folder.Path, positions, 4, 4, Field);
        var error = await Assert.ThrowsAsync<VolumeAssemblyException>(() => SeriesVolumeLoader.LoadAsync(folder.Path, CancellationToken.None));
        Assert.Contains("same position", error.Message);
    }

    [Fact]
    public async Task A_gantry_tilt_is_refused()
    {
        using var folder = new TemporaryDirectory();
        // Each slice shifted 0.5 mm in y per 2 mm in z: a 14° tilt.
        await TestSeries.WriteAsync(folder.Path, Positions(5, 2, i => new Vector3(0, i * 0.5f, 0)), 4, 4, Field);
        var error = await Assert.ThrowsAsync<VolumeAssemblyException>(() => SeriesVolumeLoader.LoadAsync(folder.Path, CancellationToken.None));
        Assert.Contains("tilt", error.Message);
    }

    [Fact]
    public async Task Uneven_spacing_is_refused()
    {
        using var folder = new TemporaryDirectory();
        float[] z = [0, 2, 4, 5.3f, 7.3f, 9.3f];
        await TestSeries.WriteAsync(folder.Path, [.. z.Select(v => new Vector3(0, 0, v))], 4, 4, Field);
        var error = await Assert.ThrowsAsync<VolumeAssemblyException>(() => SeriesVolumeLoader.LoadAsync(folder.Path, CancellationToken.None));
        Assert.Contains("not uniform", error.Message);
    }

    [Fact]
    public async Task Slices_of_different_sizes_are_refused()
    {
        using var folder = new TemporaryDirectory();
        await TestSeries.WriteAsync(folder.Path, Positions(4, 2), 4, 4, (x, y, z) => 0, rowsOf: i => i == 2 ? 5 : 4);
        var error = await Assert.ThrowsAsync<VolumeAssemblyException>(() => SeriesVolumeLoader.LoadAsync(folder.Path, CancellationToken.None));
        Assert.Contains("different sizes", error.Message);
    }

    [Fact]
    public async Task An_empty_folder_is_refused()
    {
        using var folder = new TemporaryDirectory();
        await Assert.ThrowsAsync<VolumeAssemblyException>(() => SeriesVolumeLoader.LoadAsync(folder.Path, CancellationToken.None));
    }

    [Fact]
    public async Task An_oblique_series_keeps_its_orientation()
    {
        using var folder = new TemporaryDirectory();
        // Rotated 30° about z: the normal is still z, positions step along it.
        var row = new Vector3(MathF.Cos(MathF.PI / 6), MathF.Sin(MathF.PI / 6), 0);
        var column = new Vector3(-MathF.Sin(MathF.PI / 6), MathF.Cos(MathF.PI / 6), 0);
        await TestSeries.WriteAsync(folder.Path, Positions(4, 3), 4, 4, Field, rowDirection: row, columnDirection: column);
        var volume = await SeriesVolumeLoader.LoadAsync(folder.Path, CancellationToken.None);
        Assert.Equal(row.X, volume.RowDirection.X, 4);
        Assert.Equal(1, volume.Normal.Z, 4);
        // Voxel (1, 0, 0) is one column spacing (0.7 mm) along the row direction from the origin.
        Assert.True(Vector3.Distance(volume.Origin + (row * 0.7f), volume.ToPatient(1, 0, 0)) < 1e-4);
    }

    [Fact]
    public async Task An_enhanced_multi_frame_instance_is_unfolded_frame_by_frame()
    {
        using var folder = new TemporaryDirectory();
        await TestSeries.WriteEnhancedAsync(folder.Path, 5, 6, 3, 1.5, Field);
        var volume = await SeriesVolumeLoader.LoadAsync(folder.Path, CancellationToken.None);
        Assert.Equal((6, 3, 5), (volume.SizeX, volume.SizeY, volume.SizeZ));
        Assert.Equal(new Vector3(0.5f, 0.5f, 1.5f), volume.Spacing);
        for (var z = 0; z < 5; z++)
        {
            Assert.Equal(Field(4, 1, z), volume[4, 1, z], 3);
        }

        // Frame 5 holds the lowest position: it is slice 0.
        Assert.Equal(5, volume.Slices[0].Frame);
        Assert.All(volume.Slices, s => Assert.Equal("2.25.3000", s.SopInstanceUid));
    }
}
