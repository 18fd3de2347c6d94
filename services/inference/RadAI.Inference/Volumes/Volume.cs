using System.Numerics;

namespace RadAI.Inference.Volumes;

/// <summary>Where one slice of a volume comes from (for the report's references).</summary>
/// <param name="SopInstanceUid">The source instance.</param>
/// <param name="SopClassUid">Its SOP class.</param>
/// <param name="Frame">Frame number (1-based) in a multi-frame instance; 1 otherwise.</param>
public sealed record SliceSource(string SopInstanceUid, string SopClassUid, int Frame);

/// <summary>
/// A scalar volume in patient coordinates (LPS, mm): voxel (x, y, z) = (column, row, slice), slices
/// sorted along the normal. Values are modality values (HU for CT). A projection image is a volume of one slice.
/// </summary>
public sealed class Volume
{
    public Volume(int sizeX, int sizeY, int sizeZ, Vector3 spacing, Vector3 origin, Vector3 rowDirection, Vector3 columnDirection, float[] data)
    {
        if (data.Length != (long)sizeX * sizeY * sizeZ)
        {
            throw new ArgumentException($"{data.Length} values for a {sizeX}×{sizeY}×{sizeZ} volume.", nameof(data));
        }

        SizeX = sizeX;
        SizeY = sizeY;
        SizeZ = sizeZ;
        Spacing = spacing;
        Origin = origin;
        RowDirection = Vector3.Normalize(rowDirection);
        ColumnDirection = Vector3.Normalize(columnDirection);
        Normal = Vector3.Normalize(Vector3.Cross(RowDirection, ColumnDirection));
        Data = data;
    }

    /// <summary>Columns.</summary>
    public int SizeX { get; }

    /// <summary>Rows.</summary>
    public int SizeY { get; }

    /// <summary>Slices.</summary>
    public int SizeZ { get; }

    /// <summary>Voxel size in mm: (column spacing, row spacing, slice spacing).</summary>
    public Vector3 Spacing { get; }

    /// <summary>Patient position of voxel (0, 0, 0)'s centre.</summary>
    public Vector3 Origin { get; }

    /// <summary>Direction of increasing column index (Image Orientation's first vector).</summary>
    public Vector3 RowDirection { get; }

    /// <summary>Direction of increasing row index.</summary>
    public Vector3 ColumnDirection { get; }

    /// <summary>Direction of increasing slice index.</summary>
    public Vector3 Normal { get; }

    /// <summary>Values, x fastest: index = (z · SizeY + y) · SizeX + x.</summary>
    public float[] Data { get; }

    /// <summary>Source of each slice.</summary>
    public IReadOnlyList<SliceSource> Slices { get; init; } = [];

    public string FrameOfReferenceUid { get; init; } = "";

    public string SeriesInstanceUid { get; init; } = "";

    public string Modality { get; init; } = "";

    /// <summary>Attributes analyzers need (exposure, view...), copied from the first instance.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();

    public long VoxelCount => Data.LongLength;

    public double VoxelVolumeMm3 => (double)Spacing.X * Spacing.Y * Spacing.Z;

    public int SliceLength => SizeX * SizeY;

    public int Index(int x, int y, int z) => ((z * SizeY) + y) * SizeX + x;

    public float this[int x, int y, int z] => Data[Index(x, y, z)];

    /// <summary>Patient position (mm) of a voxel centre (fractional indices allowed).</summary>
    public Vector3 ToPatient(double x, double y, double z) =>
        Origin + (RowDirection * (float)(x * Spacing.X)) + (ColumnDirection * (float)(y * Spacing.Y)) + (Normal * (float)(z * Spacing.Z));

    /// <summary>A volume with the same geometry and other values.</summary>
    public Volume WithData(float[] data) => new(SizeX, SizeY, SizeZ, Spacing, Origin, RowDirection, ColumnDirection, data)
    {
        Slices = Slices,
        FrameOfReferenceUid = FrameOfReferenceUid,
        SeriesInstanceUid = SeriesInstanceUid,
        Modality = Modality,
        Attributes = Attributes,
    };
}

/// <summary>A series that cannot be made into a volume, with the reason (becomes AnalysisFailed "volume-not-assemblable").</summary>
public sealed class VolumeAssemblyException(string message) : Exception(message);
