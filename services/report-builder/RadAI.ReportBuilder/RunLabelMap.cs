using RadAI.Contracts.Findings;

namespace RadAI.ReportBuilder;

/// <summary>A run's label map (<see cref="LabelMapFile"/>), read and checked to lie on the run's grid.</summary>
public static class RunLabelMap
{
    /// <summary>Reads the label map of <paramref name="run"/> from <paramref name="stream"/>.</summary>
    /// <exception cref="InvalidDataException">Not a label map, cut short, or on another grid than the run's volume.</exception>
    public static async Task<byte[]> ReadAsync(Stream stream, RunResults run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var (x, y, z, labels) = await LabelMapFile.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        var grid = run.Geometry;
        return (x, y, z) == (grid.SizeX, grid.SizeY, grid.SizeZ)
            ? labels
            : throw new InvalidDataException($"{x}×{y}×{z} voxels, its volume {grid.SizeX}×{grid.SizeY}×{grid.SizeZ}.");
    }
}
