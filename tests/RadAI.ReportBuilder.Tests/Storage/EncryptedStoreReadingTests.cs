using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.Dicom.Network;
using RadAI.Hosting.Storage;
using RadAI.Testing;
using Xunit;

namespace RadAI.ReportBuilder.Tests.Storage;

/// <summary>
/// Reading encrypted store files as DICOM readers need them: <see cref="DecryptingStream"/> seeks (by chunk, each chunk
/// authenticated when read) and knows its length (the final chunk authenticated); a DICOM file read through
/// <see cref="FileStores.DicomSourceOf"/> keeps its pixel data lazy (read by seeking, memory flat); C-STORE from an
/// encrypted file sends the plain DICOM bytes. Damage, and a wrong or missing key, are clear errors naming the file and key.
/// </summary>
[Collection(AllocationMeasurement.Name)]
public sealed class EncryptedStoreReadingTests : IDisposable
{
    private const int SmallChunk = 64;

    private readonly TemporaryDirectory _root = new("radai-at-rest-read");

    public void Dispose() => _root.Dispose();

    private static async Task<byte[]> SealAsync(byte[] plain, byte[] key, string keyId = "k1", int chunk = SmallChunk)
    {
        using var sealedBytes = new MemoryStream();
        await using (var sealing = new EncryptingStream(sealedBytes, keyId, key, chunk))
        {
            await sealing.WriteAsync(plain);
            await sealing.CompleteAsync(CancellationToken.None);
        }

        return sealedBytes.ToArray();
    }

    private static AtRestKeyRing Ring(string id, byte[] key) => new(new Dictionary<string, byte[]> { [id] = key }, id);

    private FileStores Stores(bool enabled = true)
    {
        var keyPath = Path.Combine(_root.Path, "store.key");
        if (!File.Exists(keyPath))
        {
            File.WriteAllBytes(keyPath, RandomNumberGenerator.GetBytes(EncryptedFileFormat.KeyBytes));
        }

        return new FileStores(Options.Create(new StorageOptions
        {
            Root = _root.Path,
            Encryption = new StorageEncryptionOptions { Enabled = enabled, ActiveKeyId = "store-1", Keys = new() { ["store-1"] = keyPath } },
        }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(SmallChunk - 1)]
    [InlineData(SmallChunk)]
    [InlineData(SmallChunk + 1)]
    [InlineData(7 * SmallChunk + 5)]
    public async Task Seeking_anywhere_reads_the_bytes_of_that_position_and_the_length_is_the_plaintexts(int length)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var plain = new byte[length];
        new Random(length).NextBytes(plain);
        var sealedBytes = await SealAsync(plain, key);

        await using var stream = await DecryptingStream.OpenAsync(new MemoryStream(sealedBytes), "seek.bin", Ring("k1", key), CancellationToken.None);
        Assert.True(stream.CanSeek);
        Assert.Equal(length, stream.Length);
        Assert.Equal("k1", stream.KeyId);

        var random = new Random(length + 1);
        var buffer = new byte[SmallChunk * 3];
        for (var i = 0; i < 40; i++)
        {
            var at = random.Next(0, length + 2);
            var want = random.Next(1, buffer.Length);
            // Every origin, synchronous and asynchronous reads alike.
            switch (i % 3)
            {
                case 0:
                    stream.Position = at;
                    break;
                case 1:
                    stream.Seek(at - stream.Position, SeekOrigin.Current);
                    break;
                default:
                    stream.Seek(at - length, SeekOrigin.End);
                    break;
            }

            var read = i % 2 == 0
                ? await stream.ReadAtLeastAsync(buffer.AsMemory(0, want), want, throwOnEndOfStream: false)
                : stream.ReadAtLeast(buffer.AsSpan(0, want), want, throwOnEndOfStream: false);
            var expected = Math.Max(0, Math.Min(want, length - at));
            Assert.Equal(expected, read);
            Assert.Equal(plain.AsSpan(Math.Min(at, length), expected).ToArray(), buffer.AsSpan(0, read).ToArray());
            Assert.Equal(at + expected, stream.Position);
        }

        // Back to the start, then the whole file sequentially.
        stream.Position = 0;
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(plain, copy.ToArray());
    }

    [Fact]
    public async Task A_file_cut_at_a_chunk_boundary_has_no_length_and_a_damaged_chunk_reached_by_seeking_fails_naming_the_file_and_key()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var sealedBytes = await SealAsync(RandomNumberGenerator.GetBytes(4 * SmallChunk + 10), key, keyId: "rot-2026");
        var header = EncryptedFileFormat.Header("rot-2026", SmallChunk).Length;
        var chunk = EncryptedFileFormat.ChunkPrefixBytes + SmallChunk + EncryptedFileFormat.TagBytes;

        // Cut after whole chunks: every chunk left is authentic, but the final one (sealed as final) is gone.
        await using (var cut = await DecryptingStream.OpenAsync(new MemoryStream(sealedBytes[..(header + 3 * chunk)]), "instances/cut.dcm", Ring("rot-2026", key), CancellationToken.None))
        {
            var error = Assert.Throws<InvalidDataException>(() => cut.Length);
            Assert.Contains("instances/cut.dcm", error.Message, StringComparison.Ordinal);
            Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        }

        // Cut inside the final chunk.
        await using (var inside = await DecryptingStream.OpenAsync(new MemoryStream(sealedBytes[..^3]), "instances/inside.dcm", Ring("rot-2026", key), CancellationToken.None))
        {
            var error = Assert.Throws<InvalidDataException>(() => inside.Length);
            Assert.Contains("instances/inside.dcm", error.Message, StringComparison.Ordinal);
        }

        // One bit of chunk 2 flipped: reading there by seeking fails authentication, naming the chunk and the key id.
        var altered = (byte[])sealedBytes.Clone();
        altered[header + (2 * chunk) + EncryptedFileFormat.ChunkPrefixBytes + 5] ^= 0x10;
        await using (var damaged = await DecryptingStream.OpenAsync(new MemoryStream(altered), "instances/altered.dcm", Ring("rot-2026", key), CancellationToken.None))
        {
            damaged.Position = (2 * SmallChunk) + 3;
            var error = await Assert.ThrowsAsync<InvalidDataException>(() => damaged.ReadAsync(new byte[4]).AsTask());
            Assert.Contains("instances/altered.dcm", error.Message, StringComparison.Ordinal);
            Assert.Contains("chunk 2", error.Message, StringComparison.Ordinal);
            Assert.Contains("'rot-2026'", error.Message, StringComparison.Ordinal);

            // The chunks before it are intact, and read.
            damaged.Position = SmallChunk;
            Assert.Equal(4, await damaged.ReadAsync(new byte[4]));
        }

        // A key id this node does not have: named, with the setting that would provide it.
        var unknown = Assert.Throws<InvalidDataException>(() => DecryptingStream.Open(new MemoryStream(sealedBytes), "instances/a.dcm", Ring("other", key)));
        Assert.Contains("'rot-2026'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("Storage:Encryption:Keys:rot-2026", unknown.Message, StringComparison.Ordinal);

        // Another key under the same id: the first chunk read fails authentication.
        await using var wrong = DecryptingStream.Open(new MemoryStream(sealedBytes), "instances/b.dcm", Ring("rot-2026", RandomNumberGenerator.GetBytes(32)));
        var mismatch = Assert.Throws<InvalidDataException>(() => wrong.ReadByte());
        Assert.Contains("fails authentication", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains("instances/b.dcm", mismatch.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_large_encrypted_dicom_file_opens_with_its_pixel_data_left_on_disk_and_a_frame_is_read_by_seeking()
    {
        var stores = Stores();
        const int Frames = 24;
        const int FrameBytes = 1024 * 1024 * 2;
        var (plainFile, pixels) = await WriteImageAsync(stores, "big.dcm", Frames, FrameBytes);
        Assert.True(File.ReadAllBytes(plainFile).AsSpan().StartsWith(EncryptedFileFormat.Header("store-1", EncryptedFileFormat.DefaultChunkBytes)));

        // Steady state (dictionaries, key ring) before measuring.
        _ = await DicomFile.OpenAsync(stores.DicomSourceOf(plainFile), new DicomReadOptions { StopBeforeTag = DicomTags.PixelData });
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var file = await DicomFile.OpenAsync(stores.DicomSourceOf(plainFile));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal("ZZCLEARTEXT^PROBE", file.Dataset.GetString(DicomTags.PatientName));
        var bulk = Assert.IsType<DicomSourceBulkValue>(file.Dataset.GetBulk(DicomTags.PixelData));
        Assert.Equal((long)Frames * FrameBytes, bulk.Length);
        Assert.True(allocated < 6 * 1024 * 1024, $"opening a {Frames * FrameBytes / (1024 * 1024)} MiB encrypted file allocated {allocated} bytes");

        // One frame, read by seeking to it: the bytes of that frame.
        Assert.Equal(pixels.AsSpan(17 * FrameBytes + 3, 4096).ToArray(), await bulk.ReadRangeAsync((17L * FrameBytes) + 3, 4096));
        await using (var whole = bulk.OpenRead())
        {
            var head = new byte[1000];
            await whole.ReadExactlyAsync(head);
            Assert.Equal(pixels.AsSpan(0, 1000).ToArray(), head);
        }

        // The data set's bytes come back through the file's source (what a sender copies as it is).
        Assert.NotNull(file.Source);
        Assert.NotNull(file.DatasetOffset);
    }

    [Fact]
    public async Task A_plain_file_written_before_encryption_reads_through_the_same_source_as_it_is()
    {
        var (plainFile, pixels) = await WriteImageAsync(Stores(enabled: false), "plain.dcm", 2, 128 * 1024);
        Assert.Equal("DICM"u8.ToArray(), File.ReadAllBytes(plainFile)[128..132]);

        var file = await DicomFile.OpenAsync(Stores().DicomSourceOf(plainFile));
        var bulk = Assert.IsType<DicomFileBulkValue>(file.Dataset.GetBulk(DicomTags.PixelData));
        Assert.Equal(pixels, await bulk.ReadAllAsync());
    }

    [Fact]
    public async Task C_store_from_an_encrypted_file_sends_the_plain_dicom_object()
    {
        var stores = Stores();
        var (path, pixels) = await WriteImageAsync(stores, "send.dcm", 3, 512 * 1024);
        await using var pacs = await Storescp.StartAsync(Path.Combine(_root.Path, "pacs"), FreePort.Next());

        var results = await DicomSender.SendAsync(
            new DicomClientOptions { Host = "127.0.0.1", Port = pacs.Port, CallingAeTitle = "RADAI", CalledAeTitle = Storescp.AeTitle },
            [stores.DicomSourceOf(path)]);

        var result = Assert.Single(results);
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(path, result.Path);
        var received = await DicomFile.OpenAsync(Assert.Single(pacs.Files()));
        Assert.Equal("ZZCLEARTEXT^PROBE", received.Dataset.GetString(DicomTags.PatientName));
        Assert.Equal(pixels, await received.Dataset.GetBulk(DicomTags.PixelData).ReadAllAsync());
    }

    [Fact]
    public void An_unknown_store_in_the_covered_stores_stops_the_start()
    {
        var options = new StorageEncryptionOptions { Stores = ["reports", "archive"] };
        var failures = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();
        var failure = Assert.Single(failures);
        Assert.Contains("'archive'", failure.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal([StoreNames.Instances, StoreNames.Results, StoreNames.Reports], new StorageEncryptionOptions().CoveredStores);
    }

    /// <summary>A multi-frame image with <paramref name="frames"/> frames of random pixels, written into the instances store.</summary>
    private async Task<(string Path, byte[] Pixels)> WriteImageAsync(FileStores stores, string name, int frames, int frameBytes)
    {
        var pixels = new byte[frames * frameBytes];
        new Random(frames).NextBytes(pixels);
        var dataset = new DicomDataset()
            .AddOrUpdate(DicomTags.SOPClassUID, DicomUids.SecondaryCaptureImageStorage)
            .AddOrUpdate(DicomTags.SOPInstanceUID, DicomUidGenerator.New())
            .AddOrUpdate(DicomTags.StudyInstanceUID, DicomUidGenerator.New())
            .AddOrUpdate(DicomTags.SeriesInstanceUID, DicomUidGenerator.New())
            .AddOrUpdate(DicomTags.PatientName, "ZZCLEARTEXT^PROBE")
            .AddOrUpdate(DicomTags.Modality, "OT")
            .AddOrUpdate(DicomTags.SamplesPerPixel, (ushort)1)
            .AddOrUpdate(DicomTags.PhotometricInterpretation, "MONOCHROME2")
            .AddOrUpdate(DicomTags.Rows, (ushort)(frameBytes / 1024))
            .AddOrUpdate(DicomTags.Columns, (ushort)1024)
            .AddOrUpdate(DicomTags.NumberOfFrames, frames.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .AddOrUpdate(DicomTags.BitsAllocated, (ushort)8)
            .AddOrUpdate(DicomTags.BitsStored, (ushort)8)
            .AddOrUpdate(DicomTags.HighBit, (ushort)7)
            .AddOrUpdate(DicomTags.PixelRepresentation, (ushort)0)
            .AddOrUpdateBytes(DicomTags.PixelData, DicomVR.OB, pixels);
        var path = Path.Combine(stores.RootOf(StoreNames.Instances), "study", "series", name);
        await stores.WriteAsync(path, (stream, ct) => new DicomFile(dataset).SaveAsync(stream, cancellationToken: ct));
        return (path, pixels);
    }
}
