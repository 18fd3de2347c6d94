using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using RadAI.Hosting.Options;
using RadAI.Hosting.Storage;
using RadAI.Testing;
using Xunit;

namespace RadAI.ReportBuilder.Tests.Storage;

/// <summary>
/// Encryption at rest of the stores (shared/RadAI.Hosting/Storage): the chunked AES-GCM format, keys from secret files,
/// rotation, and every way a file can be damaged ending in a clear error. (Here because this project builds RadAI.Hosting
/// without a broker or database; the report pipeline's test of a real path is <see cref="Pipeline.EncryptedReportTests"/>.)
/// </summary>
[Collection(AllocationMeasurement.Name)]
public sealed class AtRestEncryptionTests : IDisposable
{
    private const int SmallChunk = 64;

    private readonly TemporaryDirectory _root = new("radai-at-rest");

    public void Dispose() => _root.Dispose();

    private string KeyFile(string id, bool base64 = false)
    {
        var path = Path.Combine(_root.Path, $"{id}.key");
        var key = RandomNumberGenerator.GetBytes(EncryptedFileFormat.KeyBytes);
        if (base64)
        {
            File.WriteAllText(path, Convert.ToBase64String(key) + "\n");
        }
        else
        {
            File.WriteAllBytes(path, key);
        }

        return path;
    }

    private FileStores Stores(string activeKeyId, Dictionary<string, string> keys, bool enabled = true, List<string>? stores = null) =>
        new(Options.Create(new StorageOptions
        {
            Root = _root.Path,
            Encryption = new StorageEncryptionOptions { Enabled = enabled, ActiveKeyId = activeKeyId, Keys = keys, Stores = stores ?? [] },
        }));

    private string ReportPath(FileStores stores, string name) => Path.Combine(stores.RootOf(StoreNames.Reports), "job", name);

    private static async Task<byte[]> SealAsync(byte[] plain, byte[] key, string keyId = "k1", int chunk = SmallChunk)
    {
        using var sealedBytes = new MemoryStream();
        await using (var sealing = new EncryptingStream(sealedBytes, keyId, key, chunk))
        {
            // Written in uneven pieces: chunk boundaries do not follow the writer's.
            for (var at = 0; at < plain.Length; at += 37)
            {
                await sealing.WriteAsync(plain.AsMemory(at, Math.Min(37, plain.Length - at)));
            }

            await sealing.CompleteAsync(CancellationToken.None);
        }

        return sealedBytes.ToArray();
    }

    private static async Task<byte[]> OpenAsync(byte[] sealedBytes, AtRestKeyRing keys)
    {
        await using var plain = await DecryptingStream.OpenAsync(new MemoryStream(sealedBytes), "report.pdf", keys, CancellationToken.None);
        using var copy = new MemoryStream();
        await plain.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static AtRestKeyRing Ring(string id, byte[] key) => new(new Dictionary<string, byte[]> { [id] = key }, id);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(SmallChunk - 1)]
    [InlineData(SmallChunk)]
    [InlineData(SmallChunk + 1)]
    [InlineData(3 * SmallChunk + 5)]
    public async Task What_is_sealed_opens_to_the_same_bytes_and_the_file_holds_none_of_them(int length)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var plain = new byte[length];
        new Random(length).NextBytes(plain);

        var sealedBytes = await SealAsync(plain, key);

        Assert.True(sealedBytes.AsSpan().StartsWith(EncryptedFileFormat.Magic));
        Assert.Equal(plain, await OpenAsync(sealedBytes, Ring("k1", key)));
        if (length >= 16)
        {
            Assert.Equal(-1, sealedBytes.AsSpan().IndexOf(plain.AsSpan(0, 16)));
        }
    }

    [Fact]
    public async Task Synchronous_writers_and_readers_see_the_same_format()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var plain = RandomNumberGenerator.GetBytes(5 * SmallChunk + 3);
        using var sealedBytes = new MemoryStream();
        await using (var sealing = new EncryptingStream(sealedBytes, "k1", key, SmallChunk))
        {
            sealing.Write(plain, 0, 100);
            sealing.Write(plain.AsSpan(100));
            await sealing.CompleteAsync(CancellationToken.None);
        }

        await using var opened = await DecryptingStream.OpenAsync(new MemoryStream(sealedBytes.ToArray()), "sync", Ring("k1", key), CancellationToken.None);
        using var copy = new MemoryStream();
        opened.CopyTo(copy);
        Assert.Equal(plain, copy.ToArray());
    }

    [Fact]
    public async Task A_changed_byte_anywhere_after_the_magic_is_a_clear_error()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var plain = RandomNumberGenerator.GetBytes(3 * SmallChunk);
        var sealedBytes = await SealAsync(plain, key);

        // Every byte past the magic: header, flags, length, nonce, ciphertext, tag.
        for (var at = EncryptedFileFormat.Magic.Length; at < sealedBytes.Length; at++)
        {
            var altered = (byte[])sealedBytes.Clone();
            altered[at] ^= 0x01;
            var error = await Assert.ThrowsAnyAsync<Exception>(() => OpenAsync(altered, Ring("k1", key)));
            Assert.True(error is InvalidDataException, $"byte {at}: {error.GetType().Name}: {error.Message}");
            Assert.Contains("report.pdf", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_file_cut_at_a_chunk_boundary_or_inside_a_chunk_is_truncated_and_chunks_swapped_fail_authentication()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var sealedBytes = await SealAsync(RandomNumberGenerator.GetBytes(3 * SmallChunk), key);
        var header = EncryptedFileFormat.Header("k1", SmallChunk).Length;
        var chunk = EncryptedFileFormat.ChunkPrefixBytes + SmallChunk + EncryptedFileFormat.TagBytes;
        Assert.Equal(header + 3 * chunk, sealedBytes.Length);

        // Cut after whole chunks (the final one dropped): every byte returned was authentic, but the end is missing.
        var atBoundary = await Assert.ThrowsAsync<InvalidDataException>(() => OpenAsync(sealedBytes[..(header + 2 * chunk)], Ring("k1", key)));
        Assert.Contains("truncated", atBoundary.Message, StringComparison.Ordinal);
        var inside = await Assert.ThrowsAsync<InvalidDataException>(() => OpenAsync(sealedBytes[..(header + chunk + 10)], Ring("k1", key)));
        Assert.Contains("truncated", inside.Message, StringComparison.Ordinal);
        var headerOnly = await Assert.ThrowsAsync<InvalidDataException>(() => OpenAsync(sealedBytes[..header], Ring("k1", key)));
        Assert.Contains("truncated", headerOnly.Message, StringComparison.Ordinal);

        var swapped = (byte[])sealedBytes.Clone();
        sealedBytes.AsSpan(header, chunk).CopyTo(swapped.AsSpan(header + chunk));
        sealedBytes.AsSpan(header + chunk, chunk).CopyTo(swapped.AsSpan(header));
        var reordered = await Assert.ThrowsAsync<InvalidDataException>(() => OpenAsync(swapped, Ring("k1", key)));
        Assert.Contains("fails authentication at chunk 0", reordered.Message, StringComparison.Ordinal);

        var appended = await Assert.ThrowsAsync<InvalidDataException>(() => OpenAsync([.. sealedBytes, 0], Ring("k1", key)));
        Assert.Contains("after its final chunk", appended.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_sealed_with_a_key_that_is_not_configured_names_that_key_and_another_key_under_its_id_fails_authentication()
    {
        var sealedBytes = await SealAsync(RandomNumberGenerator.GetBytes(100), RandomNumberGenerator.GetBytes(32), keyId: "2025-old");

        var unknown = await Assert.ThrowsAsync<InvalidDataException>(() => OpenAsync(sealedBytes, Ring("2026-new", RandomNumberGenerator.GetBytes(32))));
        Assert.Contains("'2025-old'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("Storage:Encryption:Keys:2025-old", unknown.Message, StringComparison.Ordinal);

        var wrong = await Assert.ThrowsAsync<InvalidDataException>(() => OpenAsync(sealedBytes, Ring("2025-old", RandomNumberGenerator.GetBytes(32))));
        Assert.Contains("fails authentication", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_rotation_new_files_use_the_new_key_old_files_stay_readable_and_plain_files_read_as_they_are()
    {
        var keys = new Dictionary<string, string> { ["k2025"] = KeyFile("k2025"), ["k2026"] = KeyFile("k2026", base64: true) };
        var before = Stores("k2025", keys);
        var plainPath = ReportPath(before, "before-encryption.json");
        Directory.CreateDirectory(Path.GetDirectoryName(plainPath)!);
        await File.WriteAllTextAsync(plainPath, "{\"plain\":true}");
        var oldPath = ReportPath(before, "old.pdf");
        await before.WriteAsync(oldPath, (s, ct) => s.WriteAsync("%PDF-old"u8.ToArray(), ct).AsTask());

        var after = Stores("k2026", keys);
        var newPath = ReportPath(after, "new.pdf");
        await after.WriteAsync(newPath, (s, ct) => s.WriteAsync("%PDF-new"u8.ToArray(), ct).AsTask());

        Assert.Equal(EncryptedFileFormat.Header("k2025", EncryptedFileFormat.DefaultChunkBytes), (await File.ReadAllBytesAsync(oldPath))[..EncryptedFileFormat.Header("k2025", EncryptedFileFormat.DefaultChunkBytes).Length]);
        Assert.Equal(EncryptedFileFormat.Header("k2026", EncryptedFileFormat.DefaultChunkBytes), (await File.ReadAllBytesAsync(newPath))[..EncryptedFileFormat.Header("k2026", EncryptedFileFormat.DefaultChunkBytes).Length]);
        Assert.Equal("%PDF-old"u8.ToArray(), await after.ReadAllBytesAsync(oldPath));
        Assert.Equal("%PDF-new"u8.ToArray(), await after.ReadAllBytesAsync(newPath));
        Assert.Equal("{\"plain\":true}"u8.ToArray(), await after.ReadAllBytesAsync(plainPath));

        // By default every store is covered; a store left out of Storage:Encryption:Stores keeps writing plain files.
        var resultPath = Path.Combine(after.RootOf(StoreNames.Results), "job", "findings.json");
        await after.WriteAsync(resultPath, (s, ct) => s.WriteAsync("{}"u8.ToArray(), ct).AsTask());
        Assert.True((await File.ReadAllBytesAsync(resultPath)).AsSpan().StartsWith(EncryptedFileFormat.Magic));
        Assert.True(after.EncryptsAt(Path.Combine(after.RootOf(StoreNames.Instances), "study", "series", "1.dcm")));
        var reportsOnly = Stores("k2026", keys, stores: [StoreNames.Reports]);
        await reportsOnly.WriteAsync(resultPath, (s, ct) => s.WriteAsync("{}"u8.ToArray(), ct).AsTask());
        Assert.Equal("{}"u8.ToArray(), await File.ReadAllBytesAsync(resultPath));
        Assert.False(reportsOnly.EncryptsAt(Path.Combine(reportsOnly.RootOf(StoreNames.Instances), "study", "series", "1.dcm")));

        // With encryption turned off, what was written encrypted stays readable.
        var off = Stores("k2026", keys, enabled: false);
        Assert.Equal("%PDF-new"u8.ToArray(), await off.ReadAllBytesAsync(newPath));
    }

    [Fact]
    public async Task A_large_file_streams_through_with_memory_bounded_by_its_chunks()
    {
        var stores = Stores("k1", new Dictionary<string, string> { ["k1"] = KeyFile("k1") });
        var path = ReportPath(stores, "large.bin");
        const int Blocks = 96;
        var block = new byte[1024 * 1024];
        new Random(7).NextBytes(block);
        using var expected = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var i = 0; i < Blocks; i++)
        {
            expected.AppendData(block);
        }

        var fileBytes = (long)Blocks * block.Length;

        // Measured over the process (no other test runs meanwhile: see AllocationMeasurement), whatever thread each await resumes on.
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await stores.WriteAsync(path, async (stream, ct) =>
        {
            for (var i = 0; i < Blocks; i++)
            {
                await stream.WriteAsync(block, ct);
            }
        });
        var writeAllocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(new FileInfo(path).Length > fileBytes);

        before = GC.GetTotalAllocatedBytes(precise: true);
        using var actual = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var plain = await stores.OpenReadAsync(path))
        {
            int count;
            while ((count = await plain.ReadAsync(block)) > 0)
            {
                actual.AppendData(block, 0, count);
            }
        }

        var readAllocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal(expected.GetHashAndReset(), actual.GetHashAndReset());

        // About two chunks' buffers each way (1 MiB chunks), for a file of 96 MiB.
        Assert.True(writeAllocated < 12 * 1024 * 1024, $"{writeAllocated} bytes allocated writing {fileBytes}");
        Assert.True(readAllocated < 12 * 1024 * 1024, $"{readAllocated} bytes allocated reading {fileBytes}");
    }

    [Fact]
    public void Start_fails_naming_a_missing_or_short_key_and_an_active_key_that_is_not_configured()
    {
        var shortKey = Path.Combine(_root.Path, "short.key");
        File.WriteAllBytes(shortKey, new byte[31]);
        var options = new StorageOptions
        {
            Root = _root.Path,
            Encryption = new StorageEncryptionOptions
            {
                Enabled = true,
                ActiveKeyId = "absent",
                Keys = new Dictionary<string, string> { ["missing"] = Path.Combine(_root.Path, "nope.key"), ["short"] = shortKey, ["good"] = KeyFile("good", base64: true) },
            },
        };

        var result = new DataAnnotationsPathValidator<StorageOptions>(StorageOptions.SectionName).Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("Storage:Encryption:Keys:missing:", StringComparison.Ordinal) && f.Contains("does not exist", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Storage:Encryption:Keys:short:", StringComparison.Ordinal) && f.Contains("32 bytes", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Storage:Encryption:ActiveKeyId:", StringComparison.Ordinal) && f.Contains("'absent'", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.Contains(":good", StringComparison.Ordinal));
        Assert.Equal(3, failures.Count);

        options.Encryption.ActiveKeyId = "good";
        options.Encryption.Keys.Remove("missing");
        options.Encryption.Keys.Remove("short");
        Assert.True(new DataAnnotationsPathValidator<StorageOptions>(StorageOptions.SectionName).Validate(null, options).Succeeded);
        Assert.Empty(new List<ValidationResult>(options.Encryption.Validate(new ValidationContext(options.Encryption))));
    }
}

/// <summary>Tests that count the process's allocations run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurement
{
    public const string Name = "Allocation measurement";
}
