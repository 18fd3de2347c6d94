using System.Runtime.InteropServices;
using RadAI.Dicom.IO;
using RadAI.Dicom.Tests.Conformance;
using Xunit;

namespace RadAI.Dicom.Tests.IO;

/// <summary>
/// Where a read dataset keeps its values and preamble. (What a read allocates is measured in Release
/// by tests/RadAI.Benchmarks: a Debug build allocates every async state machine.)
/// </summary>
public sealed class DicomReadStorageTests
{
    private static string Corpus(string file) => Path.Combine(PydicomReference.CorpusRoot, "test_files", file);

    [Fact]
    public async Task Values_read_from_memory_are_slices_of_the_callers_bytes()
    {
        var bytes = await File.ReadAllBytesAsync(Corpus("CT_small.dcm"));

        var file = await DicomFile.ReadAsync(bytes);

        var values = 0;
        foreach (var element in file.Dataset.Elements)
        {
            if (!element.RawValue.IsEmpty)
            {
                Assert.True(MemoryMarshal.TryGetArray(element.RawValue, out var segment) && ReferenceEquals(segment.Array, bytes), $"{element} is not a slice");
                values++;
            }
        }

        Assert.True(values > 20, "the header has values");
    }

    [Fact]
    public async Task Big_endian_values_read_from_memory_are_swapped_copies_and_the_callers_bytes_stay_unchanged()
    {
        var bytes = await File.ReadAllBytesAsync(Corpus("MR_small_bigendian.dcm"));
        var original = bytes.ToArray();
        var littleEndian = await DicomFile.OpenAsync(Corpus("MR_small.dcm"));

        var file = await DicomFile.ReadAsync(bytes);

        Assert.Equal(littleEndian.Dataset.GetValue<int>(DicomTags.Rows), file.Dataset.GetValue<int>(DicomTags.Rows));
        Assert.Equal(littleEndian.Dataset.GetValue<int>(DicomTags.BitsAllocated), file.Dataset.GetValue<int>(DicomTags.BitsAllocated));
        Assert.Equal(original, bytes);
    }

    [Fact]
    public async Task A_zero_preamble_reads_as_zeros_and_any_other_is_kept_and_written_back()
    {
        var bytes = await File.ReadAllBytesAsync(Corpus("CT_small.dcm"));
        bytes.AsSpan(0, 128).Clear();
        var zeros = await DicomFile.ReadAsync(bytes.ToArray());
        var marked = Enumerable.Range(0, 128).Select(i => (byte)(i + 1)).ToArray();
        marked.CopyTo(bytes, 0);

        var file = await DicomFile.ReadAsync(bytes);
        using var written = new MemoryStream();
        await file.SaveAsync(written);
        var reread = await DicomFile.ReadAsync(written.ToArray());

        Assert.Equal(new byte[128], zeros.Preamble);
        Assert.Same(zeros.Preamble, zeros.Preamble);
        Assert.Equal(marked, file.Preamble);
        Assert.Equal(marked, reread.Preamble);
    }
}
