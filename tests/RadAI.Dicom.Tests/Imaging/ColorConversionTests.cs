using RadAI.Dicom.Imaging;
using Xunit;

namespace RadAI.Dicom.Tests.Imaging;

public sealed class ColorConversionTests
{
    [Fact]
    public void Every_8_bit_triplet_converts_exactly_as_pydicom_convert_color_space_does()
    {
        var directory = PydicomReference.CreateTemporaryDirectory("radai-color");
        PydicomReference.RunScript("color", directory);
        var cube = new byte[256 * 256 * 256 * 3];
        for (var i = 0; i < 256 * 256 * 256; i++)
        {
            cube[3 * i] = (byte)(i >> 16);
            cube[(3 * i) + 1] = (byte)(i >> 8);
            cube[(3 * i) + 2] = (byte)i;
        }

        var rgb = new byte[cube.Length];
        ColorConversion.YbrFullToRgb(cube, rgb);
        AssertBytesEqual(File.ReadAllBytes(Path.Combine(directory, "ybr_full_to_rgb.bin")), rgb, "YBR_FULL to RGB");

        var samples = cube.Select(b => (int)b).ToArray();
        ColorConversion.RgbToYbrFull(samples);
        AssertBytesEqual(File.ReadAllBytes(Path.Combine(directory, "rgb_to_ybr_full.bin")), [.. samples.Select(v => (byte)v)], "RGB to YBR_FULL");
    }

    [Fact]
    public void Grey_stays_grey_and_the_primaries_follow_bt601_full_range()
    {
        int[] samples = [128, 128, 128, 0, 128, 128, 255, 128, 128, 76, 85, 255, 150, 44, 21, 29, 255, 107];
        ColorConversion.YbrFullToRgb(samples);
        Assert.Equal([128, 128, 128, 0, 0, 0, 255, 255, 255, 254, 0, 0, 0, 255, 1, 0, 0, 254], samples);
    }

    [Fact]
    public void Rgb_is_copied_and_other_interpretations_are_refused()
    {
        int[] samples = [1, 2, 3];
        Assert.Equal(samples, ColorConversion.ToRgb(samples, "RGB"));
        Assert.Throws<DicomPixelDataException>(() => ColorConversion.ToRgb(samples, "PALETTE COLOR"));
        Assert.Throws<DicomPixelDataException>(() => ColorConversion.ToRgb([1, 2], "YBR_FULL"));
    }

    private static void AssertBytesEqual(byte[] expected, byte[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var index = expected.AsSpan().CommonPrefixLength(actual);
        Assert.True(index == expected.Length,
            $"{what}: triplet {index / 3} ({index / 3 >> 16}, {(index / 3 >> 8) & 255}, {index / 3 & 255}) channel {index % 3}: {actual.ElementAtOrDefault(index)}, pydicom {expected.ElementAtOrDefault(index)}");
    }
}
