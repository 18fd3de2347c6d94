using System.Buffers.Binary;

namespace RadAI.Dicom.Imaging;

/// <summary>
/// Encapsulated Pixel Data (PS3.5 A.4): the Basic Offset Table (first item, possibly empty), the
/// fragments (the other items), and the optional Extended Offset Table (7FE0,0001) with its lengths
/// (7FE0,0002). Offsets in both tables count from the first byte of the first fragment's Item tag,
/// so each fragment takes its length plus 8 bytes (tag and length) in that count.
/// </summary>
public sealed class EncapsulatedPixelData
{
    private readonly ReadOnlyMemory<byte>[] _fragments;
    private readonly uint[] _basicOffsetTable;
    private readonly ulong[] _extendedOffsetTable;
    private readonly ulong[] _extendedOffsetTableLengths;
    private readonly long[] _fragmentPositions;

    /// <summary>Describes encapsulated pixel data from its parts.</summary>
    /// <param name="fragments">The fragments' values (Item values after the Basic Offset Table), in order.</param>
    /// <param name="basicOffsetTable">The Basic Offset Table entries; empty when the table is empty.</param>
    /// <param name="extendedOffsetTable">Extended Offset Table (7FE0,0001) entries, or null.</param>
    /// <param name="extendedOffsetTableLengths">Extended Offset Table Lengths (7FE0,0002) entries, or null.</param>
    public EncapsulatedPixelData(IEnumerable<ReadOnlyMemory<byte>> fragments, IEnumerable<uint>? basicOffsetTable = null,
        IEnumerable<ulong>? extendedOffsetTable = null, IEnumerable<ulong>? extendedOffsetTableLengths = null)
    {
        ArgumentNullException.ThrowIfNull(fragments);
        _fragments = [.. fragments];
        _basicOffsetTable = basicOffsetTable is null ? [] : [.. basicOffsetTable];
        _extendedOffsetTable = extendedOffsetTable is null ? [] : [.. extendedOffsetTable];
        _extendedOffsetTableLengths = extendedOffsetTableLengths is null ? [] : [.. extendedOffsetTableLengths];
        _fragmentPositions = new long[_fragments.Length + 1];
        for (var i = 0; i < _fragments.Length; i++)
        {
            _fragmentPositions[i + 1] = _fragmentPositions[i] + 8 + _fragments[i].Length;
        }
    }

    /// <summary>The fragments (Item values after the Basic Offset Table).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Fragments => _fragments;

    /// <summary>The Basic Offset Table; empty when the table item is empty.</summary>
    public IReadOnlyList<uint> BasicOffsetTable => _basicOffsetTable;

    /// <summary>Extended Offset Table (7FE0,0001); empty when absent.</summary>
    public IReadOnlyList<ulong> ExtendedOffsetTable => _extendedOffsetTable;

    /// <summary>Extended Offset Table Lengths (7FE0,0002); empty when absent.</summary>
    public IReadOnlyList<ulong> ExtendedOffsetTableLengths => _extendedOffsetTableLengths;

    /// <summary>
    /// Parses the value of an encapsulated Pixel Data element (the items after its undefined length:
    /// Basic Offset Table item, fragment items, and the Sequence Delimitation Item, which may be missing).
    /// Fragments refer to <paramref name="value"/> without copying.
    /// </summary>
    /// <param name="value">The bytes after the Pixel Data element's tag, VR and undefined length.</param>
    /// <param name="extendedOffsetTable">The value of (7FE0,0001) (OV, little endian), or empty.</param>
    /// <param name="extendedOffsetTableLengths">The value of (7FE0,0002) (OV, little endian), or empty.</param>
    /// <exception cref="DicomPixelDataException">Not an item sequence, truncated item, or malformed table.</exception>
    public static EncapsulatedPixelData Parse(ReadOnlyMemory<byte> value, ReadOnlyMemory<byte> extendedOffsetTable = default,
        ReadOnlyMemory<byte> extendedOffsetTableLengths = default)
    {
        var span = value.Span;
        var position = 0;
        uint[]? table = null;
        var fragments = new List<ReadOnlyMemory<byte>>();
        while (position < span.Length)
        {
            if (span.Length - position < 8)
            {
                throw new DicomPixelDataException($"Encapsulated Pixel Data: {span.Length - position} byte(s) left at offset {position}, too few for an item header.");
            }

            var group = BinaryPrimitives.ReadUInt16LittleEndian(span[position..]);
            var element = BinaryPrimitives.ReadUInt16LittleEndian(span[(position + 2)..]);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(span[(position + 4)..]);
            if (group == 0xFFFE && element == 0xE0DD)
            {
                break;
            }

            if (group != 0xFFFE || element != 0xE000)
            {
                throw new DicomPixelDataException($"Encapsulated Pixel Data: expected an Item (FFFE,E000) at offset {position}, found ({group:X4},{element:X4}).");
            }

            position += 8;
            if (length == 0xFFFFFFFF || length > span.Length - position)
            {
                throw new DicomPixelDataException(
                    $"Encapsulated Pixel Data: the item at offset {position - 8} has length {(length == 0xFFFFFFFF ? "undefined" : length.ToString(System.Globalization.CultureInfo.InvariantCulture))}, "
                    + $"{span.Length - position} byte(s) are left.");
            }

            var item = value.Slice(position, (int)length);
            position += (int)length;
            if (table is null)
            {
                if (length % 4 != 0)
                {
                    throw new DicomPixelDataException($"Encapsulated Pixel Data: the Basic Offset Table is {length} bytes long, not a multiple of 4.");
                }

                table = new uint[length / 4];
                for (var i = 0; i < table.Length; i++)
                {
                    table[i] = BinaryPrimitives.ReadUInt32LittleEndian(item.Span[(4 * i)..]);
                }
            }
            else
            {
                fragments.Add(item);
            }
        }

        if (table is null)
        {
            throw new DicomPixelDataException("Encapsulated Pixel Data has no Basic Offset Table item (the first item is required, even empty).");
        }

        return new EncapsulatedPixelData(fragments, table, ReadUInt64Table(extendedOffsetTable, "Extended Offset Table (7FE0,0001)"),
            ReadUInt64Table(extendedOffsetTableLengths, "Extended Offset Table Lengths (7FE0,0002)"));
    }

    /// <summary>
    /// Encapsulates frames: one fragment per frame (padded to even length with a zero byte) and a Basic
    /// Offset Table listing each frame, as PS3.5 A.4 recommends and RLE requires.
    /// </summary>
    public static EncapsulatedPixelData FromFrames(IEnumerable<byte[]> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var fragments = new List<ReadOnlyMemory<byte>>();
        var table = new List<uint>();
        long position = 0;
        foreach (var frame in frames)
        {
            if (position > uint.MaxValue)
            {
                throw new DicomPixelDataException("The frames are too large for a Basic Offset Table (4 GiB); use an Extended Offset Table.");
            }

            table.Add((uint)position);
            var fragment = frame;
            if (frame.Length % 2 != 0)
            {
                fragment = new byte[frame.Length + 1];
                frame.CopyTo(fragment, 0);
            }

            fragments.Add(fragment);
            position += 8 + fragment.Length;
        }

        return new EncapsulatedPixelData(fragments, table);
    }

    /// <summary>The value of the encapsulated Pixel Data element: Basic Offset Table item, fragment items, Sequence Delimitation Item.</summary>
    public byte[] ToValue()
    {
        var length = 8L + (4L * _basicOffsetTable.Length) + _fragmentPositions[^1] + 8;
        if (length > Array.MaxLength)
        {
            throw new DicomPixelDataException($"Encapsulated Pixel Data of {length} bytes does not fit in one array.");
        }

        var value = new byte[length];
        var span = value.AsSpan();
        WriteItemHeader(span, 0xE000, (uint)(4 * _basicOffsetTable.Length));
        var position = 8;
        foreach (var offset in _basicOffsetTable)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span[position..], offset);
            position += 4;
        }

        foreach (var fragment in _fragments)
        {
            WriteItemHeader(span[position..], 0xE000, (uint)fragment.Length);
            fragment.Span.CopyTo(span[(position + 8)..]);
            position += 8 + fragment.Length;
        }

        WriteItemHeader(span[position..], 0xE0DD, 0);
        return value;
    }

    /// <summary>
    /// The bytes of frame <paramref name="frameIndex"/> (0-based) per PS3.5 A.4: from the Extended Offset
    /// Table when present, else from the Basic Offset Table when not empty; without either, one fragment
    /// per frame when there are as many fragments as frames, or all fragments for a single-frame image.
    /// A frame held in one fragment is returned without copying.
    /// </summary>
    /// <param name="frameIndex">0-based frame number.</param>
    /// <param name="numberOfFrames">Number of Frames (0028,0008) of the image (1 when absent).</param>
    /// <exception cref="DicomPixelDataException">The frame cannot be found, with the reason.</exception>
    public ReadOnlyMemory<byte> GetFrame(int frameIndex, int numberOfFrames)
    {
        if (numberOfFrames < 1)
        {
            throw new DicomPixelDataException($"Number of Frames {numberOfFrames} must be at least 1.");
        }

        if (frameIndex < 0 || frameIndex >= numberOfFrames)
        {
            throw new DicomPixelDataException($"Frame {frameIndex} does not exist: Number of Frames is {numberOfFrames}.");
        }

        if (_fragments.Length == 0)
        {
            throw new DicomPixelDataException("Encapsulated Pixel Data has no fragment.");
        }

        if (_extendedOffsetTable.Length > 0)
        {
            return FromExtendedOffsetTable(frameIndex, numberOfFrames);
        }

        if (_basicOffsetTable.Length > 0)
        {
            if (_basicOffsetTable.Length != numberOfFrames)
            {
                throw new DicomPixelDataException($"The Basic Offset Table has {_basicOffsetTable.Length} entries for {numberOfFrames} frame(s).");
            }

            var first = FindFragment(_basicOffsetTable[frameIndex]);
            var end = frameIndex + 1 < numberOfFrames ? FindFragment(_basicOffsetTable[frameIndex + 1]) : _fragments.Length;
            if (first >= 0 && end > first)
            {
                return Join(first, end, long.MaxValue);
            }

            // A table that does not match the fragments (seen from some writers) is ignored when there is
            // one fragment per frame, as the standard requires of RLE and most JPEG syntaxes.
            if (_fragments.Length == numberOfFrames)
            {
                return _fragments[frameIndex];
            }

            throw new DicomPixelDataException(first < 0 || end < 0
                ? $"The Basic Offset Table gives offset {(first < 0 ? _basicOffsetTable[frameIndex] : _basicOffsetTable[frameIndex + 1])} for frame {(first < 0 ? frameIndex : frameIndex + 1)}, "
                    + $"which is not the start of a fragment item ({_fragments.Length} fragment(s), {_fragmentPositions[^1]} bytes of items)."
                : $"The Basic Offset Table is not increasing at frame {frameIndex} ({_basicOffsetTable[frameIndex]}, then {_basicOffsetTable[frameIndex + 1]}).");
        }

        if (_fragments.Length == numberOfFrames)
        {
            return _fragments[frameIndex];
        }

        if (numberOfFrames == 1)
        {
            return Join(0, _fragments.Length, long.MaxValue);
        }

        throw new DicomPixelDataException(
            $"Cannot tell which of the {_fragments.Length} fragments form frame {frameIndex} of {numberOfFrames}: "
            + "the Basic Offset Table is empty, there is no Extended Offset Table, and there are not as many fragments as frames.");
    }

    private ReadOnlyMemory<byte> FromExtendedOffsetTable(int frameIndex, int numberOfFrames)
    {
        if (_extendedOffsetTable.Length != numberOfFrames)
        {
            throw new DicomPixelDataException($"The Extended Offset Table has {_extendedOffsetTable.Length} entries for {numberOfFrames} frame(s).");
        }

        if (_extendedOffsetTableLengths.Length != 0 && _extendedOffsetTableLengths.Length != numberOfFrames)
        {
            throw new DicomPixelDataException($"Extended Offset Table Lengths has {_extendedOffsetTableLengths.Length} entries for {numberOfFrames} frame(s).");
        }

        var first = FragmentAt(_extendedOffsetTable[frameIndex], "Extended Offset Table", frameIndex);
        var end = frameIndex + 1 < numberOfFrames
            ? FragmentAt(_extendedOffsetTable[frameIndex + 1], "Extended Offset Table", frameIndex + 1)
            : _fragments.Length;
        if (end <= first)
        {
            throw new DicomPixelDataException($"The Extended Offset Table is not increasing at frame {frameIndex}.");
        }

        var available = _fragmentPositions[end] - _fragmentPositions[first] - (8L * (end - first));
        var length = _extendedOffsetTableLengths.Length == 0 ? (ulong)available : _extendedOffsetTableLengths[frameIndex];
        if (length > (ulong)available)
        {
            throw new DicomPixelDataException($"Extended Offset Table Lengths gives {length} bytes for frame {frameIndex}, its fragment(s) hold {available}.");
        }

        return Join(first, end, (long)length);
    }

    /// <summary>The fragment whose item starts at <paramref name="offset"/>, or -1.</summary>
    private int FindFragment(ulong offset) =>
        Math.Max(-1, Array.BinarySearch(_fragmentPositions, 0, _fragments.Length, offset > long.MaxValue ? long.MaxValue : (long)offset));

    private int FragmentAt(ulong offset, string table, int frameIndex)
    {
        var index = FindFragment(offset);
        if (index < 0)
        {
            throw new DicomPixelDataException(
                $"The {table} gives offset {offset} for frame {frameIndex}, which is not the start of a fragment item "
                + $"({_fragments.Length} fragment(s), {_fragmentPositions[^1]} bytes of items).");
        }

        return index;
    }

    private ReadOnlyMemory<byte> Join(int first, int end, long maxLength)
    {
        if (end - first == 1)
        {
            var only = _fragments[first];
            return maxLength < only.Length ? only[..(int)maxLength] : only;
        }

        var total = _fragmentPositions[end] - _fragmentPositions[first] - (8L * (end - first));
        total = Math.Min(total, maxLength);
        if (total > Array.MaxLength)
        {
            throw new DicomPixelDataException($"A frame of {total} bytes does not fit in one array.");
        }

        var frame = GC.AllocateUninitializedArray<byte>((int)total);
        var position = 0;
        for (var i = first; i < end && position < frame.Length; i++)
        {
            var part = _fragments[i].Span;
            var count = Math.Min(part.Length, frame.Length - position);
            part[..count].CopyTo(frame.AsSpan(position));
            position += count;
        }

        return frame;
    }

    private static ulong[] ReadUInt64Table(ReadOnlyMemory<byte> value, string name)
    {
        if (value.Length % 8 != 0)
        {
            throw new DicomPixelDataException($"{name} is {value.Length} bytes long, not a multiple of 8.");
        }

        var table = new ulong[value.Length / 8];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = BinaryPrimitives.ReadUInt64LittleEndian(value.Span[(8 * i)..]);
        }

        return table;
    }

    private static void WriteItemHeader(Span<byte> span, ushort element, uint length)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(span, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], element);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], length);
    }
}
