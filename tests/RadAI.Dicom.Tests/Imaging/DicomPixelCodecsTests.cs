using RadAI.Dicom.Imaging;
using Xunit;

namespace RadAI.Dicom.Tests.Imaging;

public sealed class DicomPixelCodecsTests
{
    [Fact]
    public void Native_rle_and_encapsulated_uncompressed_syntaxes_are_built_in()
    {
        var codecs = new DicomPixelCodecs();
        Assert.Equal(
            ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.1.98", "1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.5"],
            codecs.TransferSyntaxUids.Order(StringComparer.Ordinal));
        Assert.IsType<RleFrameDecoder>(codecs.GetDecoder("1.2.840.10008.1.2.5\0"));
        Assert.True(((NativeFrameDecoder)codecs.GetDecoder("1.2.840.10008.1.2.2")).IsBigEndian);
    }

    [Fact]
    public void A_syntax_without_decoder_is_named_with_its_uid()
    {
        var codecs = new DicomPixelCodecs();
        var e = Assert.Throws<DicomPixelDataException>(() => codecs.GetDecoder("1.2.840.10008.1.2.4.50"));
        Assert.StartsWith("No decoder for JPEG Baseline", e.Message, StringComparison.Ordinal);
        Assert.Contains("(1.2.840.10008.1.2.4.50)", e.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<DicomPixelDataException>(() => codecs.GetDecoder("1.2.3.4"));
        Assert.Contains("unknown transfer syntax 1.2.3.4", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registered_decoders_plug_in_and_replace()
    {
        var codecs = new DicomPixelCodecs();
        codecs.Register(new ConstantDecoder("1.2.840.10008.1.2.4.50"));
        var d = PixelDataDescription.Monochrome(1, 2, 8, 8, signed: false);
        var value = DicomPixelDataValue.FromEncapsulated(EncapsulatedPixelData.FromFrames([[0xFF, 0xD8]]));
        var frame = codecs.DecodeFrame("1.2.840.10008.1.2.4.50", value, d, 0);
        Assert.Equal(new byte[] { 42, 42 }, frame.Data);
        Assert.Equal([42, 42], frame.ToInt32());
        Assert.False(new DicomPixelCodecs().TryGetDecoder("1.2.840.10008.1.2.4.50", out _));
    }

    [Fact]
    public void Native_and_encapsulated_values_must_match_the_syntax()
    {
        var d = PixelDataDescription.Monochrome(1, 2, 8, 8, signed: false);
        var encapsulated = DicomPixelDataValue.FromEncapsulated(EncapsulatedPixelData.FromFrames([[1, 2]]));
        var native = DicomPixelDataValue.Native(new byte[] { 1, 2 });
        Assert.Throws<DicomPixelDataException>(() => DicomPixelCodecs.Default.DecodeFrame("1.2.840.10008.1.2.1", encapsulated, d, 0));
        Assert.Throws<DicomPixelDataException>(() => DicomPixelCodecs.Default.DecodeFrame(RleCodec.TransferSyntaxUid, native, d, 0));
        Assert.Equal(new byte[] { 1, 2 }, DicomPixelCodecs.Default.DecodeFrame("1.2.840.10008.1.2.1", native, d, 0).Data);
    }

    [Fact]
    public void Rle_errors_name_the_frame()
    {
        var d = PixelDataDescription.Monochrome(1, 2, 8, 8, signed: false, numberOfFrames: 2);
        var value = DicomPixelDataValue.FromEncapsulated(EncapsulatedPixelData.FromFrames([RleCodec.Encode([1, 2], d), new byte[10]]));
        Assert.Equal(new byte[] { 1, 2 }, DicomPixelCodecs.Default.DecodeFrame(RleCodec.TransferSyntaxUid, value, d, 0).Data);
        var e = Assert.Throws<DicomPixelDataException>(() => DicomPixelCodecs.Default.DecodeFrame(RleCodec.TransferSyntaxUid, value, d, 1));
        Assert.StartsWith("Frame 1:", e.Message, StringComparison.Ordinal);
    }

    private sealed class ConstantDecoder(string uid) : EncapsulatedFrameDecoder
    {
        public override string TransferSyntaxUid => uid;

        protected override byte[] DecodeFrameData(ReadOnlyMemory<byte> frameData, PixelDataDescription description, int frameIndex) =>
            Enumerable.Repeat((byte)42, description.FrameLengthInBytes).ToArray();
    }
}
