using System.Buffers.Binary;

namespace RadAI.Dicom.Imaging;

/// <summary>
/// Frames of native (uncompressed) Pixel Data (PS3.5 §8.1, §8.2): the whole value holds the frames one
/// after the other; for Bits Allocated 1 the frames are packed bit after bit with no padding between
/// them, so a frame may start in the middle of a byte. Every frame returned here is little endian,
/// with its first bit at bit 0 of its first byte.
/// </summary>
public static class NativePixelData
{
    /// <summary>A copy of frame <paramref name="frameIndex"/> (0-based) of the whole Pixel Data value, little endian.</summary>
    /// <param name="pixelData">The Pixel Data value as encoded in the stream (padding included or not).</param>
    /// <param name="description">The pixel description.</param>
    /// <param name="frameIndex">0-based frame number.</param>
    /// <param name="bigEndian">True for Explicit VR Big Endian: samples of 16, 32 and 64 bits are byte-swapped.</param>
    /// <param name="valueRepresentation">
    /// The VR of the value in a big endian stream: with OW, 8-bit and 1-bit data were written as swapped
    /// 16-bit words (PS3.5 §8.1.1, Annex D) and are swapped back; OB (and None) leaves them as they are,
    /// as pydicom does. Ignored in little endian.
    /// </param>
    /// <exception cref="DicomPixelDataException">Invalid description, frame out of range, or value too short.</exception>
    public static byte[] GetFrame(ReadOnlySpan<byte> pixelData, PixelDataDescription description, int frameIndex,
        bool bigEndian = false, DicomVR valueRepresentation = DicomVR.None)
    {
        ArgumentNullException.ThrowIfNull(description);
        description.Validate();
        var frame = GC.AllocateUninitializedArray<byte>(description.FrameLengthInBytes);
        CopyFrameCore(pixelData, description, frameIndex, frame, bigEndian, valueRepresentation);
        return frame;
    }

    /// <summary>Copies frame <paramref name="frameIndex"/> into <paramref name="destination"/> (at least <see cref="PixelDataDescription.FrameLengthInBytes"/> long); see <see cref="GetFrame"/>.</summary>
    public static void CopyFrame(ReadOnlySpan<byte> pixelData, PixelDataDescription description, int frameIndex,
        Span<byte> destination, bool bigEndian = false, DicomVR valueRepresentation = DicomVR.None)
    {
        ArgumentNullException.ThrowIfNull(description);
        description.Validate();
        if (destination.Length < description.FrameLengthInBytes)
        {
            throw new DicomPixelDataException($"The destination ({destination.Length} bytes) is shorter than a frame ({description.FrameLengthInBytes} bytes).");
        }

        CopyFrameCore(pixelData, description, frameIndex, destination[..description.FrameLengthInBytes], bigEndian, valueRepresentation);
    }

    /// <summary>
    /// Frame <paramref name="frameIndex"/> of little endian Pixel Data without copying when it can be
    /// (Bits Allocated 8 and above); Bits Allocated 1 frames that do not start on a byte are copied.
    /// </summary>
    public static ReadOnlyMemory<byte> GetFrameMemory(ReadOnlyMemory<byte> pixelData, PixelDataDescription description, int frameIndex)
    {
        ArgumentNullException.ThrowIfNull(description);
        description.Validate();
        CheckFrame(pixelData.Length, description, frameIndex);
        var bitOffset = description.GetFrameBitOffset(frameIndex);
        var length = description.FrameLengthInBytes;
        if (bitOffset % 8 == 0 && (description.BitsAllocated != 1 || description.FrameLengthInBits % 8 == 0))
        {
            return pixelData.Slice((int)(bitOffset / 8), length);
        }

        return GetFrame(pixelData.Span, description, frameIndex);
    }

    /// <summary>How many whole frames <paramref name="pixelDataLength"/> bytes hold for the description.</summary>
    public static long CountFrames(long pixelDataLength, PixelDataDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        return pixelDataLength * 8 / description.FrameLengthInBits;
    }

    private static void CheckFrame(int valueLength, PixelDataDescription d, int frameIndex)
    {
        if (frameIndex < 0 || frameIndex >= d.NumberOfFrames)
        {
            throw new DicomPixelDataException($"Frame {frameIndex} does not exist: Number of Frames is {d.NumberOfFrames}.");
        }

        var endBit = d.GetFrameBitOffset(frameIndex) + d.FrameLengthInBits;
        var needed = (endBit + 7) / 8;
        if (valueLength < needed)
        {
            throw new DicomPixelDataException(
                $"The Pixel Data value is {valueLength} bytes long; frame {frameIndex} of {d.NumberOfFrames} ends at byte {needed} "
                + $"({d.FrameLengthInBytes} bytes per frame, {d.TotalLengthInBytes} bytes expected for {d.Summary()}).");
        }
    }

    private static void CopyFrameCore(ReadOnlySpan<byte> pixelData, PixelDataDescription d, int frameIndex, Span<byte> frame,
        bool bigEndian, DicomVR vr)
    {
        CheckFrame(pixelData.Length, d, frameIndex);
        var bitOffset = d.GetFrameBitOffset(frameIndex);
        var swapWords = bigEndian && vr == DicomVR.OW && d.BitsAllocated <= 8;
        if (d.BitsAllocated == 1)
        {
            CopyBits(pixelData, bitOffset, d.FrameLengthInBits, frame, swapWords);
            return;
        }

        var start = (int)(bitOffset / 8);
        if (swapWords)
        {
            // Byte p of the little endian value is byte p ^ 1 of the big endian OW value.
            for (var i = 0; i < frame.Length; i++)
            {
                var p = (start + i) ^ 1;
                frame[i] = p < pixelData.Length ? pixelData[p] : (byte)0;
            }

            return;
        }

        var source = pixelData.Slice(start, frame.Length);
        if (!bigEndian || d.BitsAllocated == 8)
        {
            source.CopyTo(frame);
            return;
        }

        switch (d.BitsAllocated)
        {
            case 16:
                BinaryPrimitives.ReverseEndianness(
                    System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(source),
                    System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(frame));
                break;
            case 32:
                BinaryPrimitives.ReverseEndianness(
                    System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(source),
                    System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(frame));
                break;
            default:
                BinaryPrimitives.ReverseEndianness(
                    System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(source),
                    System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(frame));
                break;
        }
    }

    /// <summary>Copies <paramref name="bitCount"/> bits starting at <paramref name="bitOffset"/> to bit 0 of <paramref name="destination"/>; the unused high bits of the last byte are zero.</summary>
    private static void CopyBits(ReadOnlySpan<byte> source, long bitOffset, long bitCount, Span<byte> destination, bool swapWords)
    {
        var start = (int)(bitOffset / 8);
        var shift = (int)(bitOffset % 8);
        var length = (int)((bitCount + 7) / 8);
        if (shift == 0 && !swapWords)
        {
            source.Slice(start, length).CopyTo(destination);
        }
        else
        {
            for (var i = 0; i < length; i++)
            {
                var low = ByteAt(source, start + i, swapWords);
                var high = ByteAt(source, start + i + 1, swapWords);
                destination[i] = (byte)((low >> shift) | (high << (8 - shift)));
            }
        }

        var usedBits = (int)(bitCount % 8);
        if (usedBits != 0)
        {
            destination[length - 1] &= (byte)((1 << usedBits) - 1);
        }
    }

    private static int ByteAt(ReadOnlySpan<byte> source, int index, bool swapWords)
    {
        if (swapWords)
        {
            index ^= 1;
        }

        return (uint)index < (uint)source.Length ? source[index] : 0;
    }
}
