using System.Buffers.Binary;
using System.Numerics;

namespace RadAI.Dicom.Imaging;

/// <summary>
/// Stored values of a native little endian frame as integers, in pydicom's <c>pixel_array</c> order:
/// row after row, pixel after pixel, and for color the samples of each pixel together (R G B R G B…)
/// whatever the Planar Configuration; YBR_FULL_422 is expanded to full resolution (Y1 Cb Cr Y2 Cb Cr),
/// as pydicom does. Bits Allocated 1 gives 0 and 1.
/// </summary>
/// <remarks>
/// By default each value is reduced to its Bits Stored: bits above are masked off (unsigned) or replaced
/// by the sign bit (signed, two's complement of Bits Stored bits), as PS3.5 §8.1.1 says. pydicom 2.x
/// returns the allocated word as it is (int16 for signed 16-bit words): pass <c>maskToBitsStored: false</c>
/// for that; the two agree whenever the unused bits are clear (or copies of the sign bit), which is the
/// case for every file of pydicom's corpus.
/// </remarks>
public static class PixelSamples
{
    /// <summary>Stored values of one frame as <see cref="int"/> (Rows × Columns × Samples per Pixel of them).</summary>
    /// <exception cref="DicomPixelDataException">
    /// Invalid description, frame too short, or values that may not fit an <see cref="int"/> (unsigned 32 bits
    /// stored, 64 bits): use <see cref="ToInt64(ReadOnlySpan{byte}, PixelDataDescription, bool)"/>.
    /// </exception>
    public static int[] ToInt32(ReadOnlySpan<byte> frame, PixelDataDescription description, bool maskToBitsStored = true)
    {
        var count = Prepare(description, frame.Length);
        var samples = GC.AllocateUninitializedArray<int>(count);
        ToInt32(frame, description, samples, maskToBitsStored);
        return samples;
    }

    /// <summary>Writes the stored values of one frame to <paramref name="destination"/>; see <see cref="ToInt32(ReadOnlySpan{byte}, PixelDataDescription, bool)"/>.</summary>
    public static void ToInt32(ReadOnlySpan<byte> frame, PixelDataDescription description, Span<int> destination, bool maskToBitsStored = true)
    {
        var count = Prepare(description, frame.Length);
        var bits = maskToBitsStored ? description.BitsStored : description.BitsAllocated;
        if (description.BitsAllocated > 1 && (description.IsSigned ? bits > 32 : bits > 31))
        {
            throw new DicomPixelDataException(
                $"{(description.IsSigned ? "Signed" : "Unsigned")} values of {bits} bits may not fit a 32-bit integer ({description.Summary()}): read them as 64-bit integers.");
        }

        Convert(frame, description, CheckDestination(destination, count), maskToBitsStored);
    }

    /// <summary>Stored values of one frame as <see cref="long"/>: every description but unsigned 64-bit values.</summary>
    public static long[] ToInt64(ReadOnlySpan<byte> frame, PixelDataDescription description, bool maskToBitsStored = true)
    {
        var count = Prepare(description, frame.Length);
        var samples = GC.AllocateUninitializedArray<long>(count);
        ToInt64(frame, description, samples, maskToBitsStored);
        return samples;
    }

    /// <summary>Writes the stored values of one frame to <paramref name="destination"/>; see <see cref="ToInt64(ReadOnlySpan{byte}, PixelDataDescription, bool)"/>.</summary>
    public static void ToInt64(ReadOnlySpan<byte> frame, PixelDataDescription description, Span<long> destination, bool maskToBitsStored = true)
    {
        var count = Prepare(description, frame.Length);
        var bits = maskToBitsStored ? description.BitsStored : description.BitsAllocated;
        if (!description.IsSigned && bits == 64)
        {
            throw new DicomPixelDataException($"Unsigned values of 64 bits may not fit a 64-bit signed integer ({description.Summary()}).");
        }

        Convert(frame, description, CheckDestination(destination, count), maskToBitsStored);
    }

    /// <summary>
    /// The modality LUT of PS3.3 C.11.1 as Rescale Slope and Intercept: <c>value × slope + intercept</c> in
    /// double precision for each stored value of the frame (pydicom's <c>apply_modality_lut</c>).
    /// </summary>
    public static double[] ToModalityValues(ReadOnlySpan<byte> frame, PixelDataDescription description, double rescaleSlope, double rescaleIntercept)
    {
        var samples = ToInt64(frame, description);
        var output = GC.AllocateUninitializedArray<double>(samples.Length);
        ApplyRescale(samples, rescaleSlope, rescaleIntercept, output);
        return output;
    }

    /// <summary>Rescale Slope and Intercept applied to stored values: <c>value × slope + intercept</c>.</summary>
    public static double[] ApplyRescale(ReadOnlySpan<int> samples, double rescaleSlope, double rescaleIntercept)
    {
        var output = GC.AllocateUninitializedArray<double>(samples.Length);
        ApplyRescale(samples, rescaleSlope, rescaleIntercept, output);
        return output;
    }

    /// <summary>Rescale Slope and Intercept applied to stored values, into <paramref name="destination"/>.</summary>
    public static void ApplyRescale(ReadOnlySpan<int> samples, double rescaleSlope, double rescaleIntercept, Span<double> destination)
    {
        destination = CheckDestination(destination, samples.Length);
        for (var i = 0; i < samples.Length; i++)
        {
            // Two roundings (multiply, then add), as numpy does: no fused multiply-add.
            var scaled = samples[i] * rescaleSlope;
            destination[i] = scaled + rescaleIntercept;
        }
    }

    /// <summary>Rescale Slope and Intercept applied to stored values, into <paramref name="destination"/>.</summary>
    public static void ApplyRescale(ReadOnlySpan<long> samples, double rescaleSlope, double rescaleIntercept, Span<double> destination)
    {
        destination = CheckDestination(destination, samples.Length);
        for (var i = 0; i < samples.Length; i++)
        {
            var scaled = samples[i] * rescaleSlope;
            destination[i] = scaled + rescaleIntercept;
        }
    }

    private static int Prepare(PixelDataDescription description, int frameLength)
    {
        ArgumentNullException.ThrowIfNull(description);
        description.Validate();
        if (frameLength < description.FrameLengthInBytes)
        {
            throw new DicomPixelDataException($"The frame is {frameLength} bytes long, {description.FrameLengthInBytes} expected for {description.Summary()}.");
        }

        var count = description.SamplesPerFrame;
        return count <= Array.MaxLength
            ? (int)count
            : throw new DicomPixelDataException($"A frame of {count} samples does not fit in one array.");
    }

    private static Span<T> CheckDestination<T>(Span<T> destination, int count) =>
        destination.Length >= count
            ? destination[..count]
            : throw new DicomPixelDataException($"The destination holds {destination.Length} values, {count} are needed.");

    private static void Convert<T>(ReadOnlySpan<byte> frame, PixelDataDescription d, Span<T> destination, bool mask)
        where T : struct, IBinaryInteger<T>
    {
        if (d.BitsAllocated == 1)
        {
            for (var i = 0; i < destination.Length; i++)
            {
                destination[i] = T.CreateTruncating((frame[i >> 3] >> (i & 7)) & 1);
            }

            return;
        }

        var map = new ValueMap(d.IsSigned, mask ? d.BitsStored : d.BitsAllocated);
        switch (d.BytesPerSample)
        {
            case 1:
                Convert<T, Bytes1>(frame, d, destination, map);
                break;
            case 2:
                Convert<T, Bytes2>(frame, d, destination, map);
                break;
            case 4:
                Convert<T, Bytes4>(frame, d, destination, map);
                break;
            default:
                Convert<T, Bytes8>(frame, d, destination, map);
                break;
        }
    }

    private static void Convert<T, TRead>(ReadOnlySpan<byte> frame, PixelDataDescription d, Span<T> destination, ValueMap map)
        where T : struct, IBinaryInteger<T>
        where TRead : struct, ISampleReader
    {
        if (d.IsYbrFull422)
        {
            // Y1 Y2 Cb Cr -> Y1 Cb Cr Y2 Cb Cr (PS3.3 C.7.6.3.1.2).
            var groups = destination.Length / 6;
            for (var g = 0; g < groups; g++)
            {
                var source = 4 * g;
                var target = destination.Slice(6 * g, 6);
                var cb = map.Map<T>(TRead.Read(frame, source + 2));
                var cr = map.Map<T>(TRead.Read(frame, source + 3));
                target[0] = map.Map<T>(TRead.Read(frame, source));
                target[1] = cb;
                target[2] = cr;
                target[3] = map.Map<T>(TRead.Read(frame, source + 1));
                target[4] = cb;
                target[5] = cr;
            }

            return;
        }

        if (d.IsPlanar)
        {
            var pixels = (int)d.PixelsPerFrame;
            var samples = d.SamplesPerPixel;
            for (var s = 0; s < samples; s++)
            {
                var plane = s * pixels;
                for (int p = 0, target = s; p < pixels; p++, target += samples)
                {
                    destination[target] = map.Map<T>(TRead.Read(frame, plane + p));
                }
            }

            return;
        }

        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = map.Map<T>(TRead.Read(frame, i));
        }
    }

    /// <summary>Reads sample <c>index</c> (counted in samples) of a little endian frame.</summary>
    private interface ISampleReader
    {
        static abstract ulong Read(ReadOnlySpan<byte> frame, int index);
    }

    private readonly struct Bytes1 : ISampleReader
    {
        public static ulong Read(ReadOnlySpan<byte> frame, int index) => frame[index];
    }

    private readonly struct Bytes2 : ISampleReader
    {
        public static ulong Read(ReadOnlySpan<byte> frame, int index) => BinaryPrimitives.ReadUInt16LittleEndian(frame[(2 * index)..]);
    }

    private readonly struct Bytes4 : ISampleReader
    {
        public static ulong Read(ReadOnlySpan<byte> frame, int index) => BinaryPrimitives.ReadUInt32LittleEndian(frame[(4 * index)..]);
    }

    private readonly struct Bytes8 : ISampleReader
    {
        public static ulong Read(ReadOnlySpan<byte> frame, int index) => BinaryPrimitives.ReadUInt64LittleEndian(frame[(8 * index)..]);
    }

    /// <summary>Keeps the low <c>bits</c> bits of a word, sign-extended from the highest of them for signed data.</summary>
    private readonly struct ValueMap
    {
        private readonly bool _signed;
        private readonly int _shift;
        private readonly ulong _mask;

        public ValueMap(bool signed, int bits)
        {
            _signed = signed;
            _shift = 64 - bits;
            _mask = bits >= 64 ? ulong.MaxValue : (1UL << bits) - 1;
        }

        public T Map<T>(ulong raw)
            where T : struct, IBinaryInteger<T> =>
            _signed ? T.CreateTruncating((long)(raw << _shift) >> _shift) : T.CreateTruncating(raw & _mask);
    }
}
