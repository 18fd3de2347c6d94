using Xunit;

namespace RadAI.Dicom.Tests.Core;

public sealed class DicomTagTests
{
    [Fact]
    public void Is_a_value_over_group_and_element()
    {
        var tag = new DicomTag(0x0010, 0x0010);

        Assert.Equal(0x00100010u, tag.Value);
        Assert.Equal(0x0010, tag.Group);
        Assert.Equal(0x0010, tag.Element);
        Assert.Equal("(0010,0010)", tag.ToString());
        Assert.Equal(tag, new DicomTag(0x00100010));
        Assert.True(new DicomTag(0x0008, 0x0020) < tag);
        Assert.Equal(4, System.Runtime.CompilerServices.Unsafe.SizeOf<DicomTag>());
    }

    [Theory]
    [InlineData(0x00091010u, true, false, 0x10)]
    [InlineData(0x00090010u, true, true, 0)]
    [InlineData(0x00291130u, true, false, 0x11)]
    [InlineData(0x00100010u, false, false, 0)]
    [InlineData(0x00070010u, false, false, 0)] // odd but reserved: not private
    [InlineData(0xFFFEE000u, false, false, 0)]
    public void Knows_private_tags_and_their_block(uint value, bool isPrivate, bool isCreator, int block)
    {
        var tag = new DicomTag(value);

        Assert.Equal(isPrivate, tag.IsPrivate);
        Assert.Equal(isCreator, tag.IsPrivateCreator);
        Assert.Equal(block, tag.PrivateBlock);
        if (block != 0)
        {
            Assert.Equal(new DicomTag(tag.Group, (ushort)block), tag.PrivateCreatorTag);
        }
    }

    [Theory]
    [InlineData("(0010,0010)", 0x00100010u)]
    [InlineData("0010,0010", 0x00100010u)]
    [InlineData("7FE00010", 0x7FE00010u)]
    [InlineData("PatientName", 0x00100010u)]
    [InlineData("PixelData", 0x7FE00010u)]
    public void Parses_numbers_and_keywords(string text, uint expected)
    {
        Assert.True(DicomTag.TryParse(text, out var tag));
        Assert.Equal(expected, tag.Value);
        Assert.Equal(expected, DicomTag.Parse(text).Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("(0010,001G)")]
    [InlineData("NotAKeyword")]
    [InlineData("123")]
    public void Refuses_what_is_not_a_tag(string text)
    {
        Assert.False(DicomTag.TryParse(text, out _));
        Assert.Throws<FormatException>(() => DicomTag.Parse(text));
    }

    [Theory]
    [InlineData(DicomVR.OB, true, 1)]
    [InlineData(DicomVR.SQ, true, 0)]
    [InlineData(DicomVR.UT, true, 0)]
    [InlineData(DicomVR.US, false, 2)]
    [InlineData(DicomVR.FD, false, 8)]
    [InlineData(DicomVR.LO, false, 0)]
    public void VR_metadata_follows_PS3_5(DicomVR vr, bool longLength, int valueSize)
    {
        Assert.Equal(longLength, vr.HasLongLength());
        Assert.Equal(valueSize, vr.ValueSize());
        Assert.True(DicomVRInfo.TryParse(vr.Code(), out var parsed));
        Assert.Equal(vr, parsed);
    }

    [Fact]
    public void Padding_is_NUL_for_UI_and_bytes_space_for_text()
    {
        Assert.Equal(0, DicomVR.UI.PaddingByte());
        Assert.Equal(0, DicomVR.OB.PaddingByte());
        Assert.Equal((byte)' ', DicomVR.LO.PaddingByte());
        Assert.Equal((byte)' ', DicomVR.PN.PaddingByte());
    }
}
