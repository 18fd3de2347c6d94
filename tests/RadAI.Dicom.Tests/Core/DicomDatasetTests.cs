using System.Text;
using Xunit;

namespace RadAI.Dicom.Tests.Core;

public sealed class DicomDatasetTests
{
    [Fact]
    public void Keeps_elements_in_tag_order_whatever_the_insertion_order()
    {
        var ds = new DicomDataset()
            .AddOrUpdate(DicomTags.StudyInstanceUID, "1.2.3")
            .AddOrUpdate(DicomTags.PatientID, "ID1")
            .AddOrUpdate(DicomTags.Modality, "CT");

        Assert.Equal([DicomTags.Modality, DicomTags.PatientID, DicomTags.StudyInstanceUID], ds.Select(e => e.Tag));
        Assert.True(ds.Remove(DicomTags.PatientID));
        Assert.False(ds.Contains(DicomTags.PatientID));
        Assert.False(ds.Remove(DicomTags.PatientID));
    }

    [Fact]
    public void Strings_round_trip_with_padding_removed_and_values_split()
    {
        var ds = new DicomDataset()
            .AddOrUpdate(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "AXIAL")
            .AddOrUpdate(DicomTags.SOPInstanceUID, "1.2.840.1");

        Assert.Equal("ORIGINAL\\PRIMARY\\AXIAL", ds.GetString(DicomTags.ImageType));
        Assert.Equal(["ORIGINAL", "PRIMARY", "AXIAL"], ds.GetStrings(DicomTags.ImageType));
        Assert.Equal("PRIMARY", ds.GetString(DicomTags.ImageType, 1));
        Assert.False(ds.TryGetString(DicomTags.ImageType, 3, out _));
        // An odd UI value is stored padded with NUL, read back without it.
        Assert.Equal(10, ds.GetBytes(DicomTags.SOPInstanceUID).Length);
        Assert.Equal((byte)0, ds.GetBytes(DicomTags.SOPInstanceUID).Span[^1]);
        Assert.Equal("1.2.840.1", ds.GetString(DicomTags.SOPInstanceUID));
    }

    [Fact]
    public void Numbers_from_binary_and_text_VRs()
    {
        var ds = new DicomDataset()
            .AddOrUpdate<ushort>(DicomTags.Rows, 512)
            .AddOrUpdate(DicomTags.PixelSpacing, DicomVR.DS, 0.5, 0.48828125)
            .AddOrUpdate(DicomTags.InstanceNumber, DicomVR.IS, 42)
            .AddOrUpdate(DicomTags.SmallestImagePixelValue, DicomVR.SS, (short)-1024)
            .AddOrUpdate(DicomTags.RescaleIntercept, DicomVR.DS, -1024.0);

        Assert.Equal(512, ds.GetValue<int>(DicomTags.Rows));
        Assert.Equal(0.48828125, ds.GetValue<double>(DicomTags.PixelSpacing, 1));
        Assert.Equal([0.5, 0.48828125], ds.GetValues<double>(DicomTags.PixelSpacing));
        Assert.Equal(42L, ds.GetValue<long>(DicomTags.InstanceNumber));
        Assert.Equal(-1024, ds.GetValue<int>(DicomTags.SmallestImagePixelValue));
        Assert.False(ds.TryGetValue<ushort>(DicomTags.SmallestImagePixelValue, out _)); // -1024 does not fit
        Assert.False(ds.TryGetValue<int>(DicomTags.Columns, out _));
        Assert.Throws<KeyNotFoundException>(() => ds.GetValue<int>(DicomTags.Columns));
        Assert.Equal("-1024", ds.GetString(DicomTags.RescaleIntercept));
    }

    [Fact]
    public void Dates_times_and_date_times()
    {
        var ds = new DicomDataset()
            .AddOrUpdate(DicomTags.StudyDate, new DateOnly(2026, 11, 25))
            .AddOrUpdate(DicomTags.StudyTime, new TimeOnly(14, 3, 7, 250))
            .AddOrUpdate(DicomTags.AcquisitionDateTime, new DateTimeOffset(2026, 11, 25, 14, 3, 7, TimeSpan.FromHours(1)));

        Assert.Equal("20261125", ds.GetString(DicomTags.StudyDate));
        Assert.Equal("140307.250000", ds.GetString(DicomTags.StudyTime));
        Assert.Equal(new DateTime(2026, 11, 25, 14, 3, 7, 250), ds.GetDateTime(DicomTags.StudyDate, DicomTags.StudyTime));
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 14, 3, 7, TimeSpan.FromHours(1)), ds.GetDateTimeOffset(DicomTags.AcquisitionDateTime));
        Assert.Equal("20261125140307+0100", ds.GetString(DicomTags.AcquisitionDateTime));
    }

    [Theory]
    [InlineData("20040119", 2004, 1, 19)]
    [InlineData("2004.01.19", 2004, 1, 19)] // ACR-NEMA
    public void Reads_dates_in_current_and_old_forms(string text, int year, int month, int day)
    {
        var ds = new DicomDataset().AddOrUpdateBytes(DicomTags.StudyDate, DicomVR.DA, Encoding.ASCII.GetBytes(text));

        Assert.Equal(new DateOnly(year, month, day), ds.GetDate(DicomTags.StudyDate));
    }

    [Theory]
    [InlineData("07", 7, 0, 0, 0)]
    [InlineData("0703", 7, 3, 0, 0)]
    [InlineData("070359.5", 7, 3, 59, 500)]
    [InlineData("07:03:59", 7, 3, 59, 0)]
    public void Reads_times_with_any_precision(string text, int h, int m, int s, int ms)
    {
        var ds = new DicomDataset().AddOrUpdateBytes(DicomTags.StudyTime, DicomVR.TM, Encoding.ASCII.GetBytes(text));

        Assert.Equal(new TimeOnly(h, m, s, ms), ds.GetTime(DicomTags.StudyTime));
    }

    [Theory]
    [InlineData("2004", 2004, 1, 1, 0, null)]
    [InlineData("20040119072730-0500", 2004, 1, 19, 7, -300)]
    public void Reads_date_times_with_their_offset(string text, int year, int month, int day, int hour, int? offsetMinutes)
    {
        var ds = new DicomDataset().AddOrUpdateBytes(DicomTags.AcquisitionDateTime, DicomVR.DT, Encoding.ASCII.GetBytes(text));

        Assert.Equal(new DateTime(year, month, day, hour, hour == 7 ? 27 : 0, hour == 7 ? 30 : 0), ds.GetDateTime(DicomTags.AcquisitionDateTime));
        Assert.Equal(offsetMinutes is not null, ds.TryGetDateTimeOffset(DicomTags.AcquisitionDateTime, out var instant));
        if (offsetMinutes is { } minutes)
        {
            Assert.Equal(TimeSpan.FromMinutes(minutes), instant.Offset);
        }
    }

    [Fact]
    public void Person_names_with_component_groups()
    {
        var ds = new DicomDataset()
            .AddOrUpdate(DicomTags.SpecificCharacterSet, "ISO_IR 192")
            .AddOrUpdate(DicomTags.PatientName, "Yamada^Tarou=山田^太郎=やまだ^たろう");

        var name = ds.GetPersonName(DicomTags.PatientName);

        Assert.Equal("Yamada", name.Alphabetic.Family);
        Assert.Equal("Tarou", name.Alphabetic.Given);
        Assert.Equal("山田", name.Ideographic!.Family);
        Assert.Equal("たろう", name.Phonetic!.Given);
        Assert.Equal("Yamada^Tarou=山田^太郎=やまだ^たろう", name.ToString());
    }

    [Fact]
    public void Attribute_tags()
    {
        var ds = new DicomDataset().AddOrUpdate(DicomTags.FrameIncrementPointer, DicomTags.FrameTime, DicomTags.PatientName);

        Assert.Equal(DicomTags.FrameTime, ds.GetAttributeTag(DicomTags.FrameIncrementPointer));
        Assert.Equal(DicomTags.PatientName, ds.GetAttributeTag(DicomTags.FrameIncrementPointer, 1));
        Assert.False(ds.TryGetAttributeTag(DicomTags.FrameIncrementPointer, 2, out _));
    }

    [Fact]
    public void Sequence_items_inherit_the_character_set_of_their_parent()
    {
        var item = new DicomDataset();
        var ds = new DicomDataset()
            .AddOrUpdate(DicomTags.SpecificCharacterSet, "ISO_IR 100")
            .AddOrUpdate(DicomTags.OtherPatientIDsSequence, item);
        // Text is encoded with the character set in force where the item is: set it once attached.
        item.AddOrUpdate(DicomTags.PatientName, "Dupont^Hélène");

        var stored = ds.GetSequence(DicomTags.OtherPatientIDsSequence)[0];

        Assert.Same(ds, stored.Parent);
        Assert.Equal("Dupont^Hélène", stored.GetString(DicomTags.PatientName));
        Assert.Equal(["ISO_IR 100"], stored.CharacterSet.Terms);
    }

    [Fact]
    public void Private_blocks_are_reserved_and_found_by_creator()
    {
        var ds = new DicomDataset().AddOrUpdate(new DicomTag(0x0029, 0x0010), DicomVR.LO, "OTHER VENDOR");

        var tag = ds.GetOrReservePrivateTag(0x0029, "RADAI 1.0", 0x01);
        ds.AddOrUpdate(tag, DicomVR.LO, "model-x");

        Assert.Equal(new DicomTag(0x0029, 0x1101), tag);
        Assert.Equal("RADAI 1.0", ds.GetString(new DicomTag(0x0029, 0x0011)));
        Assert.True(ds.TryGetPrivateTag(0x0029, "RADAI 1.0", 0x01, out var found));
        Assert.Equal(tag, found);
        Assert.True(ds.TryGetPrivateCreator(tag, out var creator));
        Assert.Equal("RADAI 1.0", creator);
        Assert.Equal(tag, ds.GetOrReservePrivateTag(0x0029, "RADAI 1.0", 0x01));
    }

    [Theory]
    [InlineData(DicomVR.UI, "1.2.03")]
    [InlineData(DicomVR.UI, "1..2")]
    [InlineData(DicomVR.CS, "lower case")]
    [InlineData(DicomVR.DA, "2026-11-25")]
    [InlineData(DicomVR.SH, "seventeen chars!!")]
    [InlineData(DicomVR.AS, "45")]
    [InlineData(DicomVR.IS, "3000000000")]
    [InlineData(DicomVR.LO, "line\nbreak")]
    public void Refuses_values_its_VR_does_not_allow(DicomVR vr, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => new DicomDataset().AddOrUpdate(new DicomTag(0x0011, 0x1001), vr, value));
        Assert.Contains(vr.Code(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ambiguous_or_unknown_tags_need_an_explicit_VR()
    {
        Assert.Throws<ArgumentException>(() => new DicomDataset().AddOrUpdate(DicomTags.SmallestImagePixelValue, (ushort)1));
        Assert.Throws<ArgumentException>(() => new DicomDataset().AddOrUpdate(new DicomTag(0x0011, 0x1001), "x"));
    }

    [Fact]
    public void Clone_copies_values_and_items()
    {
        var ds = new DicomDataset()
            .AddOrUpdate(DicomTags.PatientID, "A")
            .AddOrUpdate(DicomTags.OtherPatientIDsSequence, new DicomDataset().AddOrUpdate(DicomTags.PatientID, "B"));

        var copy = ds.Clone();
        copy.AddOrUpdate(DicomTags.PatientID, "C");
        copy.GetSequence(DicomTags.OtherPatientIDsSequence)[0].AddOrUpdate(DicomTags.PatientID, "D");

        Assert.Equal("A", ds.GetString(DicomTags.PatientID));
        Assert.Equal("B", ds.GetSequence(DicomTags.OtherPatientIDsSequence)[0].GetString(DicomTags.PatientID));
    }
}
