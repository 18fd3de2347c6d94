using RadAI.Dicom.IO;
using RadAI.Dicom.Tests.Conformance;
using RadAI.Testing;
using Xunit;

namespace RadAI.Dicom.Tests.IO;

public sealed class DicomFileReadTests
{
    private static string Corpus(string file) => Path.Combine(PydicomReference.CorpusRoot, "test_files", file);

    [Fact]
    public async Task Reads_a_CT_with_its_meta_and_header()
    {
        var file = await DicomFile.OpenAsync(Corpus("CT_small.dcm"));

        Assert.NotNull(file.Preamble);
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, file.TransferSyntax);
        Assert.Equal(DicomUids.CTImageStorage, file.FileMetaInformation.GetString(DicomTags.MediaStorageSOPClassUID));
        Assert.Equal("CompressedSamples^CT1", file.Dataset.GetString(DicomTags.PatientName));
        Assert.Equal(128, file.Dataset.GetValue<int>(DicomTags.Rows));
        Assert.Equal(2, file.Dataset.GetSequence(DicomTags.OtherPatientIDsSequence).Count);
        Assert.Equal(128 * 128 * 2, (await file.Dataset.GetBulk(DicomTags.PixelData).ReadAllAsync()).Length);
        Assert.Empty(file.Warnings);
    }

    [Fact]
    public async Task Large_values_of_a_file_stay_on_disk_until_asked()
    {
        // A sparse file: a header and 1 GiB of Pixel Data that occupies no disk.
        using var folder = new TemporaryDirectory();
        var path = Path.Combine(folder.Path, "big.dcm");
        var dataset = new DicomDataset()
            .AddOrUpdate(DicomTags.SOPClassUID, DicomUids.CTImageStorage)
            .AddOrUpdate(DicomTags.SOPInstanceUID, DicomUidGenerator.New())
            .AddOrUpdate(DicomTags.PatientID, "BIG-1");
        await new DicomFile(dataset).SaveAsync(path);
        const long PixelBytes = 1L << 30;
        await using (var stream = new FileStream(path, FileMode.Append))
        {
            stream.Write([0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'W', 0, 0]);
            stream.Write(BitConverter.GetBytes((uint)PixelBytes));
            stream.SetLength(stream.Length + PixelBytes);
        }

        // Steady state: dictionaries and code tables are built once per process, before measuring.
        _ = (await DicomFile.OpenAsync(Corpus("CT_small.dcm"))).Dataset.GetString(DicomTags.PatientName);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var file = await DicomFile.OpenAsync(path);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("BIG-1", file.Dataset.GetString(DicomTags.PatientID));
        var pixels = Assert.IsType<DicomFileBulkValue>(file.Dataset.GetBulk(DicomTags.PixelData));
        Assert.Equal(PixelBytes, pixels.Length);
        Assert.True(allocated < 4 * 1024 * 1024, $"reading the header of a 1 GiB file allocated {allocated} bytes");
    }

    [Fact]
    public async Task A_lazy_value_whose_file_was_cut_short_meanwhile_is_a_format_error_naming_the_file()
    {
        using var folder = new TemporaryDirectory();
        var path = Path.Combine(folder.Path, "cut.dcm");
        File.Copy(Corpus("CT_small.dcm"), path);
        var file = await DicomFile.OpenAsync(path, DicomReadOptions.Default with { LargeValueThreshold = 1024 });
        var pixels = Assert.IsType<DicomFileBulkValue>(file.Dataset.GetBulk(DicomTags.PixelData));
        Assert.Equal(128 * 2, (await pixels.ReadRangeAsync(128 * 2 * 5, 128 * 2)).Length);

        await using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength(stream.Length - 300); // the trailing padding (138 bytes) and the end of Pixel Data
        }

        // Both ways of reading it: a range (a frame) and the whole value as a stream.
        var range = await Assert.ThrowsAsync<DicomFormatException>(() => pixels.ReadRangeAsync(0, 16));
        Assert.Contains($"{path} is shorter than when it was read", range.Message, StringComparison.Ordinal);
        var whole = Assert.Throws<DicomFormatException>(() => pixels.OpenRead());
        Assert.Equal(range.Message, whole.Message);
    }

    [Theory]
    [InlineData("ExplVR_LitEndNoMeta.dcm", "1.2.840.10008.1.2.1")]
    [InlineData("ExplVR_BigEndNoMeta.dcm", "1.2.840.10008.1.2.2")]
    [InlineData("meta_missing_tsyntax.dcm", "1.2.840.10008.1.2")]
    public async Task Deduces_the_transfer_syntax_when_the_meta_does_not_say(string name, string expectedSyntax)
    {
        var file = await DicomFile.OpenAsync(Corpus(name));

        Assert.Equal(expectedSyntax, file.TransferSyntax.Uid);
        Assert.NotEmpty(file.Warnings);
        Assert.NotEqual(0, file.Dataset.Count);
    }

    [Fact]
    public async Task Reads_a_deflated_dataset()
    {
        var file = await DicomFile.OpenAsync(Corpus("image_dfl.dcm"));

        Assert.True(file.TransferSyntax.IsDeflated);
        Assert.True(file.Dataset.TryGetBulk(DicomTags.PixelData, out var pixels));
        Assert.True(pixels.Length > 0);
    }

    [Fact]
    public async Task Reads_big_endian_values_as_numbers()
    {
        var little = await DicomFile.OpenAsync(Corpus("MR_small.dcm"));
        var big = await DicomFile.OpenAsync(Corpus("MR_small_bigendian.dcm"));

        Assert.Equal(DicomTransferSyntax.ExplicitVRBigEndian, big.TransferSyntax);
        Assert.Equal(little.Dataset.GetValue<int>(DicomTags.Rows), big.Dataset.GetValue<int>(DicomTags.Rows));
        Assert.Equal(
            await little.Dataset.GetBulk(DicomTags.PixelData).ReadAllAsync(),
            await big.Dataset.GetBulk(DicomTags.PixelData).ReadAllAsync());
    }

    [Fact]
    public async Task Reads_an_odd_length_value_with_a_warning()
    {
        var file = await DicomFile.OpenAsync(Path.Combine(RepositoryPaths.Root, "tests/data/dicom-reference/highdicom_dx_image_BAD_ODD_PIXELDATA.dcm"));

        Assert.Contains(file.Warnings, w => w.Contains("odd length", StringComparison.Ordinal));
        Assert.Equal(35659, file.Dataset.GetBulk(DicomTags.PixelData).Length);
    }

    [Fact]
    public async Task Re_reads_UN_with_the_dictionary_VR()
    {
        var file = await DicomFile.OpenAsync(Corpus("UN_sequence.dcm"));

        var element = file.Dataset.Single(e => e.Sequence is not null);
        Assert.Equal(DicomVR.SQ, element.VR);
        Assert.NotEmpty(element.Sequence!);
    }

    [Fact]
    public async Task Encapsulated_pixel_data_is_read_as_fragments()
    {
        var file = await DicomFile.OpenAsync(Corpus("MR_small_RLE.dcm"));

        Assert.True(file.Dataset.TryGetFragments(DicomTags.PixelData, out var fragments));
        Assert.Single(fragments.Fragments);
        Assert.Equal(DicomVR.OB, file.Dataset.GetVR(DicomTags.PixelData));
    }

    [Fact]
    public async Task Can_stop_before_pixel_data()
    {
        var options = DicomReadOptions.Default with { StopBeforeTag = DicomTags.PixelData };

        var file = await DicomFile.OpenAsync(Corpus("CT_small.dcm"), options);

        Assert.False(file.Dataset.Contains(DicomTags.PixelData));
        Assert.True(file.Dataset.Contains(DicomTags.Rows));
    }

    [Fact]
    public async Task A_truncated_file_is_a_format_error_naming_where()
    {
        var error = await Assert.ThrowsAsync<DicomFormatException>(() => DicomFile.OpenAsync(Corpus("MR_truncated.dcm")));

        Assert.Equal(DicomTags.PixelData, error.Tag);
        Assert.NotNull(error.Offset);
    }

    [Fact]
    public async Task Reads_from_a_non_seekable_stream_and_from_memory_alike()
    {
        var bytes = await File.ReadAllBytesAsync(Corpus("CT_small.dcm"));
        await using var pipe = new NonSeekableStream(bytes);

        var fromStream = await DicomFile.ReadAsync(pipe, DicomReadOptions.Default with { LargeValueThreshold = 1024 });
        var fromMemory = await DicomFile.ReadAsync(bytes.AsMemory(), DicomReadOptions.Default with { LargeValueThreshold = 1024 });

        Assert.Equal(fromMemory.Dataset.Count, fromStream.Dataset.Count);
        Assert.Equal(
            await fromMemory.Dataset.GetBulk(DicomTags.PixelData).ReadAllAsync(),
            await fromStream.Dataset.GetBulk(DicomTags.PixelData).ReadAllAsync());
    }

    /// <summary>A stream that gives at most 7 bytes per read and cannot seek: values arrive in pieces.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, 7), bytes.Length - _position);
            Array.Copy(bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = Math.Min(Math.Min(buffer.Length, 7), bytes.Length - _position);
            bytes.AsMemory(_position, n).CopyTo(buffer);
            _position += n;
            return ValueTask.FromResult(n);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
