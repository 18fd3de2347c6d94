using System.Text;
using RadAI.Dicom.IO;
using RadAI.Dicom.Json;
using Xunit;

namespace RadAI.Dicom.Tests.Fuzz;

/// <summary>
/// What the fuzz test found, each pinned down by the smallest input that shows it (the fuzz test finds
/// them again, but among thousands of cases).
/// </summary>
public sealed class FuzzFindingsTests
{
    [Fact]
    public async Task Elements_out_of_order_are_sorted_once_and_found_while_parsing()
    {
        // Implicit VR: Pixel Representation, then an element out of order, then an element whose VR (US or SS)
        // depends on Pixel Representation — found while the dataset is still unsorted.
        var bytes = DicomBytes.Part10(DicomBytes.ImplicitLittle)
            .Element(0x0028, 0x0010, "US", [4, 0])
            .Element(0x0028, 0x0103, "US", [1, 0])
            .Element(0x0008, 0x0020, "DA", "20240101")
            .Element(0x0028, 0x0106, "US", [0xFF, 0xFF])
            .Element(0x0008, 0x0020, "DA", "20250101")
            .ToArray();

        var file = await DicomFile.ReadAsync(bytes);

        Assert.Equal([0x00080020u, 0x00280010u, 0x00280103u, 0x00280106u], file.Dataset.Select(e => e.Tag.Value));
        Assert.Equal(DicomVR.SS, file.Dataset.GetVR(DicomTags.SmallestImagePixelValue));
        Assert.Equal(-1, file.Dataset.GetValue<int>(DicomTags.SmallestImagePixelValue));
        Assert.Equal(new DateOnly(2025, 1, 1), file.Dataset.GetDate(DicomTags.StudyDate));
        Assert.Contains(file.Warnings, w => w.Contains("(0008,0020) appears twice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Elements_listed_backwards_take_linear_time()
    {
        // 200 000 elements backwards: inserting each in place moved 640 GB of entries (30 s); now a fraction of a second.
        // With 600 000 the quadratic cost would be nine times that (minutes), the linear one a second, or tens of
        // seconds on a 2-core machine loaded twenty times over: the deadline tells the two apart under any load.
        const int count = 600_000;
        var file = DicomBytes.Part10(DicomBytes.ExplicitLittle);
        for (var i = count - 1; i >= 0; i--)
        {
            file.Element((ushort)(0x0011 + (2 * (i / 60_000))), (ushort)(0x1000 + (i % 60_000)), "LO", []);
        }

        var bytes = file.ToArray();
        // From memory the read completes before it returns: on another thread, so that the wait can time out.
        var read = await Task.Run(() => DicomFile.ReadAsync(bytes)).WaitAsync(TimeSpan.FromSeconds(120));

        Assert.Equal(count, read.Dataset.Count);
        Assert.True(read.Dataset.Zip(read.Dataset.Skip(1)).All(pair => pair.First.Tag.Value < pair.Second.Tag.Value));
    }

    [Fact]
    public async Task Warnings_stop_at_a_thousand()
    {
        var file = DicomBytes.Part10(DicomBytes.ExplicitLittle);
        for (var i = 0; i < 5000; i++)
        {
            file.ItemDelimiter();
        }

        var read = await DicomFile.ReadAsync(file.ToArray());

        Assert.Equal(DicomParser.MaxWarnings + 1, read.Warnings.Count);
        Assert.StartsWith("More than 1000 warnings", read.Warnings[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Corrupt_deflated_data_is_a_format_error()
    {
        byte[] bytes = [.. DicomBytes.Part10(DicomBytes.Deflated).ToArray(), 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x01, 0x02, 0x03];

        var error = await Assert.ThrowsAsync<DicomFormatException>(() => DicomFile.ReadAsync(bytes));

        Assert.IsType<InvalidDataException>(error.InnerException);
    }

    [Fact]
    public async Task A_file_whose_uids_break_the_rules_can_be_saved_as_read()
    {
        var bytes = DicomBytes.Part10(DicomBytes.ExplicitLittle)
            .Element(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7")
            .Element(0x0008, 0x0018, "UI", "1.02.3a")
            .ToArray();
        var file = await DicomFile.ReadAsync(bytes);

        using var written = new MemoryStream();
        await file.SaveAsync(written);
        var reread = await DicomFile.ReadAsync(written.ToArray());

        Assert.Equal("1.02.3a", reread.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID));
        Assert.Equal("1.02.3a", reread.Dataset.GetString(DicomTags.SOPInstanceUID));
    }

    [Fact]
    public async Task Meta_elements_left_in_the_data_set_are_not_written_after_the_meta_group()
    {
        // A damaged meta group: (0002,0002) became (0012,0002), so the meta group ends there and the rest is data set.
        var bytes = DicomBytes.Part10(DicomBytes.ExplicitLittle)
            .Element(0x0012, 0x0002, "UI", "1.2.3")
            .Element(0x0002, 0x0010, "UI", DicomBytes.ImplicitLittle)
            .Element(0x0010, 0x0010, "PN", "Doe^John")
            .ToArray();
        var file = await DicomFile.ReadAsync(bytes);
        Assert.True(file.Dataset.Contains(DicomTags.TransferSyntaxUID));

        using var written = new MemoryStream();
        await file.SaveAsync(written);
        var reread = await DicomFile.ReadAsync(written.ToArray());

        Assert.Equal(DicomUids.ExplicitVRLittleEndian, reread.TransferSyntax.Uid);
        Assert.DoesNotContain(reread.Dataset, e => e.Tag.Group == 0x0002);
        Assert.Equal("Doe^John", reread.Dataset.GetString(DicomTags.PatientName));
    }

    [Fact]
    public async Task A_group_length_read_as_a_sequence_is_sized_as_it_is_written()
    {
        // Implicit VR, undefined length: (0008,0000) reads as a sequence, inside a defined-length item.
        var bytes = DicomBytes.Part10(DicomBytes.ImplicitLittle)
            .Header(0x0040, 0xA730, "SQ", 48).Item(40)
            .Header(0x0008, 0x0000, "SQ", 0xFFFFFFFF).Item(0xFFFFFFFF).ItemDelimiter().SequenceDelimiter()
            .Element(0x0008, 0x0100, "SH", "")
            .ToArray();
        var file = await DicomFile.ReadAsync(bytes);

        using var written = new MemoryStream();
        await file.SaveAsync(written);
        var reread = await DicomFile.ReadAsync(written.ToArray());

        var item = Assert.Single(reread.Dataset.GetSequence(new DicomTag(0x0040, 0xA730)));
        Assert.True(item.Contains(new DicomTag(0x0008, 0x0100)));
    }

    [Fact]
    public void A_time_of_megabytes_is_no_time_and_no_stack_overflow()
    {
        // Parsing sized a stack buffer by the value: 4.5 M characters overflowed an 8 MB stack, ending the process.
        var dataset = new DicomDataset().AddOrUpdateBytes(DicomTags.StudyTime, DicomVR.TM, Enumerable.Repeat((byte)'1', 4_500_000).ToArray());

        Assert.False(dataset.TryGetTime(DicomTags.StudyTime, out _));
    }

    [Theory]
    [InlineData("20240101120000+9999", null)]
    [InlineData("20240101120000+1460", null)]
    [InlineData("20240101120000-1300", null)]
    [InlineData("00010101000000+0100", null)]
    [InlineData("20240101120000+1400", null)]
    [InlineData("0001", "+1400")]
    [InlineData("99991231235959", "-1200")]
    public void A_utc_offset_out_of_range_is_no_instant_and_no_exception(string dateTime, string? timezone)
    {
        var dataset = new DicomDataset().AddOrUpdateBytes(DicomTags.AcquisitionDateTime, DicomVR.DT, Encoding.ASCII.GetBytes(dateTime));
        if (timezone is not null)
        {
            dataset.AddOrUpdateBytes(DicomTags.TimezoneOffsetFromUTC, DicomVR.SH, Encoding.ASCII.GetBytes(timezone));
        }

        var valid = dateTime == "20240101120000+1400";
        Assert.Equal(valid, dataset.TryGetDateTimeOffset(DicomTags.AcquisitionDateTime, out var instant));
        if (valid)
        {
            Assert.Equal(TimeSpan.FromHours(14), instant.Offset);
        }
    }

    [Fact]
    public void An_IS_beyond_64_bits_has_no_JSON_form_rather_than_a_wrong_one()
    {
        var dataset = new DicomDataset().AddOrUpdateBytes(DicomTags.InstanceNumber, DicomVR.IS, "-1e300"u8);

        Assert.Throws<FormatException>(() => DicomJsonWriter.Serialize(dataset));
    }
}
