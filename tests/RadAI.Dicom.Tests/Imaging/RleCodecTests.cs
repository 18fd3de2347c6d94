using System.Buffers.Binary;
using RadAI.Dicom.Imaging;
using Xunit;
using Xunit.Abstractions;

namespace RadAI.Dicom.Tests.Imaging;

public sealed class RleCodecTests(ITestOutputHelper output)
{
    public static TheoryData<int, int, bool, int, string> Layouts()
    {
        var data = new TheoryData<int, int, bool, int, string>();
        foreach (var bits in new[] { 8, 16, 32 })
        {
            foreach (var pattern in Synthetic.Patterns)
            {
                data.Add(bits, 1, false, 0, pattern);
                data.Add(bits, 1, true, 0, pattern);
                data.Add(bits, 3, false, 0, pattern);
                data.Add(bits, 3, false, 1, pattern);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Decode_of_encode_gives_the_frame_back(int bitsAllocated, int samplesPerPixel, bool signed, int planar, string pattern)
    {
        foreach (var (rows, columns) in Synthetic.Sizes)
        {
            var d = Describe(rows, columns, bitsAllocated, bitsAllocated, samplesPerPixel, signed, planar);
            var native = Synthetic.Frame(d, pattern, seed: (rows * 1000) + columns);
            var encoded = RleCodec.Encode(native, d);
            AssertWellFormed(encoded, d);
            Assert.Equal(native, RleCodec.Decode(encoded, d));
        }
    }

    [Fact]
    public void Sixty_four_bit_monochrome_round_trips_and_sixty_four_bit_color_needs_too_many_segments()
    {
        var d = Describe(5, 7, 64, 64, 1, signed: true, planar: 0);
        var native = Synthetic.Frame(d, "random", 64);
        Assert.Equal(native, RleCodec.Decode(RleCodec.Encode(native, d), d));

        var color = Describe(5, 7, 64, 64, 3, signed: false, planar: 0);
        var e = Assert.Throws<DicomPixelDataException>(() => RleCodec.Encode(new byte[color.FrameLengthInBytes], color));
        Assert.Contains("24", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Runs_are_packed_as_annex_g_says()
    {
        var d = Describe(1, 128, 8, 8, 1, signed: false, planar: 0);
        Assert.Equal(64 + 2, RleCodec.Encode(Enumerable.Repeat((byte)7, 128).ToArray(), d).Length); // one replicate run

        d = Describe(1, 129, 8, 8, 1, signed: false, planar: 0);
        Assert.Equal(64 + 4, RleCodec.Encode(Enumerable.Repeat((byte)7, 129).ToArray(), d).Length); // 128 + a literal of 1

        d = Describe(1, 128, 8, 8, 1, signed: false, planar: 0);
        var distinct = Enumerable.Range(0, 128).Select(i => (byte)i).ToArray();
        var encoded = RleCodec.Encode(distinct, d);
        Assert.Equal(64 + 130, encoded.Length); // header byte 127, 128 literal bytes, padding byte
        Assert.Equal(127, encoded[64]);
        Assert.Equal(0, encoded[^1]);

        // Rows are encoded on their own: two rows of 4 equal bytes are two replicate runs, not one of 8.
        d = Describe(2, 4, 8, 8, 1, signed: false, planar: 0);
        encoded = RleCodec.Encode(Enumerable.Repeat((byte)9, 8).ToArray(), d);
        Assert.Equal(new byte[] { 253, 9, 253, 9 }, encoded[64..]);
    }

    [Fact]
    public void A_hand_made_frame_decodes_with_literal_replicate_and_no_op_runs()
    {
        var d = Describe(1, 8, 8, 8, 1, signed: false, planar: 0);
        byte[] segment = [0xFD, 7, 0x02, 1, 2, 3, 0x80, 0x00, 9, 0x00]; // 4 × 7, literal 1 2 3, no-op, literal 9, padding
        var frame = Frame([segment]);
        Assert.Equal(new byte[] { 7, 7, 7, 7, 1, 2, 3, 9 }, RleCodec.Decode(frame, d));
    }

    [Fact]
    public void Segments_are_most_significant_byte_first_and_per_sample()
    {
        // 16-bit RGB, one pixel: R = 0x0102, G = 0x0304, B = 0x0506.
        var d = Describe(1, 1, 16, 16, 3, signed: false, planar: 0);
        byte[][] segments = [[0, 1], [0, 2], [0, 3], [0, 4], [0, 5], [0, 6]];
        Assert.Equal(new byte[] { 2, 1, 4, 3, 6, 5 }, RleCodec.Decode(Frame(segments), d));
        Assert.Equal(new byte[] { 2, 1, 4, 3, 6, 5 }, RleCodec.Decode(Frame(segments), d with { PlanarConfiguration = 1 }));

        d = Describe(1, 2, 8, 8, 3, signed: false, planar: 1);
        segments = [[1, 10, 11], [1, 20, 21], [1, 30, 31]];
        Assert.Equal(new byte[] { 10, 11, 20, 21, 30, 31 }, RleCodec.Decode(Frame(segments), d));
        Assert.Equal(new byte[] { 10, 20, 30, 11, 21, 31 }, RleCodec.Decode(Frame(segments), d with { PlanarConfiguration = 0 }));
    }

    [Fact]
    public void Extra_decoded_bytes_and_trailing_padding_are_ignored()
    {
        var d = Describe(1, 2, 8, 8, 1, signed: false, planar: 0);
        Assert.Equal(new byte[] { 5, 5 }, RleCodec.Decode(Frame([[0xF0, 5]]), d)); // a run of 17 for 2 pixels
        Assert.Equal(new byte[] { 1, 2 }, RleCodec.Decode(Frame([[0x01, 1, 2, 0x00]]), d)); // odd padding byte
    }

    public static TheoryData<string, byte[]> Malformed()
    {
        var valid = Frame([[0x03, 1, 2, 3, 4]]); // 8-bit, 1 × 4
        var data = new TheoryData<string, byte[]>
        {
            { "empty", [] },
            { "shorter than the header", new byte[63] },
            { "zero segments", WithHeader(valid, 0, 64) },
            { "sixteen segments", WithHeader(valid, 16, 64) },
            { "segment count 0xFFFFFFFF", WithHeader(valid, uint.MaxValue, 64) },
            { "two segments for 8-bit monochrome", WithHeader(valid, 2, 64, 66) },
            { "offset inside the header", WithHeader(valid, 1, 60) },
            { "offset zero", WithHeader(valid, 1, 0) },
            { "offset beyond the end", WithHeader(valid, 1, (uint)valid.Length + 1) },
            { "offset far beyond the end", WithHeader(valid, 1, uint.MaxValue) },
            { "segment truncated", valid[..^2] },
            { "header only", valid[..64] },
            { "literal run longer than the segment", Frame([[0x7F, 1, 2]]) },
            { "replicate run without its value", Frame([[0x01, 1, 2, 0xFF]]) },
            { "no-op runs only", Frame([[0x80, 0x80, 0x80, 0x80]]) },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_frames_throw_a_pixel_data_exception(string what, byte[] frame)
    {
        var d = Describe(1, 4, 8, 8, 1, signed: false, planar: 0);
        var e = Assert.Throws<DicomPixelDataException>(() => RleCodec.Decode(frame, d));
        output.WriteLine($"{what}: {e.Message}");
    }

    [Fact]
    public void Decreasing_segment_offsets_are_refused()
    {
        var d = Describe(1, 2, 16, 16, 1, signed: false, planar: 0);
        var frame = Frame([[0x01, 1, 2], [0x01, 3, 4]]);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), 68);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(8), 64);
        Assert.Throws<DicomPixelDataException>(() => RleCodec.Decode(frame, d));
    }

    [Fact]
    public void Random_corruption_gives_a_pixel_data_exception_or_a_frame_never_another_exception()
    {
        var random = new Random(1234);
        var descriptions = new[]
        {
            Describe(7, 13, 8, 8, 1, signed: false, planar: 0),
            Describe(5, 9, 16, 12, 1, signed: true, planar: 0),
            Describe(4, 6, 8, 8, 3, signed: false, planar: 1),
            Describe(3, 3, 32, 32, 3, signed: false, planar: 0),
        };
        var decoded = 0;
        var refused = 0;
        for (var iteration = 0; iteration < 4000; iteration++)
        {
            var d = descriptions[iteration % descriptions.Length];
            var frame = RleCodec.Encode(Synthetic.Frame(d, Synthetic.Patterns[iteration % Synthetic.Patterns.Length], iteration), d);
            switch (random.Next(4))
            {
                case 0:
                    frame = frame[..random.Next(frame.Length)];
                    break;
                case 1:
                    for (var flips = random.Next(1, 6); flips > 0; flips--)
                    {
                        frame[random.Next(frame.Length)] ^= (byte)(1 << random.Next(8));
                    }

                    break;
                case 2:
                    BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4 * random.Next(16)), (uint)random.Next(-1, frame.Length + 100));
                    break;
                default:
                    random.NextBytes(frame.AsSpan(random.Next(frame.Length)));
                    break;
            }

            try
            {
                _ = RleCodec.Decode(frame, d);
                decoded++;
            }
            catch (DicomPixelDataException)
            {
                refused++;
            }
        }

        output.WriteLine($"{decoded} corrupted frames decoded, {refused} refused");
        Assert.True(refused > 0);
    }

    [Fact]
    public void Encode_refuses_what_rle_cannot_hold()
    {
        Assert.Throws<DicomPixelDataException>(() => RleCodec.Encode(new byte[2], Describe(4, 4, 1, 1, 1, signed: false, planar: 0)));
        var ybr422 = Describe(2, 2, 8, 8, 3, signed: false, planar: 0) with { PhotometricInterpretation = "YBR_FULL_422" };
        Assert.Throws<DicomPixelDataException>(() => RleCodec.Encode(new byte[ybr422.FrameLengthInBytes], ybr422));
        Assert.Throws<DicomPixelDataException>(() => RleCodec.Encode(new byte[3], Describe(2, 2, 8, 8, 1, signed: false, planar: 0)));
    }

    [Fact]
    public void Ybr_full_422_rle_frames_decode_to_full_resolution_ybr_full()
    {
        var d = Describe(2, 2, 8, 8, 3, signed: false, planar: 0) with { PhotometricInterpretation = "YBR_FULL_422" };
        var full = RleCodec.DescribeOutput(d);
        Assert.Equal("YBR_FULL", full.PhotometricInterpretation);
        var native = Synthetic.Frame(full, "random", 3);
        Assert.Equal(native, RleCodec.Decode(RleCodec.Encode(native, full), d));
    }

    [Fact]
    public void Pydicom_and_dcmdrle_decode_our_synthetic_rle_frames_to_the_encoded_samples()
    {
        var directory = PydicomReference.CreateTemporaryDirectory("radai-rle-synthetic");
        var requests = new List<RleCheck.Request>();
        var expected = new Dictionary<string, long[]>();
        var index = 0;
        foreach (var bits in new[] { 8, 16, 32 })
        {
            foreach (var (samples, signed, planar, bitsStored) in new[] { (1, false, 0, bits), (1, true, 0, bits), (1, true, 0, bits - 4), (3, false, 0, bits), (3, false, 1, bits) })
            {
                foreach (var (rows, columns) in new[] { (1, 1), (7, 13), (3, 257), (16, 300) })
                {
                    var pattern = Synthetic.Patterns[index % Synthetic.Patterns.Length];
                    var d = Describe(rows, columns, bits, bitsStored, samples, signed, planar) with { NumberOfFrames = 2 };
                    var frames = new[] { Synthetic.Samples(d, pattern, index), Synthetic.Samples(d, "random", index + 1) };
                    var id = $"synthetic{index++}_{rows}x{columns}x{samples}_{bits}_{bitsStored}{(signed ? "s" : "u")}_pc{planar}_{pattern}";
                    requests.Add(RleCheck.Write(directory, id, d, [.. frames.Select(f => RleCodec.Encode(SampleBytes.FromSamples(f, d), d))]));
                    expected[id] = [.. frames.SelectMany(f => f)];
                }
            }
        }

        RleCheck.AssertDecodedAsExpected(directory, requests, expected, output);
    }

    private static PixelDataDescription Describe(int rows, int columns, int bitsAllocated, int bitsStored, int samplesPerPixel, bool signed, int planar) =>
        new(rows, columns, samplesPerPixel, bitsAllocated, bitsStored, bitsStored - 1, signed ? 1 : 0,
            samplesPerPixel == 3 ? "RGB" : "MONOCHROME2", planar);

    /// <summary>An RLE frame made of the given (already encoded) segments.</summary>
    private static byte[] Frame(byte[][] segments)
    {
        var frame = new byte[64 + segments.Sum(s => s.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)segments.Length);
        var position = 64;
        for (var i = 0; i < segments.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4 + (4 * i)), (uint)position);
            segments[i].CopyTo(frame, position);
            position += segments[i].Length;
        }

        return frame;
    }

    private static byte[] WithHeader(byte[] frame, uint count, params uint[] offsets)
    {
        var copy = frame.ToArray();
        copy.AsSpan(0, 64).Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(copy, count);
        for (var i = 0; i < offsets.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(4 + (4 * i)), offsets[i]);
        }

        return copy;
    }

    private static void AssertWellFormed(byte[] encoded, PixelDataDescription d)
    {
        var count = (int)BinaryPrimitives.ReadUInt32LittleEndian(encoded);
        Assert.Equal(d.SamplesPerPixel * d.BytesPerSample, count);
        var offsets = Enumerable.Range(0, 15).Select(i => BinaryPrimitives.ReadUInt32LittleEndian(encoded.AsSpan(4 + (4 * i)))).ToArray();
        Assert.Equal(64u, offsets[0]);
        Assert.All(offsets[count..], o => Assert.Equal(0u, o));
        for (var i = 0; i < count; i++)
        {
            var end = i + 1 < count ? offsets[i + 1] : (uint)encoded.Length;
            Assert.True(end > offsets[i] && (end - offsets[i]) % 2 == 0, $"segment {i + 1}: {offsets[i]} to {end}");
        }
    }
}
