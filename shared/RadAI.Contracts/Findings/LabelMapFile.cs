using System.Buffers.Binary;
using System.IO.Compression;

namespace RadAI.Contracts.Findings;

/// <summary>
/// The compact mask file of a run: a label map of one byte per voxel (0 = background, n = segment n),
/// x fastest then y then z, deflate-compressed behind a 24-byte header:
/// <c>"RADAIMAP"</c>, format version (uint32 LE, 1), then sizeX, sizeY, sizeZ (int32 LE).
/// Masks are mostly background, so a 512×512×300 lung mask takes about 1 MB instead of 78.
/// </summary>
public static class LabelMapFile
{
    private static ReadOnlySpan<byte> Magic => "RADAIMAP"u8;

    private const int HeaderLength = 24;

    /// <summary>Writes a label map.</summary>
    public static async Task WriteAsync(Stream destination, int sizeX, int sizeY, int sizeZ, ReadOnlyMemory<byte> labels, CancellationToken cancellationToken = default)
    {
        if (labels.Length != (long)sizeX * sizeY * sizeZ)
        {
            throw new ArgumentException($"{labels.Length} labels for a {sizeX}×{sizeY}×{sizeZ} grid.", nameof(labels));
        }

        var header = new byte[HeaderLength];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), 1);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), sizeX);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), sizeY);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(20), sizeZ);
        await destination.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        await using var deflate = new DeflateStream(destination, CompressionLevel.Fastest, leaveOpen: true);
        await deflate.WriteAsync(labels, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a label map; a file that is not one, or is cut short, is an <see cref="InvalidDataException"/>.</summary>
    public static async Task<(int SizeX, int SizeY, int SizeZ, byte[] Labels)> ReadAsync(Stream source, CancellationToken cancellationToken = default)
    {
        var header = new byte[HeaderLength];
        await source.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        if (!header.AsSpan(0, 8).SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not a RadAI label map (no RADAIMAP signature).");
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8));
        if (version != 1)
        {
            throw new InvalidDataException($"Label map format version {version} is not supported (1 is).");
        }

        var sizeX = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12));
        var sizeY = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(16));
        var sizeZ = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(20));
        var length = (long)sizeX * sizeY * sizeZ;
        if (sizeX <= 0 || sizeY <= 0 || sizeZ <= 0 || length > Array.MaxLength)
        {
            throw new InvalidDataException($"Label map of impossible size {sizeX}×{sizeY}×{sizeZ}.");
        }

        var labels = new byte[length];
        await using var inflate = new DeflateStream(source, CompressionMode.Decompress, leaveOpen: true);
        try
        {
            await inflate.ReadExactlyAsync(labels, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("Label map cut short.");
        }

        return (sizeX, sizeY, sizeZ, labels);
    }
}
