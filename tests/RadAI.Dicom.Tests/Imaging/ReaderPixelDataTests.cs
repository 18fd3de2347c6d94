using RadAI.Dicom.Imaging;
using RadAI.Dicom.IO;
using Xunit;

namespace RadAI.Dicom.Tests.Imaging;

/// <summary>
/// The whole path: RadAI's reader, then <see cref="DicomPixelData"/>: every frame of every corpus file
/// pydicom decodes (native, big endian, deflated, RLE, 1-bit) equals pydicom's pixel_array, and the
/// modality values equal apply_modality_lut.
/// </summary>
public sealed class ReaderPixelDataTests
{
    private static PydicomReference Reference => PydicomReference.Instance;

    public static TheoryData<string> Decodable => PydicomReference.CaseIds(c => c.PydicomError is null);

    [Theory]
    [MemberData(nameof(Decodable), DisableDiscoveryEnumeration = true)]
    public async Task Frames_read_through_the_reader_equal_pixel_array(string id)
    {
        var c = Reference[id];
        var file = await DicomFile.OpenAsync(c.Path);
        var pixels = DicomPixelData.Create(file.Dataset, file.TransferSyntax);
        var expected = c.ReadArray(Reference);

        Assert.Equal(c.NumberOfFrames, pixels.NumberOfFrames);
        // 32-bit samples in OW, big endian: RadAI (like DCMTK) swaps 16-bit words, pydicom whole samples.
        // See docs/dicom-json.md: the two readings differ by the order of the 16-bit halves.
        var wordOrderDiffers = c.BigEndian && c.BitsAllocated == 32 && c.PixelDataVR == "OW";
        var perFrame = checked((int)pixels.Description.SamplesPerFrame);
        for (var frame = 0; frame < pixels.NumberOfFrames; frame++)
        {
            var decoded = (await pixels.GetFrameAsync(frame)).ToInt64();
            var reference = expected.AsSpan(frame * perFrame, perFrame).ToArray();
            if (wordOrderDiffers)
            {
                reference = [.. reference.Select(v => (long)(uint)(((uint)v << 16) | ((uint)v >> 16)))];
            }

            Assert.True(reference.AsSpan().SequenceEqual(decoded), $"{id}: frame {frame} differs from pixel_array");
        }

        if (c.ModalityFile is not null && !wordOrderDiffers)
        {
            var modality = PydicomReference.ReadFileDoubles(c.ModalityFile);
            var ours = new List<double>();
            for (var frame = 0; frame < pixels.NumberOfFrames; frame++)
            {
                ours.AddRange(await pixels.GetModalityValuesAsync(frame));
            }

            Assert.Equal(modality, ours);
        }
    }

    [Fact]
    public async Task A_syntax_without_a_decoder_is_a_clear_error_naming_it()
    {
        var file = await DicomFile.OpenAsync(Path.Combine(Conformance.PydicomReference.CorpusRoot, "test_files", "JPEG-lossy.dcm"));
        var pixels = DicomPixelData.Create(file.Dataset, file.TransferSyntax);

        var error = await Assert.ThrowsAsync<DicomPixelDataException>(() => pixels.GetFrameAsync(0));

        Assert.Contains(file.TransferSyntax.Uid, error.Message, StringComparison.Ordinal);
        Assert.Contains(file.TransferSyntax.Name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dataset_without_pixel_data_says_so()
    {
        var file = await DicomFile.OpenAsync(Path.Combine(Conformance.PydicomReference.CorpusRoot, "test_files", "rtplan.dcm"));

        Assert.Throws<DicomPixelDataException>(() => DicomPixelData.Create(file.Dataset, file.TransferSyntax));
    }
}
