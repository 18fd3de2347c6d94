using System.Buffers.Binary;
using RadAI.Dicom.Imaging;
using Xunit;

namespace RadAI.Dicom.Tests.Imaging;

public sealed class PixelDescriptionAndSamplesTests
{
    public static TheoryData<string, PixelDataDescription, string> Impossible => new()
    {
        { "bits stored above bits allocated", new(4, 4, 1, 16, 17, 16, 0, "MONOCHROME2"), "Bits Stored" },
        { "zero rows", new(0, 4, 1, 16, 16, 15, 0, "MONOCHROME2"), "Rows" },
        { "zero columns", new(4, 0, 1, 16, 16, 15, 0, "MONOCHROME2"), "Columns" },
        { "bits allocated 12", new(4, 4, 1, 12, 12, 11, 0, "MONOCHROME2"), "Bits Allocated" },
        { "bits allocated 24", new(4, 4, 1, 24, 24, 23, 0, "MONOCHROME2"), "Bits Allocated" },
        { "high bit below bits stored", new(4, 4, 1, 16, 12, 10, 0, "MONOCHROME2"), "High Bit" },
        { "high bit beyond the word", new(4, 4, 1, 16, 12, 16, 0, "MONOCHROME2"), "High Bit" },
        { "pixel representation 2", new(4, 4, 1, 16, 12, 11, 2, "MONOCHROME2"), "Pixel Representation" },
        { "planar configuration 2", new(4, 4, 3, 8, 8, 7, 0, "RGB", 2), "Planar Configuration" },
        { "RGB with one sample", new(4, 4, 1, 8, 8, 7, 0, "RGB"), "Photometric Interpretation" },
        { "MONOCHROME2 with three samples", new(4, 4, 3, 8, 8, 7, 0, "MONOCHROME2"), "Photometric Interpretation" },
        { "no photometric interpretation", new(4, 4, 1, 8, 8, 7, 0, "  "), "Photometric Interpretation" },
        { "zero frames", new(4, 4, 1, 8, 8, 7, 0, "MONOCHROME2", 0, 0), "Number of Frames" },
        { "zero samples", new(4, 4, 0, 8, 8, 7, 0, "MONOCHROME2"), "Samples per Pixel" },
        { "YBR_FULL_422 with odd columns", new(4, 5, 3, 8, 8, 7, 0, "YBR_FULL_422"), "even" },
        { "a frame larger than an array", new(65535, 65535, 3, 64, 64, 63, 0, "RGB"), "largest array" },
    };

    [Theory]
    [MemberData(nameof(Impossible))]
    public void Impossible_descriptions_are_refused_with_a_message_that_names_the_attribute(string what, PixelDataDescription description, string named)
    {
        var e = Assert.Throws<DicomPixelDataException>(() => description.Validate());
        Assert.True(e.Message.Contains(named, StringComparison.Ordinal), $"{what}: {e.Message}");
    }

    [Fact]
    public void High_bit_other_than_bits_stored_minus_one_is_accepted_with_a_warning()
    {
        var d = new PixelDataDescription(2, 2, 1, 16, 12, 15, 0, "MONOCHROME2");
        var warning = Assert.Single(d.Validate());
        Assert.Contains("High Bit", warning, StringComparison.Ordinal);
        Assert.Empty(PixelDataDescription.Monochrome(2, 2, 16, 12, signed: true).Validate());
    }

    [Fact]
    public void Frame_lengths_follow_bits_allocated_samples_and_subsampling()
    {
        Assert.Equal(512 * 512 * 2, PixelDataDescription.Monochrome(512, 512, 16, 12, signed: false).FrameLengthInBytes);
        Assert.Equal(3 * 100 * 100 * 4, PixelDataDescription.Color(100, 100, 32).FrameLengthInBytes);
        Assert.Equal(2 * 100 * 100, PixelDataDescription.Color(100, 100, 8, photometricInterpretation: "YBR_FULL_422").FrameLengthInBytes);
        var bits = PixelDataDescription.Monochrome(3, 3, 1, 1, signed: false, numberOfFrames: 3);
        Assert.Equal(2, bits.FrameLengthInBytes);
        Assert.Equal(4, bits.TotalLengthInBytes);
        Assert.Equal(18, bits.GetFrameBitOffset(2));
        Assert.Equal("MONOCHROME1", new PixelDataDescription(1, 1, 1, 8, 8, 7, 0, "MONOCHROME1 ").PhotometricInterpretation);
    }

    [Fact]
    public void Signed_values_are_sign_extended_from_bits_stored_and_unsigned_values_masked()
    {
        var d = PixelDataDescription.Monochrome(1, 4, 16, 12, signed: true);
        var frame = Words(0x0FFF, 0xF7FF, 0x0800, 0xA123);
        Assert.Equal([-1, 2047, -2048, 0x123], PixelSamples.ToInt32(frame, d));
        Assert.Equal([0x0FFF, -2049, 0x0800, unchecked((short)0xA123)], PixelSamples.ToInt32(frame, d, maskToBitsStored: false)); // pydicom's int16

        var u = PixelDataDescription.Monochrome(1, 4, 16, 12, signed: false);
        Assert.Equal([0x0FFF, 0x07FF, 0x0800, 0x0123], PixelSamples.ToInt32(frame, u));
        Assert.Equal([0x0FFF, 0xF7FF, 0x0800, 0xA123], PixelSamples.ToInt32(frame, u, maskToBitsStored: false));
    }

    [Fact]
    public void Thirty_two_bit_unsigned_values_need_64_bit_integers()
    {
        var d = PixelDataDescription.Monochrome(1, 1, 32, 32, signed: false);
        byte[] frame = [0xFF, 0xFF, 0xFF, 0xFF];
        Assert.Throws<DicomPixelDataException>(() => PixelSamples.ToInt32(frame, d));
        Assert.Equal([uint.MaxValue], PixelSamples.ToInt64(frame, d));
        Assert.Equal([-1], PixelSamples.ToInt32(frame, d with { PixelRepresentation = 1 }));
        var d64 = PixelDataDescription.Monochrome(1, 1, 64, 64, signed: false);
        Assert.Throws<DicomPixelDataException>(() => PixelSamples.ToInt64(new byte[8], d64));
        Assert.Equal([-1L], PixelSamples.ToInt64([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], d64 with { PixelRepresentation = 1 }));
    }

    [Fact]
    public void Color_by_plane_samples_come_out_color_by_pixel()
    {
        var planar = PixelDataDescription.Color(1, 2, 8, planarConfiguration: 1);
        Assert.Equal([1, 3, 5, 2, 4, 6], PixelSamples.ToInt32([1, 2, 3, 4, 5, 6], planar));
        Assert.Equal([1, 2, 3, 4, 5, 6], PixelSamples.ToInt32([1, 2, 3, 4, 5, 6], planar with { PlanarConfiguration = 0 }));
        var planar16 = PixelDataDescription.Color(1, 2, 16, planarConfiguration: 1);
        Assert.Equal([1, 3, 5, 2, 4, 6], PixelSamples.ToInt32(Words(1, 2, 3, 4, 5, 6), planar16));
    }

    [Fact]
    public void Short_frames_and_destinations_throw()
    {
        var d = PixelDataDescription.Monochrome(2, 2, 16, 16, signed: false);
        Assert.Throws<DicomPixelDataException>(() => PixelSamples.ToInt32(new byte[7], d));
        Assert.Throws<DicomPixelDataException>(() => PixelSamples.ToInt32(new byte[8], d, new int[3]));
        Assert.Throws<DicomPixelDataException>(() => PixelSamples.ApplyRescale([1, 2], 1, 0, new double[1]));
    }

    [Fact]
    public void Rescale_is_multiply_then_add_in_double()
    {
        Assert.Equal([-1024.0, -1023.0, 0.0], PixelSamples.ApplyRescale([0, 1, 1024], 1, -1024));
        Assert.Equal([0.1 * 3 + 0.2], PixelSamples.ApplyRescale([3], 0.1, 0.2));
        var d = PixelDataDescription.Monochrome(1, 2, 16, 12, signed: true);
        Assert.Equal([-2 * 2.5 + 10, 7 * 2.5 + 10], PixelSamples.ToModalityValues(Words(0xFFFE, 7), d, 2.5, 10));
    }

    private static byte[] Words(params int[] words)
    {
        var bytes = new byte[words.Length * 2];
        for (var i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), (ushort)words[i]);
        }

        return bytes;
    }
}
