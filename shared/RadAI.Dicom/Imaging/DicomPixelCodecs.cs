using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace RadAI.Dicom.Imaging;

/// <summary>
/// The value of Pixel Data (7FE0,0010) as a decoder receives it: either the native bytes (with the byte
/// order of the transfer syntax) or the encapsulated items.
/// </summary>
public sealed class DicomPixelDataValue
{
    private DicomPixelDataValue(ReadOnlyMemory<byte> nativeBytes, bool isBigEndian, DicomVR valueRepresentation, EncapsulatedPixelData? encapsulated)
    {
        NativeBytes = nativeBytes;
        IsBigEndian = isBigEndian;
        ValueRepresentation = valueRepresentation;
        Encapsulated = encapsulated;
    }

    /// <summary>The native value as encoded in the stream; empty when encapsulated.</summary>
    public ReadOnlyMemory<byte> NativeBytes { get; }

    /// <summary>True when the native value is big endian (Explicit VR Big Endian).</summary>
    public bool IsBigEndian { get; }

    /// <summary>OB or OW for a native value (matters for 8-bit data in big endian); None when not known.</summary>
    public DicomVR ValueRepresentation { get; }

    /// <summary>The encapsulated items; null for a native value.</summary>
    public EncapsulatedPixelData? Encapsulated { get; }

    /// <summary>True for encapsulated pixel data.</summary>
    public bool IsEncapsulated => Encapsulated is not null;

    /// <summary>A native Pixel Data value.</summary>
    public static DicomPixelDataValue Native(ReadOnlyMemory<byte> bytes, bool bigEndian = false, DicomVR valueRepresentation = DicomVR.None) =>
        new(bytes, bigEndian, valueRepresentation, null);

    /// <summary>An encapsulated Pixel Data value.</summary>
    public static DicomPixelDataValue FromEncapsulated(EncapsulatedPixelData encapsulated)
    {
        ArgumentNullException.ThrowIfNull(encapsulated);
        return new(ReadOnlyMemory<byte>.Empty, false, DicomVR.OB, encapsulated);
    }
}

/// <summary>A decoded frame: native little endian bytes and the description they follow.</summary>
/// <param name="Description">What <see cref="Data"/> holds (e.g. YBR_FULL for an RLE-decoded YBR_FULL_422 image).</param>
/// <param name="Data">Native little endian bytes of one frame.</param>
public sealed record DecodedFrame(PixelDataDescription Description, byte[] Data)
{
    /// <summary>The stored values in <c>pixel_array</c> order (see <see cref="PixelSamples"/>).</summary>
    public int[] ToInt32() => PixelSamples.ToInt32(Data, Description);

    /// <summary>The stored values in <c>pixel_array</c> order as 64-bit integers.</summary>
    public long[] ToInt64() => PixelSamples.ToInt64(Data, Description);
}

/// <summary>Decodes the frames of one transfer syntax to native little endian bytes.</summary>
public interface IDicomFrameDecoder
{
    /// <summary>The transfer syntax UID this decoder reads.</summary>
    string TransferSyntaxUid { get; }

    /// <summary>The description of the decoded frames, given the stored one (a codec may change the photometric interpretation, e.g. YBR_FULL_422 to YBR_FULL).</summary>
    PixelDataDescription DescribeOutput(PixelDataDescription stored) => stored;

    /// <summary>Decodes frame <paramref name="frameIndex"/> (0-based) to native little endian bytes laid out per <see cref="DescribeOutput"/>.</summary>
    /// <exception cref="DicomPixelDataException">The data cannot be decoded; the message says why.</exception>
    byte[] DecodeFrame(DicomPixelDataValue value, PixelDataDescription description, int frameIndex);
}

/// <summary>
/// Base of the decoders of encapsulated syntaxes (RLE, JPEG family…): finds the frame's bytes in the
/// fragments (PS3.5 A.4) and decodes them.
/// </summary>
public abstract class EncapsulatedFrameDecoder : IDicomFrameDecoder
{
    public abstract string TransferSyntaxUid { get; }

    public virtual PixelDataDescription DescribeOutput(PixelDataDescription stored) => stored;

    public byte[] DecodeFrame(DicomPixelDataValue value, PixelDataDescription description, int frameIndex)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(description);
        var encapsulated = value.Encapsulated ?? throw new DicomPixelDataException(
            $"{DicomPixelCodecs.Describe(TransferSyntaxUid)} needs encapsulated Pixel Data (items); the value is native.");
        var frame = encapsulated.GetFrame(frameIndex, description.NumberOfFrames);
        return DecodeFrameData(frame, description, frameIndex);
    }

    /// <summary>Decodes the bytes of one frame.</summary>
    protected abstract byte[] DecodeFrameData(ReadOnlyMemory<byte> frameData, PixelDataDescription description, int frameIndex);
}

/// <summary>Native syntaxes: Implicit VR LE, Explicit VR LE, Deflated Explicit VR LE (inflated by the reader), Explicit VR Big Endian.</summary>
public sealed class NativeFrameDecoder(string transferSyntaxUid, bool bigEndian) : IDicomFrameDecoder
{
    public string TransferSyntaxUid { get; } = transferSyntaxUid;

    /// <summary>True for Explicit VR Big Endian.</summary>
    public bool IsBigEndian { get; } = bigEndian;

    public byte[] DecodeFrame(DicomPixelDataValue value, PixelDataDescription description, int frameIndex)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.IsEncapsulated)
        {
            throw new DicomPixelDataException($"{DicomPixelCodecs.Describe(TransferSyntaxUid)} has native Pixel Data; the value is encapsulated.");
        }

        return NativePixelData.GetFrame(value.NativeBytes.Span, description, frameIndex, IsBigEndian || value.IsBigEndian, value.ValueRepresentation);
    }
}

/// <summary>RLE Lossless (1.2.840.10008.1.2.5), see <see cref="RleCodec"/>.</summary>
public sealed class RleFrameDecoder : EncapsulatedFrameDecoder
{
    public override string TransferSyntaxUid => RleCodec.TransferSyntaxUid;

    public override PixelDataDescription DescribeOutput(PixelDataDescription stored) => RleCodec.DescribeOutput(stored);

    protected override byte[] DecodeFrameData(ReadOnlyMemory<byte> frameData, PixelDataDescription description, int frameIndex)
    {
        try
        {
            return RleCodec.Decode(frameData.Span, description);
        }
        catch (DicomPixelDataException e)
        {
            throw new DicomPixelDataException($"Frame {frameIndex}: {e.Message}", e);
        }
    }
}

/// <summary>Encapsulated Uncompressed Explicit VR Little Endian (1.2.840.10008.1.2.1.98): each frame is native little endian bytes in its own fragment(s).</summary>
public sealed class EncapsulatedUncompressedFrameDecoder : EncapsulatedFrameDecoder
{
    public const string Uid = "1.2.840.10008.1.2.1.98";

    public override string TransferSyntaxUid => Uid;

    protected override byte[] DecodeFrameData(ReadOnlyMemory<byte> frameData, PixelDataDescription description, int frameIndex)
    {
        description.Validate();
        var length = description.FrameLengthInBytes;
        if (frameData.Length < length)
        {
            throw new DicomPixelDataException($"Frame {frameIndex} is {frameData.Length} bytes long, {length} expected for {description.Summary()}.");
        }

        return frameData[..length].ToArray();
    }
}

/// <summary>
/// Frame decoders by transfer syntax UID. Built in: the native syntaxes (1.2.840.10008.1.2, .1.2.1,
/// .1.2.1.99, .1.2.2), RLE Lossless (1.2.840.10008.1.2.5) and Encapsulated Uncompressed
/// (1.2.840.10008.1.2.1.98); <see cref="Register"/> adds others (JPEG family) or replaces one.
/// </summary>
public sealed class DicomPixelCodecs
{
    public const string ImplicitVRLittleEndian = "1.2.840.10008.1.2";
    public const string ExplicitVRLittleEndian = "1.2.840.10008.1.2.1";
    public const string DeflatedExplicitVRLittleEndian = "1.2.840.10008.1.2.1.99";
    public const string ExplicitVRBigEndian = "1.2.840.10008.1.2.2";

    private readonly ConcurrentDictionary<string, IDicomFrameDecoder> _decoders = new(StringComparer.Ordinal);

    /// <summary>A registry with the built-in decoders.</summary>
    public DicomPixelCodecs()
    {
        Register(new NativeFrameDecoder(ImplicitVRLittleEndian, bigEndian: false));
        Register(new NativeFrameDecoder(ExplicitVRLittleEndian, bigEndian: false));
        Register(new NativeFrameDecoder(DeflatedExplicitVRLittleEndian, bigEndian: false));
        Register(new NativeFrameDecoder(ExplicitVRBigEndian, bigEndian: true));
        Register(new RleFrameDecoder());
        Register(new EncapsulatedUncompressedFrameDecoder());
    }

    /// <summary>The registry the dataset layer uses; plug codecs in here at start-up.</summary>
    public static DicomPixelCodecs Default { get; } = new();

    /// <summary>The transfer syntax UIDs with a decoder.</summary>
    public IReadOnlyCollection<string> TransferSyntaxUids => [.. _decoders.Keys];

    /// <summary>Adds a decoder, or replaces the one of its transfer syntax.</summary>
    public void Register(IDicomFrameDecoder decoder)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentException.ThrowIfNullOrWhiteSpace(decoder.TransferSyntaxUid);
        _decoders[Normalize(decoder.TransferSyntaxUid)] = decoder;
    }

    /// <summary>The decoder of a transfer syntax, if any.</summary>
    public bool TryGetDecoder(string transferSyntaxUid, [NotNullWhen(true)] out IDicomFrameDecoder? decoder)
    {
        ArgumentNullException.ThrowIfNull(transferSyntaxUid);
        return _decoders.TryGetValue(Normalize(transferSyntaxUid), out decoder);
    }

    /// <summary>The decoder of a transfer syntax.</summary>
    /// <exception cref="DicomPixelDataException">No decoder is registered: the message names the syntax and its UID.</exception>
    public IDicomFrameDecoder GetDecoder(string transferSyntaxUid) =>
        TryGetDecoder(transferSyntaxUid, out var decoder)
            ? decoder
            : throw new DicomPixelDataException(
                $"No decoder for {Describe(transferSyntaxUid)} is registered; decoders exist for: {string.Join(", ", _decoders.Keys.Order(StringComparer.Ordinal))}.");

    /// <summary>Decodes frame <paramref name="frameIndex"/> (0-based) with the decoder of the transfer syntax.</summary>
    /// <exception cref="DicomPixelDataException">No decoder, invalid description, or data that cannot be decoded.</exception>
    public DecodedFrame DecodeFrame(string transferSyntaxUid, DicomPixelDataValue value, PixelDataDescription description, int frameIndex)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(description);
        var decoder = GetDecoder(transferSyntaxUid);
        description.Validate();
        var data = decoder.DecodeFrame(value, description, frameIndex);
        return new DecodedFrame(decoder.DescribeOutput(description), data);
    }

    /// <summary>"RLE Lossless (1.2.840.10008.1.2.5)", or the UID alone when it is not known.</summary>
    internal static string Describe(string transferSyntaxUid)
    {
        var uid = Normalize(transferSyntaxUid);
        var syntax = DicomTransferSyntax.Lookup(uid);
        return syntax.IsKnown ? $"{syntax.Name} ({uid})" : $"unknown transfer syntax {uid}";
    }

    private static string Normalize(string uid) => uid.Trim(' ', '\0');
}
