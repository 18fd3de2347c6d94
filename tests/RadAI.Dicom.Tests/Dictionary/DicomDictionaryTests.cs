using System.Globalization;
using System.Reflection;
using Xunit;

namespace RadAI.Dicom.Tests.Dictionary;

/// <summary>The generated data dictionary (dicom_elements.tsv) and the lookups over it.</summary>
public sealed class DicomDictionaryTests
{
    [Fact]
    public void Has_every_row_of_the_table()
    {
        Assert.Equal(5347, Tables.Read("dicom_elements.tsv").Count);
        Assert.Equal(5347, DicomDictionary.Entries.Count);
    }

    [Fact]
    public void Entries_are_in_tag_order_with_an_exact_tag_before_a_repeating_group_of_the_same_value()
    {
        var entries = DicomDictionary.Entries;
        for (var i = 1; i < entries.Count; i++)
        {
            var (previous, current) = (entries[i - 1], entries[i]);
            Assert.True(
                previous.TagValue < current.TagValue || (previous.TagValue == current.TagValue && !previous.IsRepeating && current.IsRepeating),
                $"{previous.Keyword} {previous.TagValue:X8} comes before {current.Keyword} {current.TagValue:X8}.");
        }

        Assert.Equal("CommandGroupLength", entries[0].Keyword);
        Assert.Equal("SequenceDelimitationItem", entries[^1].Keyword);
    }

    [Fact]
    public void Keywords_are_present_and_unique()
    {
        var keywords = DicomDictionary.Entries.Select(e => e.Keyword).ToList();

        Assert.All(keywords, k => Assert.False(string.IsNullOrEmpty(k)));
        Assert.Equal(keywords.Count, keywords.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Every_row_of_the_table_is_an_entry_with_the_same_values()
    {
        var byKeyword = DicomDictionary.Entries.ToDictionary(e => e.Keyword, StringComparer.Ordinal);
        foreach (var row in Tables.Read("dicom_elements.tsv"))
        {
            var entry = byKeyword[row["keyword"]];
            var tag = row["tag"]; // (gggg,eeee), x for a varying digit
            var digits = tag[1..5] + tag[6..10];
            Assert.Equal(uint.Parse(digits.Replace('x', '0'), NumberStyles.HexNumber, CultureInfo.InvariantCulture), entry.TagValue);
            Assert.Equal(uint.Parse(string.Concat(digits.Select(c => c == 'x' ? '0' : 'F')), NumberStyles.HexNumber, CultureInfo.InvariantCulture), entry.Mask);
            Assert.Equal(row["name"], entry.Name);
            Assert.Equal(row["vm"], entry.VM);
            Assert.Equal(row["retired"] == "Y", entry.IsRetired);
            var vrs = new[] { entry.VR, entry.AlternativeVR, entry.ThirdVR }.Where(v => v != DicomVR.None).Select(v => v.Code());
            Assert.Equal(row["vr"], string.Join(" or ", vrs));
        }
    }

    [Fact]
    public void Patient_name_is_found_by_tag_and_by_keyword()
    {
        Assert.True(DicomDictionary.TryGet(new DicomTag(0x0010, 0x0010), out var entry));
        Assert.Equal("PatientName", entry.Keyword);
        Assert.Equal("Patient's Name", entry.Name);
        Assert.Equal(DicomVR.PN, entry.VR);
        Assert.False(entry.HasAmbiguousVR);
        Assert.Equal("1", entry.VM);
        Assert.False(entry.IsRetired);
        Assert.False(entry.IsRepeating);

        Assert.Equal(new DicomTag(0x0010, 0x0010), DicomTag.Parse("PatientName"));
        Assert.Equal(new DicomTag(0x0010, 0x0010), DicomTag.Parse("(0010,0010)"));
        Assert.Equal(new DicomTag(0x0010, 0x0010), DicomTags.PatientName);
        Assert.True(DicomDictionary.TryGetByKeyword("PatientName", out var byKeyword));
        Assert.Same(entry, byKeyword);
        Assert.False(DicomDictionary.TryGetByKeyword("patientname", out _));
        Assert.False(DicomTag.TryParse("NoSuchKeyword", out _));
    }

    [Fact]
    public void Pixel_data_is_OB_or_OW()
    {
        Assert.True(DicomDictionary.TryGet(DicomTags.PixelData, out var entry));
        Assert.Equal(0x7FE00010u, entry.TagValue);
        Assert.Equal(DicomVR.OB, entry.VR);
        Assert.Equal(DicomVR.OW, entry.AlternativeVR);
        Assert.Equal(DicomVR.None, entry.ThirdVR);
        Assert.True(entry.HasAmbiguousVR);
    }

    [Fact]
    public void Multi_valued_VRs_keep_every_VR_in_order()
    {
        // (0028,0106) US or SS; (0028,1200) US or SS or OW; (0028,3006) US or OW.
        var smallest = DicomDictionary.Entries.Single(e => e.TagValue == 0x00280106u);
        Assert.Equal(("SmallestImagePixelValue", DicomVR.US, DicomVR.SS, DicomVR.None), (smallest.Keyword, smallest.VR, smallest.AlternativeVR, smallest.ThirdVR));
        var gray = DicomDictionary.Entries.Single(e => e.TagValue == 0x00281200u);
        Assert.Equal(("GrayLookupTableData", DicomVR.US, DicomVR.SS, DicomVR.OW), (gray.Keyword, gray.VR, gray.AlternativeVR, gray.ThirdVR));
        Assert.True(gray.IsRetired);
        var lut = DicomDictionary.Entries.Single(e => e.TagValue == 0x00283006u);
        Assert.Equal(("LUTData", DicomVR.US, DicomVR.OW, DicomVR.None), (lut.Keyword, lut.VR, lut.AlternativeVR, lut.ThirdVR));
    }

    [Fact]
    public void Items_and_delimiters_have_no_VR()
    {
        Assert.True(DicomDictionary.TryGet(DicomTag.Item, out var item));
        Assert.Equal(("Item", DicomVR.None), (item.Keyword, item.VR));
        Assert.Equal("ItemDelimitationItem", DicomDictionary.GetKeyword(DicomTag.ItemDelimitation));
        Assert.Equal("SequenceDelimitationItem", DicomDictionary.GetKeyword(DicomTag.SequenceDelimitation));
    }

    [Fact]
    public void Non_ascii_names_survive()
    {
        Assert.Equal("Exposure in µAs", DicomDictionary.GetName(new DicomTag(0x0018, 0x1153)));
        Assert.Equal("X-Ray Tube Current in µA", DicomDictionary.GetName(DicomTags.XRayTubeCurrentInuA));
    }

    [Fact]
    public void Command_group_elements_of_PS3_7_are_included()
    {
        Assert.True(DicomDictionary.TryGet(new DicomTag(0x0000, 0x0100), out var entry));
        Assert.Equal(("CommandField", DicomVR.US), (entry.Keyword, entry.VR));
        Assert.Equal(46, DicomDictionary.Entries.Count(e => e.TagValue >> 16 == 0));
    }

    [Theory]
    [InlineData(0x6000, 0x3000, "OverlayData", 0x60003000u, 0xFF00FFFFu, false)]
    [InlineData(0x6002, 0x3000, "OverlayData", 0x60003000u, 0xFF00FFFFu, false)]
    [InlineData(0x60FE, 0x0010, "OverlayRows", 0x60000010u, 0xFF00FFFFu, false)]
    [InlineData(0x5004, 0x3000, "CurveData", 0x50003000u, 0xFF00FFFFu, true)]
    [InlineData(0x5004, 0x0005, "CurveDimensions", 0x50000005u, 0xFF00FFFFu, true)]
    [InlineData(0x0020, 0x3105, "SourceImageIDs", 0x00203100u, 0xFFFFFF00u, true)]
    [InlineData(0x0028, 0x0410, "RowsForNthOrderCoefficients", 0x00280400u, 0xFFFFFF0Fu, true)]
    [InlineData(0x0028, 0x0823, "CodeTableLocation", 0x00280803u, 0xFFFFFF0Fu, true)]
    [InlineData(0x1000, 0x0013, "HuffmanTableTriplet", 0x10000003u, 0xFFFF000Fu, true)]
    [InlineData(0x1000, 0xFFF0, "EscapeTriplet", 0x10000000u, 0xFFFF000Fu, true)]
    [InlineData(0x1010, 0x1234, "ZonalMap", 0x10100000u, 0xFFFF0000u, true)]
    [InlineData(0x7F02, 0x0010, "VariablePixelData", 0x7F000010u, 0xFF00FFFFu, true)]
    public void Repeating_groups_match_every_instance(int group, int element, string keyword, uint tagValue, uint mask, bool retired)
    {
        var tag = new DicomTag((ushort)group, (ushort)element);

        Assert.True(DicomDictionary.TryGet(tag, out var entry), $"{tag} not found.");
        Assert.Equal(keyword, entry.Keyword);
        Assert.Equal(tagValue, entry.TagValue);
        Assert.Equal(mask, entry.Mask);
        Assert.True(entry.IsRepeating);
        Assert.True(entry.Matches(tag));
        Assert.Equal(retired, entry.IsRetired);
    }

    [Fact]
    public void Overlay_data_is_OB_or_OW_in_every_overlay_group()
    {
        Assert.True(DicomDictionary.TryGet(new DicomTag(0x6002, 0x3000), out var entry));
        Assert.Equal(("Overlay Data", DicomVR.OB, DicomVR.OW), (entry.Name, entry.VR, entry.AlternativeVR));
        Assert.Equal(new DicomTag(0x6000, 0x3000), DicomTags.OverlayData);
    }

    [Fact]
    public void An_exact_tag_wins_over_a_repeating_group_with_the_same_value()
    {
        // (0028,0400) TransformLabel is also the x=0 instance of (0028,04x0) RowsForNthOrderCoefficients.
        Assert.Equal("TransformLabel", DicomDictionary.GetKeyword(new DicomTag(0x0028, 0x0400)));
        // (7FE0,0010) PixelData is also an instance of (7Fxx,0010) VariablePixelData.
        Assert.Equal("PixelData", DicomDictionary.GetKeyword(new DicomTag(0x7FE0, 0x0010)));
    }

    [Fact]
    public void Private_creators_are_LO()
    {
        Assert.True(DicomDictionary.TryGet(new DicomTag(0x0029, 0x0010), out var entry));
        Assert.Equal(("Private Creator", DicomVR.LO), (entry.Name, entry.VR));
        Assert.Equal(DicomVR.LO, DicomDictionary.GetVR(new DicomTag(0x0029, 0x00FF)));
    }

    [Fact]
    public void Group_lengths_are_UL()
    {
        Assert.True(DicomDictionary.TryGet(new DicomTag(0x0009, 0x0000), out var entry));
        Assert.Equal(("Group Length", DicomVR.UL), (entry.Name, entry.VR));
        Assert.Equal(DicomVR.UL, DicomDictionary.GetVR(new DicomTag(0x0010, 0x0000)));
        // The command group length has its own entry.
        Assert.Equal("CommandGroupLength", DicomDictionary.GetKeyword(new DicomTag(0x0000, 0x0000)));
    }

    [Fact]
    public void Unknown_private_data_elements_are_not_found_and_are_UN()
    {
        var tag = new DicomTag(0x0029, 0x1010);

        Assert.False(DicomDictionary.TryGet(tag, out var entry));
        Assert.Null(entry);
        Assert.Equal(DicomVR.UN, DicomDictionary.GetVR(tag));
        Assert.Null(DicomDictionary.GetKeyword(tag));
        Assert.Equal("Private Tag", DicomDictionary.GetName(tag));
        // An odd group is private even where an even group of the same pattern repeats: (6001,3000) is not OverlayData.
        Assert.False(DicomDictionary.TryGet(new DicomTag(0x6001, 0x3000), out _));
    }

    [Fact]
    public void Unknown_public_tags_are_not_found()
    {
        Assert.False(DicomDictionary.TryGet(new DicomTag(0x0010, 0x0017), out _));
        Assert.Equal("Unknown Tag", DicomDictionary.GetName(new DicomTag(0x0010, 0x0017)));
    }

    [Fact]
    public void DicomTags_has_one_property_per_keyword_with_the_tag_of_the_table()
    {
        var properties = typeof(DicomTags).GetProperties(BindingFlags.Public | BindingFlags.Static)
            .ToDictionary(p => p.Name, p => (DicomTag)p.GetValue(null)!, StringComparer.Ordinal);

        Assert.Equal(5347, properties.Count);
        foreach (var row in Tables.Read("dicom_elements.tsv"))
        {
            var tag = row["tag"].Replace('x', '0');
            Assert.Equal(tag, properties[row["keyword"]].ToString());
        }

        Assert.Equal(new DicomTag(0x0008, 0x0018), DicomTags.SOPInstanceUID);
        Assert.Equal(new DicomTag(0x5000, 0x3000), DicomTags.CurveData);
        Assert.Equal(new DicomTag(0x0020, 0x3100), DicomTags.SourceImageIDs);
    }
}
