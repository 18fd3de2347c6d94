using System.Buffers;
using System.Buffers.Binary;

namespace RadAI.Dicom.Imaging;

/// <summary>
/// RLE Lossless (1.2.840.10008.1.2.5), PS3.5 Annex G: a frame is a 64-byte header (number of segments,
/// then 15 segment offsets, little endian) followed by one PackBits segment per byte of each sample,
/// most significant byte first, sample after sample (R MSB, R LSB, G MSB…).
/// </summary>
/// <remarks>
/// The native side is little endian, laid out as the description's Planar Configuration says
/// (color-by-pixel for 0, color-by-plane for 1), so that <c>Decode(Encode(x)) == x</c> and a decoded frame
/// is valid native Pixel Data for the same attributes. pydicom's <c>pixel_array</c> ignores the attribute
/// for RLE and returns (rows, columns, samples); <see cref="PixelSamples"/> gives that order from either
/// layout. YBR_FULL_422 does not apply to RLE (every segment is full resolution): frames described so
/// decode to full-resolution YBR_FULL data (see <see cref="DescribeOutput"/>).
/// </remarks>
public static class RleCodec
{
    /// <summary>RLE Lossless transfer syntax UID.</summary>
    public const string TransferSyntaxUid = "1.2.840.10008.1.2.5";

    private const int HeaderLength = 64;
    private const int MaxSegments = 15;

    /// <summary>The description of what <see cref="Decode(ReadOnlySpan{byte}, PixelDataDescription)"/> returns: YBR_FULL_422 becomes YBR_FULL.</summary>
    public static PixelDataDescription DescribeOutput(PixelDataDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        return description.IsYbrFull422 ? description with { PhotometricInterpretation = "YBR_FULL" } : description;
    }

    /// <summary>Decodes one RLE frame to native little endian bytes (layout: see the class remarks).</summary>
    /// <exception cref="DicomPixelDataException">Malformed frame (header, segment count or offsets, short segments) or unsupported description.</exception>
    public static byte[] Decode(ReadOnlySpan<byte> frame, PixelDataDescription description)
    {
        var d = CheckDescription(description);
        var output = new byte[d.FrameLengthInBytes];
        DecodeCore(frame, d, output);
        return output;
    }

    /// <summary>Decodes one RLE frame into <paramref name="destination"/> (at least the decoded frame length).</summary>
    public static void Decode(ReadOnlySpan<byte> frame, PixelDataDescription description, Span<byte> destination)
    {
        var d = CheckDescription(description);
        if (destination.Length < d.FrameLengthInBytes)
        {
            throw new DicomPixelDataException($"The destination ({destination.Length} bytes) is shorter than a decoded frame ({d.FrameLengthInBytes} bytes).");
        }

        DecodeCore(frame, d, destination[..d.FrameLengthInBytes]);
    }

    /// <summary>
    /// Encodes one native little endian frame (layout per the description's Planar Configuration) as an
    /// RLE frame: each row of each byte segment encoded on its own (PS3.5 G.3.1), segments padded to
    /// even length with a zero byte, header of 15 offsets.
    /// </summary>
    /// <exception cref="DicomPixelDataException">Unsupported description (Bits Allocated 1, YBR_FULL_422, more than 15 segments) or short frame.</exception>
    public static byte[] Encode(ReadOnlySpan<byte> nativeFrame, PixelDataDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        description.Validate();
        if (description.BitsAllocated == 1)
        {
            throw new DicomPixelDataException("RLE Lossless cannot encode Bits Allocated 1: segments are made of whole bytes.");
        }

        if (description.IsYbrFull422)
        {
            throw new DicomPixelDataException("RLE Lossless cannot encode YBR_FULL_422 (subsampled) data: expand it to YBR_FULL first.");
        }

        var bytesPerSample = description.BytesPerSample;
        var samples = description.SamplesPerPixel;
        var segments = bytesPerSample * samples;
        if (segments > MaxSegments)
        {
            throw new DicomPixelDataException($"RLE Lossless allows {MaxSegments} segments; {samples} sample(s) of {description.BitsAllocated} bits need {segments}.");
        }

        var frameLength = description.FrameLengthInBytes;
        if (nativeFrame.Length < frameLength)
        {
            throw new DicomPixelDataException($"The native frame is {nativeFrame.Length} bytes long, {frameLength} expected for {description.Summary()}.");
        }

        var rows = description.Rows;
        var columns = description.Columns;

        // Worst case: literal runs cost one header byte per 128 bytes, plus one for a literal run that
        // follows a replicate run (which saves at least one byte), plus the padding byte.
        var worstSegment = ((long)rows * (columns + (columns / 128) + 2)) + 1;
        var worst = HeaderLength + (worstSegment * segments);
        if (worst > Array.MaxLength)
        {
            throw new DicomPixelDataException($"A frame of {frameLength} bytes is too large to RLE-encode in one array.");
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)worst);
        var row = ArrayPool<byte>.Shared.Rent(columns);
        try
        {
            var output = buffer.AsSpan(0, (int)worst);
            output[..HeaderLength].Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(output, (uint)segments);
            var position = HeaderLength;
            var segment = 0;
            for (var sample = 0; sample < samples; sample++)
            {
                for (var significance = bytesPerSample - 1; significance >= 0; significance--)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(output[(4 + (4 * segment))..], (uint)position);
                    GetLayout(description, sample, significance, out var start, out var stride);
                    var segmentStart = position;
                    for (var r = 0; r < rows; r++)
                    {
                        var rowBytes = row.AsSpan(0, columns);
                        Gather(nativeFrame, start + ((long)r * columns * stride), stride, rowBytes);
                        position += EncodeRow(rowBytes, output[position..]);
                    }

                    if ((position - segmentStart) % 2 != 0)
                    {
                        output[position++] = 0;
                    }

                    segment++;
                }
            }

            return output[..position].ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(row);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static PixelDataDescription CheckDescription(PixelDataDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        var d = DescribeOutput(description);
        d.Validate();
        if (d.BitsAllocated == 1)
        {
            throw new DicomPixelDataException("RLE Lossless data with Bits Allocated 1 is not supported: segments are made of whole bytes.");
        }

        return d;
    }

    private static void DecodeCore(ReadOnlySpan<byte> frame, PixelDataDescription d, Span<byte> output)
    {
        if (frame.Length < HeaderLength)
        {
            throw new DicomPixelDataException($"The RLE frame is {frame.Length} bytes long, shorter than its 64-byte header.");
        }

        var count = BinaryPrimitives.ReadUInt32LittleEndian(frame);
        var expected = d.BytesPerSample * d.SamplesPerPixel;
        if (count is 0 or > MaxSegments)
        {
            throw new DicomPixelDataException($"The RLE header gives {count} segments; 1 to {MaxSegments} are allowed ({expected} expected).");
        }

        if (count != expected)
        {
            throw new DicomPixelDataException(
                $"The RLE header gives {count} segments; {d.SamplesPerPixel} sample(s) of {d.BitsAllocated} bits need {expected}.");
        }

        Span<int> offsets = stackalloc int[MaxSegments + 1];
        for (var i = 0; i < count; i++)
        {
            var offset = BinaryPrimitives.ReadUInt32LittleEndian(frame[(4 + (4 * i))..]);
            if (offset < HeaderLength || offset > (uint)frame.Length)
            {
                throw new DicomPixelDataException($"RLE segment {i + 1} starts at offset {offset}, outside the frame data (64 to {frame.Length}).");
            }

            offsets[i] = (int)offset;
            if (i > 0 && offsets[i] < offsets[i - 1])
            {
                throw new DicomPixelDataException($"RLE segment {i + 1} starts at offset {offset}, before segment {i} (offset {offsets[i - 1]}).");
            }
        }

        offsets[(int)count] = frame.Length;
        var pixels = (int)d.PixelsPerFrame;
        var bytesPerSample = d.BytesPerSample;
        var segment = 0;
        for (var sample = 0; sample < d.SamplesPerPixel; sample++)
        {
            for (var significance = bytesPerSample - 1; significance >= 0; significance--)
            {
                GetLayout(d, sample, significance, out var start, out var stride);
                var data = frame[offsets[segment]..offsets[segment + 1]];
                var decoded = DecodeSegment(data, output, (int)start, stride, pixels);
                if (decoded < pixels)
                {
                    throw new DicomPixelDataException(
                        $"RLE segment {segment + 1} of {count} ({data.Length} bytes at offset {offsets[segment]}) decodes to {decoded} bytes, {pixels} expected ({d.Rows}×{d.Columns}).");
                }

                segment++;
            }
        }
    }

    /// <summary>Where the bytes of one segment go in the native frame: byte <paramref name="significance"/> (0 least significant) of sample <paramref name="sample"/>.</summary>
    private static void GetLayout(PixelDataDescription d, int sample, int significance, out long start, out int stride)
    {
        var bytesPerSample = d.BytesPerSample;
        if (d.IsPlanar)
        {
            start = (sample * d.PixelsPerFrame * bytesPerSample) + significance;
            stride = bytesPerSample;
        }
        else
        {
            start = ((long)sample * bytesPerSample) + significance;
            stride = bytesPerSample * d.SamplesPerPixel;
        }
    }

    /// <summary>PackBits-decodes a segment into every <paramref name="stride"/>-th byte of <paramref name="output"/>; returns the bytes written (at most <paramref name="count"/>).</summary>
    private static int DecodeSegment(ReadOnlySpan<byte> data, Span<byte> output, int start, int stride, int count)
    {
        var n = 0;
        var position = 0;
        while (n < count && position < data.Length)
        {
            int header = data[position++];
            if (header < 128)
            {
                // Literal run of header + 1 bytes; a run cut short by the end of the segment keeps what is there.
                var run = Math.Min(Math.Min(header + 1, data.Length - position), count - n);
                var literal = data.Slice(position, run);
                if (stride == 1)
                {
                    literal.CopyTo(output[(start + n)..]);
                }
                else
                {
                    var target = start + (n * stride);
                    for (var i = 0; i < literal.Length; i++, target += stride)
                    {
                        output[target] = literal[i];
                    }
                }

                position += header + 1;
                n += run;
            }
            else if (header > 128)
            {
                // Replicate run: the next byte 257 - header times.
                if (position >= data.Length)
                {
                    break;
                }

                var value = data[position++];
                var run = Math.Min(257 - header, count - n);
                if (stride == 1)
                {
                    output.Slice(start + n, run).Fill(value);
                }
                else
                {
                    var target = start + (n * stride);
                    for (var i = 0; i < run; i++, target += stride)
                    {
                        output[target] = value;
                    }
                }

                n += run;
            }

            // header 128 (-128): no operation.
        }

        return n;
    }

    private static void Gather(ReadOnlySpan<byte> source, long start, int stride, Span<byte> destination)
    {
        if (stride == 1)
        {
            source.Slice((int)start, destination.Length).CopyTo(destination);
            return;
        }

        var index = (int)start;
        for (var i = 0; i < destination.Length; i++, index += stride)
        {
            destination[i] = source[index];
        }
    }

    /// <summary>PackBits-encodes one row; returns the bytes written. Runs of 3 or more (and 2 not inside a literal run) are replicate runs.</summary>
    private static int EncodeRow(ReadOnlySpan<byte> row, Span<byte> output)
    {
        var written = 0;
        var literalStart = -1;
        var i = 0;
        while (i < row.Length)
        {
            var value = row[i];
            var run = 1;
            while (i + run < row.Length && run < 128 && row[i + run] == value)
            {
                run++;
            }

            if (run >= 3 || (run == 2 && literalStart < 0))
            {
                if (literalStart >= 0)
                {
                    written += WriteLiteral(row[literalStart..i], output[written..]);
                    literalStart = -1;
                }

                output[written++] = (byte)(257 - run);
                output[written++] = value;
            }
            else if (literalStart < 0)
            {
                literalStart = i;
            }

            i += run;
            while (literalStart >= 0 && i - literalStart >= 128)
            {
                written += WriteLiteral(row.Slice(literalStart, 128), output[written..]);
                literalStart += 128;
                if (literalStart == i)
                {
                    literalStart = -1;
                }
            }
        }

        if (literalStart >= 0)
        {
            written += WriteLiteral(row[literalStart..], output[written..]);
        }

        return written;
    }

    private static int WriteLiteral(ReadOnlySpan<byte> literal, Span<byte> output)
    {
        output[0] = (byte)(literal.Length - 1);
        literal.CopyTo(output[1..]);
        return literal.Length + 1;
    }
}
