using RadAI.Dicom.Imaging;
using Xunit;
using Xunit.Abstractions;

namespace RadAI.Dicom.Tests.Imaging;

/// <summary>
/// Every native and RLE file of pydicom's test corpus (and of tests/data/dicom-reference) that pydicom can
/// decode without JPEG plugins, decoded by RadAI and compared sample by sample with pydicom's
/// <c>pixel_array</c>, <c>apply_modality_lut</c>, <c>apply_voi_lut</c> and <c>convert_color_space</c>.
/// </summary>
public sealed class PydicomCorpusTests(ITestOutputHelper output)
{
    private static PydicomReference Reference => PydicomReference.Instance;

    public static TheoryData<string> Decodable => PydicomReference.CaseIds(c => c.PydicomError is null);

    public static TheoryData<string> Rejected => PydicomReference.CaseIds(c => c.PydicomError is not null);

    public static TheoryData<string> WithRescale => PydicomReference.CaseIds(c => c.ModalityFile is not null);

    public static TheoryData<string> WithWindow => PydicomReference.CaseIds(c => c.Windows.Count > 0);

    public static TheoryData<string> Ybr => PydicomReference.CaseIds(c => c.RgbFile is not null);

    public static TheoryData<string> RleEncodable => PydicomReference.CaseIds(c => c.PydicomError is null && c.BitsAllocated >= 8);

    [Fact]
    public void The_corpus_covers_native_big_endian_deflated_rle_color_and_bit_packed_files()
    {
        var names = Reference.Manifest.Cases.Select(c => c.FileName).ToHashSet();
        output.WriteLine($"pydicom {Reference.Manifest.Pydicom}, numpy {Reference.Manifest.Numpy}: {Reference.Manifest.Cases.Count} cases");
        foreach (var c in Reference.Manifest.Cases)
        {
            output.WriteLine($"covered: {c.Id} {c.TransferSyntaxName} {c.Photometric} {c.BitsAllocated}/{c.BitsStored} bits {c.NumberOfFrames} frame(s){(c.PydicomError is null ? "" : " (rejected by pydicom: " + c.PydicomError + ")")}");
        }

        foreach (var s in Reference.Manifest.Skipped)
        {
            output.WriteLine($"skipped: {s.Path}: {s.Reason}");
        }

        string[] expected =
        [
            "CT_small.dcm", "MR_small.dcm", "MR_small_RLE.dcm", "MR_small_bigendian.dcm", "MR_small_expb.dcm",
            "MR_small_implicit.dcm", "MR_small_padded.dcm", "MR_truncated.dcm", "SC_rgb_rle.dcm", "SC_rgb_rle_16bit.dcm",
            "SC_rgb_rle_16bit_2frame.dcm", "SC_rgb_rle_2frame.dcm", "SC_rgb_rle_32bit.dcm", "SC_rgb_rle_32bit_2frame.dcm",
            "SC_rgb_small_odd.dcm", "SC_ybr_full_422_uncompressed.dcm", "ExplVR_BigEnd.dcm", "image_dfl.dcm",
            "liver_1frame.dcm", "liver_expb_1frame.dcm", "rtdose.dcm", "rtdose_1frame.dcm", "rtdose_expb.dcm",
            "rtdose_expb_1frame.dcm", "rtdose_rle.dcm", "rtdose_rle_1frame.dcm", "highdicom_seg_image_ct_binary.dcm",
            "highdicom_dx_image_BAD_ODD_PIXELDATA.dcm",
        ];
        var missing = expected.Where(e => !names.Contains(e)).ToList();
        Assert.True(missing.Count == 0, "not covered: " + string.Join(", ", missing));
    }

    [Theory]
    [MemberData(nameof(Decodable), DisableDiscoveryEnumeration = true)]
    public void Every_frame_decodes_to_the_samples_of_pixel_array(string id)
    {
        var c = Reference[id];
        var description = c.Description;
        Assert.Empty(description.Validate());
        var value = c.Value(Reference);
        var expected = c.ReadArray(Reference);
        var perFrame = checked((int)description.SamplesPerFrame);
        Assert.Equal(perFrame * c.NumberOfFrames, expected.Length);
        for (var frame = 0; frame < c.NumberOfFrames; frame++)
        {
            var decoded = DicomPixelCodecs.Default.DecodeFrame(c.TransferSyntax, value, description, frame);
            var samples = decoded.ToInt64();
            AssertSamplesEqual(expected.AsSpan(frame * perFrame, perFrame), samples, $"{id} frame {frame}");
            if (decoded.Description.BitsAllocated > 1 && !(decoded.Description.BitsStored == 32 && !decoded.Description.IsSigned))
            {
                Assert.Equal(samples, decoded.ToInt32().Select(v => (long)v));
            }

            if (c.Encapsulated)
            {
                var frameBytes = value.Encapsulated!.GetFrame(frame, c.NumberOfFrames);
                Assert.Equal(Reference.ReadFile(c.FrameFiles![frame]), frameBytes.ToArray());
            }
        }
    }

    [Theory]
    [MemberData(nameof(Rejected), DisableDiscoveryEnumeration = true)]
    public void Pixel_data_that_pydicom_rejects_is_rejected_with_a_pixel_data_exception(string id)
    {
        var c = Reference[id];
        var value = c.Value(Reference);
        var e = Assert.Throws<DicomPixelDataException>(() => DicomPixelCodecs.Default.DecodeFrame(c.TransferSyntax, value, c.Description, 0));
        output.WriteLine($"pydicom: {c.PydicomError}\nRadAI: {e.Message}");
    }

    [Theory]
    [MemberData(nameof(WithRescale), DisableDiscoveryEnumeration = true)]
    public void Modality_values_equal_apply_modality_lut(string id)
    {
        var c = Reference[id];
        var expected = PydicomReference.ReadFileDoubles(c.ModalityFile!);
        var actual = AllFrames(c).SelectMany(f => PixelSamples.ToModalityValues(f.Data, f.Description, c.RescaleSlope!.Value, c.RescaleIntercept!.Value)).ToArray();
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(WithWindow), DisableDiscoveryEnumeration = true)]
    public void Windowed_values_equal_apply_voi_lut_for_every_window_and_function(string id)
    {
        var c = Reference[id];
        var modality = AllFrames(c).SelectMany(f => c.ModalityFile is null
            ? PixelSamples.ToInt64(f.Data, f.Description).Select(v => (double)v)
            : PixelSamples.ToModalityValues(f.Data, f.Description, c.RescaleSlope!.Value, c.RescaleIntercept!.Value)).ToArray();
        var (min, max) = VoiWindow.GetOutputRange(c.Description, c.RescaleSlope, c.RescaleIntercept);
        var compared = 0;
        foreach (var window in c.Windows)
        {
            foreach (var function in new[] { VoiLutFunction.Linear, VoiLutFunction.LinearExact, VoiLutFunction.Sigmoid })
            {
                var name = VoiWindow.Format(function);
                if (!window.Files.TryGetValue(name, out var file))
                {
                    Assert.Throws<DicomPixelDataException>(() => new VoiWindow(window.Center, window.Width, function));
                    output.WriteLine($"window {window.Index} {name}: pydicom: {window.Errors[name]}");
                    continue;
                }

                var expected = PydicomReference.ReadFileDoubles(file);
                var actual = new VoiWindow(window.Center, window.Width, function).Apply(modality, min, max);
                if (function == VoiLutFunction.Sigmoid)
                {
                    // numpy's exp and .NET's Math.Exp may differ in the last bit.
                    Assert.Equal(expected.Length, actual.Length);
                    for (var i = 0; i < expected.Length; i++)
                    {
                        Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-9 * Math.Max(1, Math.Abs(expected[i])), $"{name} sample {i}: {expected[i]} vs {actual[i]}");
                    }
                }
                else
                {
                    Assert.Equal(expected, actual);
                }

                compared++;
            }
        }

        Assert.True(compared > 0);
    }

    [Theory]
    [MemberData(nameof(Ybr), DisableDiscoveryEnumeration = true)]
    public void Ybr_to_rgb_equals_convert_color_space(string id)
    {
        var c = Reference[id];
        var expected = PydicomReference.ReadFileIntegers(c.RgbFile!, c.Dtype!);
        var actual = AllFrames(c).SelectMany(f => ColorConversion.ToRgb(f.ToInt32(), c.Photometric)).Select(v => (long)v).ToArray();
        AssertSamplesEqual(expected, actual, id);

        // The byte overload agrees with the int one.
        foreach (var f in AllFrames(c))
        {
            var ybr = f.ToInt32();
            var bytes = ybr.Select(v => (byte)v).ToArray();
            ColorConversion.YbrFullToRgb(bytes, bytes);
            Assert.Equal(ColorConversion.ToRgb(ybr, "YBR_FULL").Select(v => (byte)v), bytes);
        }
    }

    [Theory]
    [MemberData(nameof(RleEncodable), DisableDiscoveryEnumeration = true)]
    public void Rle_encoding_of_every_frame_decodes_back_to_the_same_bytes(string id)
    {
        var c = Reference[id];
        foreach (var frame in AllFrames(c))
        {
            var description = RleDescription(frame);
            var native = RleNative(frame, description);
            var encoded = RleCodec.Encode(native, description);
            Assert.Equal(native, RleCodec.Decode(encoded, description));
            if (c.TransferSyntax == RleCodec.TransferSyntaxUid)
            {
                // The decoded RLE frame re-encodes to the same samples (not necessarily the same bytes).
                Assert.Equal(frame.ToInt64(), PixelSamples.ToInt64(RleCodec.Decode(encoded, description), description));
            }
        }
    }

    [Fact]
    public void Pydicom_and_dcmdrle_decode_our_rle_encoding_of_every_corpus_image_to_pixel_array()
    {
        var requests = new List<RleCheck.Request>();
        var expectations = new Dictionary<string, long[]>();
        var cases = Reference.Manifest.Cases.Where(c => c.PydicomError is null && c.BitsAllocated >= 8).ToList();
        var directory = PydicomReference.CreateTemporaryDirectory("radai-rle-corpus");
        foreach (var c in cases)
        {
            var frames = AllFrames(c);
            var description = RleDescription(frames[0]);
            var encoded = frames.Select(f => RleCodec.Encode(RleNative(f, description), description)).ToList();
            requests.Add(RleCheck.Write(directory, c.Id, description, encoded));
            expectations[c.Id] = frames.SelectMany(f => f.ToInt64()).ToArray();
        }

        RleCheck.AssertDecodedAsExpected(directory, requests, expectations, output);
    }

    /// <summary>The decoded frames of a case, with the description they follow.</summary>
    private static List<DecodedFrame> AllFrames(ReferenceCase c)
    {
        var value = c.Value(Reference);
        return [.. Enumerable.Range(0, c.NumberOfFrames).Select(i => DicomPixelCodecs.Default.DecodeFrame(c.TransferSyntax, value, c.Description, i))];
    }

    /// <summary>RLE has no YBR_FULL_422: such frames are encoded from their expanded (YBR_FULL) samples.</summary>
    private static PixelDataDescription RleDescription(DecodedFrame frame) =>
        frame.Description.IsYbrFull422 ? frame.Description with { PhotometricInterpretation = "YBR_FULL" } : frame.Description;

    private static byte[] RleNative(DecodedFrame frame, PixelDataDescription description)
    {
        if (!frame.Description.IsYbrFull422)
        {
            return frame.Data;
        }

        return SampleBytes.FromSamples(frame.ToInt64(), description);
    }

    internal static void AssertSamplesEqual(ReadOnlySpan<long> expected, ReadOnlySpan<long> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} samples, {expected.Length} expected");
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                Assert.Fail($"{what}: sample {i} is {actual[i]}, pydicom has {expected[i]}");
            }
        }
    }
}
