using System.Buffers.Binary;
using RadAI.Dicom.Imaging;
using Xunit;

namespace RadAI.Dicom.Tests.Imaging;

public sealed class NativePixelDataTests
{
    [Theory]
    [InlineData(3, 3, 5)] // 9 bits a frame: frames start in the middle of bytes
    [InlineData(1, 1, 17)]
    [InlineData(2, 4, 3)] // 8 bits a frame: byte aligned
    [InlineData(5, 7, 4)]
    public void Bit_packed_frames_are_found_by_their_bit_offset(int rows, int columns, int frames)
    {
        var d = PixelDataDescription.Monochrome(rows, columns, 1, 1, signed: false, numberOfFrames: frames);
        var bitsPerFrame = rows * columns;
        var random = new Random(rows * columns * frames);
        var bits = Enumerable.Range(0, bitsPerFrame * frames).Select(_ => random.Next(2)).ToArray();
        var value = new byte[((bits.Length + 7) / 8) + 1]; // with a padding byte
        for (var i = 0; i < bits.Length; i++)
        {
            value[i / 8] |= (byte)(bits[i] << (i % 8));
        }

        value[^1] = 0xFF; // padding that must not leak into the last frame
        Assert.Equal((bits.Length + 7) / 8, d.TotalLengthInBytes);
        for (var f = 0; f < frames; f++)
        {
            var frame = NativePixelData.GetFrame(value, d, f);
            Assert.Equal((bitsPerFrame + 7) / 8, frame.Length);
            Assert.Equal(bits.Skip(f * bitsPerFrame).Take(bitsPerFrame).Select(b => (long)b), PixelSamples.ToInt64(frame, d));
            Assert.Equal(0, frame[^1] >> (bitsPerFrame % 8 == 0 ? 8 : bitsPerFrame % 8)); // unused bits are zero
            Assert.Equal(frame, NativePixelData.GetFrameMemory(value, d, f).ToArray());
        }
    }

    [Fact]
    public void Big_endian_words_are_swapped_to_little_endian()
    {
        var d16 = PixelDataDescription.Monochrome(1, 2, 16, 16, signed: true);
        Assert.Equal(new byte[] { 0x02, 0x01, 0xFF, 0xFE }, NativePixelData.GetFrame([0x01, 0x02, 0xFE, 0xFF], d16, 0, bigEndian: true));
        Assert.Equal([0x0102, -2], PixelSamples.ToInt32(NativePixelData.GetFrame([0x01, 0x02, 0xFF, 0xFE], d16, 0, bigEndian: true), d16));

        var d32 = PixelDataDescription.Monochrome(1, 1, 32, 32, signed: false, numberOfFrames: 2);
        Assert.Equal(new byte[] { 8, 7, 6, 5 }, NativePixelData.GetFrame([1, 2, 3, 4, 5, 6, 7, 8], d32, 1, bigEndian: true));

        var d64 = PixelDataDescription.Monochrome(1, 1, 64, 64, signed: true);
        Assert.Equal(new byte[] { 8, 7, 6, 5, 4, 3, 2, 1 }, NativePixelData.GetFrame([1, 2, 3, 4, 5, 6, 7, 8], d64, 0, bigEndian: true));
    }

    [Fact]
    public void Eight_bit_data_in_a_big_endian_ow_value_is_unswapped_and_ob_is_left_as_it_is()
    {
        var d = PixelDataDescription.Monochrome(1, 3, 8, 8, signed: false, numberOfFrames: 2);
        byte[] ow = [2, 1, 4, 3, 6, 5]; // little endian bytes 1..6 written as big endian 16-bit words
        Assert.Equal(new byte[] { 1, 2, 3 }, NativePixelData.GetFrame(ow, d, 0, bigEndian: true, DicomVR.OW));
        Assert.Equal(new byte[] { 4, 5, 6 }, NativePixelData.GetFrame(ow, d, 1, bigEndian: true, DicomVR.OW));
        Assert.Equal(new byte[] { 2, 1, 4 }, NativePixelData.GetFrame(ow, d, 0, bigEndian: true, DicomVR.OB));
        Assert.Equal(new byte[] { 2, 1, 4 }, NativePixelData.GetFrame(ow, d, 0, bigEndian: false, DicomVR.OW));

        var bits = PixelDataDescription.Monochrome(2, 6, 1, 1, signed: false);
        Assert.Equal(new byte[] { 0x01, 0x08 }, NativePixelData.GetFrame([0x08, 0x01], bits, 0, bigEndian: true, DicomVR.OW));
    }

    [Fact]
    public void Frames_of_a_little_endian_value_are_slices_without_copy()
    {
        var d = PixelDataDescription.Monochrome(2, 2, 16, 12, signed: false, numberOfFrames: 3);
        var value = new byte[d.FrameLengthInBytes * 3];
        var memory = NativePixelData.GetFrameMemory(value, d, 2);
        Assert.Equal(8, memory.Length);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(memory, out var segment));
        Assert.Same(value, segment.Array);
        Assert.Equal(16, segment.Offset);
    }

    [Fact]
    public void Short_values_and_missing_frames_throw_with_the_lengths()
    {
        var d = PixelDataDescription.Monochrome(4, 4, 16, 16, signed: false, numberOfFrames: 2);
        var e = Assert.Throws<DicomPixelDataException>(() => NativePixelData.GetFrame(new byte[63], d, 1));
        Assert.Contains("63", e.Message, StringComparison.Ordinal);
        Assert.Contains("64", e.Message, StringComparison.Ordinal);
        Assert.Equal(32, NativePixelData.GetFrame(new byte[63], d, 0).Length);
        Assert.Throws<DicomPixelDataException>(() => NativePixelData.GetFrame(new byte[64], d, 2));
        Assert.Throws<DicomPixelDataException>(() => NativePixelData.GetFrame(new byte[64], d, -1));
        Assert.Throws<DicomPixelDataException>(() => NativePixelData.CopyFrame(new byte[64], d, 0, new byte[31]));
        Assert.Equal(2, NativePixelData.CountFrames(65, d));
    }

    [Fact]
    public void Ybr_full_422_frames_take_two_thirds_of_full_resolution()
    {
        var d = PixelDataDescription.Color(2, 4, 8, numberOfFrames: 2, photometricInterpretation: "YBR_FULL_422");
        Assert.Equal(16, d.FrameLengthInBytes);
        var value = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var frame = NativePixelData.GetFrame(value, d, 1);
        Assert.Equal(value[16..], frame);
        Assert.Equal(
            [16, 18, 19, 17, 18, 19, 20, 22, 23, 21, 22, 23, 24, 26, 27, 25, 26, 27, 28, 30, 31, 29, 30, 31],
            PixelSamples.ToInt32(frame, d));
    }

    [Fact]
    public void Sixteen_bit_ybr_full_422_expands_too()
    {
        var d = new PixelDataDescription(1, 2, 3, 16, 16, 15, 0, "YBR_FULL_422");
        var frame = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(frame, 1000);
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(2), 2000);
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(4), 3000);
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(6), 4000);
        Assert.Equal([1000, 3000, 4000, 2000, 3000, 4000], PixelSamples.ToInt32(frame, d));
    }
}
