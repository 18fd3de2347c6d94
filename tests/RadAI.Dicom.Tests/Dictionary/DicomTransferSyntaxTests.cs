using System.Reflection;
using Xunit;

namespace RadAI.Dicom.Tests.Dictionary;

/// <summary>The generated transfer syntaxes (dicom_transfer_syntaxes.tsv).</summary>
public sealed class DicomTransferSyntaxTests
{
    [Theory]
    // uid, explicit VR, little endian, encapsulated, deflated, has pixel data, compression, retired
    [InlineData("1.2.840.10008.1.2", false, true, false, false, true, "lossless", false)]
    [InlineData("1.2.840.10008.1.2.1", true, true, false, false, true, "lossless", false)]
    [InlineData("1.2.840.10008.1.2.2", true, false, false, false, true, "lossless", true)]
    [InlineData("1.2.840.10008.1.2.1.99", true, true, false, true, true, "lossless", false)]
    [InlineData("1.2.840.10008.1.2.1.98", true, true, true, false, true, "lossless", false)]
    [InlineData("1.2.840.10008.1.2.4.50", true, true, true, false, true, "lossy", false)]
    [InlineData("1.2.840.10008.1.2.4.91", true, true, true, false, true, "lossless-or-lossy", false)]
    [InlineData("1.2.840.10008.1.2.5", true, true, true, false, true, "lossless", false)]
    [InlineData("1.2.840.10008.1.2.4.94", true, true, false, false, false, "n/a", false)]
    [InlineData("1.2.840.10008.1.2.4.95", true, true, false, true, false, "n/a", false)]
    [InlineData("1.2.840.10008.1.2.6.2", true, true, false, false, false, "n/a", true)]
    public void Known_syntaxes_have_the_properties_of_the_table(string uid, bool isExplicitVR, bool isLittleEndian,
        bool isEncapsulated, bool isDeflated, bool hasPixelData, string compression, bool isRetired)
    {
        var syntax = DicomTransferSyntax.Lookup(uid);

        Assert.True(syntax.IsKnown);
        Assert.Equal(uid, syntax.Uid);
        Assert.Equal(
            (isExplicitVR, isLittleEndian, isEncapsulated, isDeflated, hasPixelData, compression, isRetired),
            (syntax.IsExplicitVR, syntax.IsLittleEndian, syntax.IsEncapsulated, syntax.IsDeflated, syntax.HasPixelData, syntax.Compression, syntax.IsRetired));
    }

    [Fact]
    public void Static_properties_are_the_known_instances()
    {
        Assert.Same(DicomTransferSyntax.ImplicitVRLittleEndian, DicomTransferSyntax.Lookup("1.2.840.10008.1.2"));
        Assert.Equal("Implicit VR Little Endian", DicomTransferSyntax.ImplicitVRLittleEndian.Name);
        Assert.Equal("ImplicitVRLittleEndian", DicomTransferSyntax.ImplicitVRLittleEndian.Keyword);
        Assert.Same(DicomTransferSyntax.JPEGBaseline8Bit, DicomTransferSyntax.Lookup("1.2.840.10008.1.2.4.50"));
        Assert.Equal("JPEG Baseline (Process 1)", DicomTransferSyntax.JPEGBaseline8Bit.Name);
        Assert.Same(DicomTransferSyntax.RLELossless, DicomTransferSyntax.Lookup(DicomUids.RLELossless));
        Assert.Same(DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.Lookup("1.2.840.10008.1.2.1\0"));
    }

    [Fact]
    public void Unknown_syntaxes_are_explicit_little_endian_and_encapsulated()
    {
        Assert.False(DicomTransferSyntax.TryLookup("1.2.3.4.5", out var syntax));

        Assert.False(syntax.IsKnown);
        Assert.Equal("1.2.3.4.5", syntax.Uid);
        Assert.True(syntax.IsExplicitVR);
        Assert.True(syntax.IsLittleEndian);
        Assert.True(syntax.IsEncapsulated);
        Assert.False(syntax.IsDeflated);
    }

    [Fact]
    public void Every_row_of_the_table_is_known_and_has_a_property()
    {
        var rows = Tables.Read("dicom_transfer_syntaxes.tsv");
        var properties = typeof(DicomTransferSyntax).GetProperties(BindingFlags.Public | BindingFlags.Static)
            .Where(p => p.PropertyType == typeof(DicomTransferSyntax))
            .ToDictionary(p => p.Name, p => (DicomTransferSyntax)p.GetValue(null)!, StringComparer.Ordinal);

        Assert.Equal(63, rows.Count);
        Assert.Equal(63, DicomTransferSyntax.All.Count());
        Assert.Equal(63, properties.Count);
        foreach (var row in rows)
        {
            var syntax = DicomTransferSyntax.Lookup(row["uid"]);
            Assert.True(syntax.IsKnown, row["uid"]);
            Assert.Same(syntax, properties[row["keyword"]]);
            Assert.Equal((row["keyword"], row["name"], row["compression"]), (syntax.Keyword, syntax.Name, syntax.Compression));
            Assert.Equal(row["vr_encoding"] != "implicit", syntax.IsExplicitVR);
            Assert.Equal(row["byte_order"] != "big", syntax.IsLittleEndian);
            Assert.Equal(row["pixel_data_encapsulated"] == "Y", syntax.IsEncapsulated);
            Assert.Equal(row["dataset_deflated"] == "Y", syntax.IsDeflated);
            Assert.Equal(row["pixel_data_encapsulated"] is "Y" or "N", syntax.HasPixelData);
            Assert.Equal(row["retired"] == "Y", syntax.IsRetired);
        }
    }

    [Fact]
    public void Transfer_syntax_keywords_agree_with_the_UID_registry()
    {
        foreach (var syntax in DicomTransferSyntax.All)
        {
            Assert.True(DicomUids.TryGetInfo(syntax.Uid, out var info), syntax.Uid);
            Assert.True(info.IsTransferSyntax, syntax.Uid);
            Assert.Equal(info.Keyword, syntax.Keyword);
            Assert.Equal(info.IsRetired, syntax.IsRetired);
        }
    }
}
