using System.Buffers.Binary;
using RadAI.Dicom.Imaging;
using Xunit;

namespace RadAI.Dicom.Tests.Imaging;

public sealed class EncapsulatedPixelDataTests
{
    private static readonly byte[] A = [1, 2, 3, 4];
    private static readonly byte[] B = [5, 6];
    private static readonly byte[] C = [7, 8, 9, 10, 11, 12];
    private static readonly byte[] D = [13, 14];

    [Fact]
    public void Frames_spread_over_fragments_are_joined_per_the_basic_offset_table()
    {
        // Frame 0 = A + B, frame 1 = C, frame 2 = D. Offsets count 8 bytes of item header per fragment.
        var value = Items([0, 8 + 4 + 8 + 2, 8 + 4 + 8 + 2 + 8 + 6], A, B, C, D);
        var data = EncapsulatedPixelData.Parse(value);
        Assert.Equal(4, data.Fragments.Count);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, data.GetFrame(0, 3).ToArray());
        Assert.Equal(C, data.GetFrame(1, 3).ToArray());
        Assert.Equal(D, data.GetFrame(2, 3).ToArray());
        Assert.Equal(value, data.ToValue());
    }

    [Fact]
    public void Without_an_offset_table_there_is_one_fragment_per_frame_or_one_frame()
    {
        var data = EncapsulatedPixelData.Parse(Items([], A, B, C));
        Assert.Equal(B, data.GetFrame(1, 3).ToArray());
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, data.GetFrame(0, 1).ToArray());
        var e = Assert.Throws<DicomPixelDataException>(() => data.GetFrame(0, 2));
        Assert.Contains("3 fragments", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_extended_offset_table_gives_offsets_and_lengths()
    {
        var eot = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(eot, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(eot.AsSpan(8), 8 + 4);
        var lengths = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(lengths, 3); // odd frame padded to 4 in its fragment
        BinaryPrimitives.WriteUInt64LittleEndian(lengths.AsSpan(8), 2);
        var data = EncapsulatedPixelData.Parse(Items([], A, B), eot, lengths);
        Assert.Equal(new byte[] { 1, 2, 3 }, data.GetFrame(0, 2).ToArray());
        Assert.Equal(B, data.GetFrame(1, 2).ToArray());

        BinaryPrimitives.WriteUInt64LittleEndian(lengths.AsSpan(8), 3);
        Assert.Throws<DicomPixelDataException>(() => EncapsulatedPixelData.Parse(Items([], A, B), eot, lengths).GetFrame(1, 2));
        Assert.Throws<DicomPixelDataException>(() => EncapsulatedPixelData.Parse(Items([], A, B), eot[..12]));
    }

    [Fact]
    public void Offsets_that_do_not_start_a_fragment_and_count_mismatches_are_refused()
    {
        var e = Assert.Throws<DicomPixelDataException>(() => EncapsulatedPixelData.Parse(Items([0, 10], A, B, C)).GetFrame(1, 2));
        Assert.Contains("offset 10 for frame 1", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<DicomPixelDataException>(() => EncapsulatedPixelData.Parse(Items([12, 0], A, B, C)).GetFrame(0, 2));
        Assert.Contains("not increasing", e.Message, StringComparison.Ordinal);
        Assert.Throws<DicomPixelDataException>(() => EncapsulatedPixelData.Parse(Items([0, 12], A, B)).GetFrame(0, 3));
        Assert.Throws<DicomPixelDataException>(() => EncapsulatedPixelData.Parse(Items([0], A)).GetFrame(1, 1));
        Assert.Throws<DicomPixelDataException>(() => EncapsulatedPixelData.Parse(Items([])).GetFrame(0, 1));
    }

    [Fact]
    public void A_basic_offset_table_that_does_not_match_is_ignored_when_there_is_one_fragment_per_frame()
    {
        Assert.Equal(B, EncapsulatedPixelData.Parse(Items([0, 10], A, B)).GetFrame(1, 2).ToArray());
        Assert.Equal(A, EncapsulatedPixelData.Parse(Items([12, 0], A, B)).GetFrame(0, 2).ToArray());
    }

    [Fact]
    public void Malformed_item_sequences_are_refused_and_a_missing_delimiter_is_accepted()
    {
        var value = Items([0], A);
        Assert.Equal(A, EncapsulatedPixelData.Parse(value[..^8]).GetFrame(0, 1).ToArray()); // no sequence delimiter
        Assert.Throws<DicomPixelDataException>(() => EncapsulatedPixelData.Parse(value[..^10])); // truncated item
        Assert.Throws<DicomPixelDataException>(() => EncapsulatedPixelData.Parse(value[..5]));
        Assert.Throws<DicomPixelDataException>(() => EncapsulatedPixelData.Parse(new byte[] { 0xE0, 0x7F, 0x10, 0x00, 0, 0, 0, 0 }));
        Assert.Throws<DicomPixelDataException>(() => EncapsulatedPixelData.Parse(Array.Empty<byte>()));
        var oddTable = Items([0], A);
        BinaryPrimitives.WriteUInt32LittleEndian(oddTable.AsSpan(4), 3);
        Assert.Throws<DicomPixelDataException>(() => EncapsulatedPixelData.Parse(oddTable));
        var undefined = Items([], A);
        BinaryPrimitives.WriteUInt32LittleEndian(undefined.AsSpan(12), uint.MaxValue);
        Assert.Throws<DicomPixelDataException>(() => EncapsulatedPixelData.Parse(undefined));
    }

    [Fact]
    public void From_frames_builds_one_even_fragment_per_frame_with_a_basic_offset_table()
    {
        var data = EncapsulatedPixelData.FromFrames([[1, 2, 3], [4, 5]]);
        Assert.Equal([0u, 12u], data.BasicOffsetTable);
        var parsed = EncapsulatedPixelData.Parse(data.ToValue());
        Assert.Equal(new byte[] { 1, 2, 3, 0 }, parsed.GetFrame(0, 2).ToArray());
        Assert.Equal(new byte[] { 4, 5 }, parsed.GetFrame(1, 2).ToArray());
    }

    [Fact]
    public void Encapsulated_uncompressed_frames_decode_through_the_registry()
    {
        var d = PixelDataDescription.Monochrome(1, 3, 8, 8, signed: false, numberOfFrames: 2);
        var value = DicomPixelDataValue.FromEncapsulated(EncapsulatedPixelData.FromFrames([[1, 2, 3], [4, 5, 6]]));
        var frame = DicomPixelCodecs.Default.DecodeFrame(EncapsulatedUncompressedFrameDecoder.Uid, value, d, 1);
        Assert.Equal(new byte[] { 4, 5, 6 }, frame.Data);
        var shortValue = DicomPixelDataValue.FromEncapsulated(EncapsulatedPixelData.FromFrames([[1, 2], [4, 5]]));
        Assert.Throws<DicomPixelDataException>(() => DicomPixelCodecs.Default.DecodeFrame(EncapsulatedUncompressedFrameDecoder.Uid, shortValue, d, 1));
    }

    /// <summary>An encapsulated Pixel Data value: Basic Offset Table item, fragment items, Sequence Delimitation Item.</summary>
    private static byte[] Items(uint[] table, params byte[][] fragments)
    {
        var stream = new List<byte>();
        AddItem(stream, 0xE000, [.. table.SelectMany(t => BitConverter.GetBytes(t))]);
        foreach (var fragment in fragments)
        {
            AddItem(stream, 0xE000, fragment);
        }

        AddItem(stream, 0xE0DD, []);
        return [.. stream];
    }

    private static void AddItem(List<byte> stream, ushort element, byte[] content)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(header, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), element);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)content.Length);
        stream.AddRange(header);
        stream.AddRange(content);
    }
}
