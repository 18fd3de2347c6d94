using RadAI.Dicom.Imaging;
using Xunit;

namespace RadAI.Dicom.Tests.Imaging;

public sealed class VoiWindowTests
{
    [Fact]
    public void Linear_follows_ps3_3_c_11_2_1_2_1()
    {
        // Center 40, width 400 (a CT soft-tissue window), output 0..255.
        var window = new VoiWindow(40, 400);
        Assert.Equal(0, window.Apply(-160, 0, 255)); // x <= c - 0.5 - (w - 1) / 2 = -160
        Assert.Equal(((((-159.0 - 39.5) / 399) + 0.5) * 255) + 0, window.Apply(-159, 0, 255));
        Assert.Equal(255, window.Apply(239.5 + 0.01, 0, 255)); // x > c - 0.5 + (w - 1) / 2 = 239
        Assert.Equal(127.5, window.Apply(39.5, 0, 255));
    }

    [Fact]
    public void Linear_exact_and_sigmoid_follow_ps3_3_c_11_2_1_3()
    {
        var exact = new VoiWindow(100, 50, VoiLutFunction.LinearExact);
        Assert.Equal(0, exact.Apply(75, 0, 255));
        Assert.Equal(255, exact.Apply(125.001, 0, 255));
        Assert.Equal(127.5, exact.Apply(100, 0, 255));

        var sigmoid = new VoiWindow(100, 50, VoiLutFunction.Sigmoid);
        Assert.Equal(127.5, sigmoid.Apply(100, 0, 255));
        Assert.Equal(255 / (1 + Math.Exp(-4 * (150 - 100) / 50.0)), sigmoid.Apply(150, 0, 255));
    }

    [Fact]
    public void Width_one_linear_is_a_threshold_and_smaller_widths_are_refused()
    {
        var threshold = new VoiWindow(10, 1);
        Assert.Equal(0, threshold.Apply(9.5, 0, 255));
        Assert.Equal(255, threshold.Apply(9.51, 0, 255));
        Assert.Throws<DicomPixelDataException>(() => new VoiWindow(10, 0.5));
        Assert.Throws<DicomPixelDataException>(() => new VoiWindow(10, 0, VoiLutFunction.LinearExact));
        Assert.Throws<DicomPixelDataException>(() => new VoiWindow(10, -1, VoiLutFunction.Sigmoid));
        Assert.Throws<DicomPixelDataException>(() => new VoiWindow(double.NaN, 10));
        _ = new VoiWindow(10, 0.5, VoiLutFunction.LinearExact);
    }

    [Fact]
    public void Functions_parse_from_the_attribute()
    {
        Assert.Equal(VoiLutFunction.Linear, VoiWindow.ParseFunction(null));
        Assert.Equal(VoiLutFunction.Linear, VoiWindow.ParseFunction(""));
        Assert.Equal(VoiLutFunction.LinearExact, VoiWindow.ParseFunction("LINEAR_EXACT "));
        Assert.Equal(VoiLutFunction.Sigmoid, VoiWindow.ParseFunction("sigmoid"));
        Assert.Throws<DicomPixelDataException>(() => VoiWindow.ParseFunction("GAMMA"));
        var second = VoiWindow.FromAttributes([40, 300], [400, 1500], "LINEAR", 1);
        Assert.Equal((300.0, 1500.0, VoiLutFunction.Linear), (second.Center, second.Width, second.Function));
        Assert.Throws<DicomPixelDataException>(() => VoiWindow.FromAttributes([40], [400], null, 1));
    }

    [Fact]
    public void Monochrome1_is_inverted_for_display()
    {
        var window = new VoiWindow(128, 256);
        Assert.Equal(new byte[] { 0, 128, 255 }, window.ToDisplay([-1000, 128, 1000]));
        Assert.Equal(new byte[] { 255, 127, 0 }, window.ToDisplay([-1000, 128, 1000], monochrome1: true));
    }

    [Fact]
    public void Display_through_the_lookup_table_equals_display_value_by_value()
    {
        var random = new Random(7);
        var stored = Enumerable.Range(0, 100_000).Select(_ => random.Next(-2048, 4096)).ToArray();
        foreach (var window in new[] { new VoiWindow(40, 400), new VoiWindow(-600, 1500, VoiLutFunction.LinearExact), new VoiWindow(300, 1000, VoiLutFunction.Sigmoid) })
        {
            foreach (var invert in new[] { false, true })
            {
                var modality = PixelSamples.ApplyRescale(stored, 1.5, -1024);
                Assert.Equal(window.ToDisplay(modality, invert), window.ToDisplay(stored, 1.5, -1024, invert));
            }
        }

        // Values too spread for a table take the direct path.
        int[] wide = [int.MinValue, 0, int.MaxValue];
        Assert.Equal(new VoiWindow(0, 100).ToDisplay(wide.Select(v => (double)v).ToArray()), new VoiWindow(0, 100).ToDisplay(wide, 1, 0));
    }

    [Fact]
    public void The_output_range_is_that_of_the_stored_values_through_the_rescale()
    {
        Assert.Equal((0.0, 4095.0), VoiWindow.GetOutputRange(PixelDataDescription.Monochrome(1, 1, 16, 12, signed: false)));
        Assert.Equal((-32768.0, 32767.0), VoiWindow.GetOutputRange(PixelDataDescription.Monochrome(1, 1, 16, 16, signed: true)));
        Assert.Equal((-1024.0, 3071.0), VoiWindow.GetOutputRange(PixelDataDescription.Monochrome(1, 1, 16, 12, signed: false), 1, -1024));
        Assert.Equal((0.0, 4294967295.0), VoiWindow.GetOutputRange(PixelDataDescription.Monochrome(1, 1, 32, 32, signed: false)));
    }
}
