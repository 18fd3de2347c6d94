using System.Buffers.Binary;
using System.Security.Cryptography;
using RadAI.Dicom.IO;
using RadAI.Dicom.Network;
using RadAI.Testing;
using Xunit;
using Xunit.Abstractions;

namespace RadAI.Dicom.Tests.Network;

/// <summary>
/// Runs alone (no other test allocating or opening files meanwhile), so that the process's allocations and file
/// descriptors are the network layer's.
/// </summary>
[CollectionDefinition(nameof(IsolatedMeasurementCollection), DisableParallelization = true)]
public sealed class IsolatedMeasurementCollection;

/// <summary>
/// A 64 MiB instance streamed through the SCP (from storescu) and through the SCU (to storescp): the managed memory
/// allocated meanwhile stays far below the instance size (data sets are streamed, never held), and the copy is exact.
/// 200 concurrent associations: all served, and every socket and file closed afterwards.
/// </summary>
[Collection(nameof(IsolatedMeasurementCollection))]
public sealed class IsolatedMeasurementTests(ITestOutputHelper output)
{
    private const int Rows = 4096;
    private const int Columns = 8192;
    private const long PixelBytes = (long)Rows * Columns * 2;
    private const long AllowedAllocation = 16 * 1024 * 1024;

    [Fact]
    public async Task Scp_receives_a_64_mib_instance_in_flat_memory()
    {
        using var work = new TemporaryDirectory();
        var source = await WriteLargeInstanceAsync(Path.Combine(work.Path, "large.dcm"));
        await using var scp = await ScpUnderTest.StartAsync();

        var (allocated, store) = await MeasureAsync(() => Dcmtk.RunAsync("storescu", "-aec", ScpUnderTest.AeTitle, "127.0.0.1", DcmtkToScpTests.Port(scp), source));

        Assert.True(store.ExitCode == 0, store.Output + store.Error);
        output.WriteLine($"SCP: {allocated / 1024} KiB allocated while receiving {PixelBytes / (1024 * 1024)} MiB");
        Assert.True(allocated < AllowedAllocation, $"{allocated} bytes allocated while receiving a {PixelBytes}-byte instance");
        Assert.Equal(await DatasetHashAsync(source), await DatasetHashAsync(Assert.Single(scp.StoredFiles())));
    }

    [Fact]
    public async Task Scu_sends_a_64_mib_instance_in_flat_memory()
    {
        using var work = new TemporaryDirectory();
        var source = await WriteLargeInstanceAsync(Path.Combine(work.Path, "large.dcm"));
        var received = Directory.CreateDirectory(Path.Combine(work.Path, "storescp")).FullName;
        var (storescp, port) = await Dcmtk.StartStorescpAsync(received, ["-aet", "STORESCP"]);
        await using var _ = storescp;

        var (allocated, results) = await MeasureAsync(() => DicomSender.SendAsync(ScuToPeersTests.Options(port, "STORESCP"), [source]));

        Assert.True(Assert.Single(results).Status == DimseStatus.Success, results[0].ToString());
        output.WriteLine($"SCU: {allocated / 1024} KiB allocated while sending {PixelBytes / (1024 * 1024)} MiB");
        Assert.True(allocated < AllowedAllocation, $"{allocated} bytes allocated while sending a {PixelBytes}-byte instance");
        Assert.Equal(await DatasetHashAsync(source), await DatasetHashAsync(Assert.Single(Directory.GetFiles(received))));
    }

    /// <summary>200 associations at once, each storing an instance: all stored; the 201st is rejected; all resources released.</summary>
    [Fact]
    public async Task Two_hundred_concurrent_associations_each_store_an_instance()
    {
        const int Count = 200;
        await using var scp = await ScpUnderTest.StartAsync(new DicomServerOptions { MaxAssociations = Count });
        var descriptors = OpenDescriptors();
        var source = await DicomFile.ReadAsync(await File.ReadAllBytesAsync(Corpus.CtSmall));
        var contexts = new[] { new PresentationContextProposal(1, DicomUids.CTImageStorage, [DicomUids.ExplicitVRLittleEndian]) };
        var options = scp.Client() with { MaxPduLength = 16384 };

        var clients = await Task.WhenAll(Enumerable.Range(0, Count).Select(_ => DicomClient.ConnectAsync(options, contexts)));
        try
        {
            Assert.Equal(Count, scp.Server.ActiveAssociations);
            var over = await Assert.ThrowsAsync<DicomAssociationRejectedException>(() => DicomClient.ConnectAsync(options, contexts));
            Assert.Equal(AssociateReject.LocalLimitExceeded, over.Reject);

            var responses = await Task.WhenAll(clients.Select(async (client, i) =>
            {
                var dataset = source.Dataset.Clone().AddOrUpdate(DicomTags.SOPInstanceUID, DicomVR.UI, $"1.2.826.0.1.3680043.10.1234.{i + 1}");
                var response = await client.StoreAsync(new DicomFile(dataset, DicomTransferSyntax.ExplicitVRLittleEndian));
                await client.ReleaseAsync();
                return response;
            }));

            Assert.All(responses, r => Assert.True(r.IsSuccess, r.ToString()));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }

        await scp.IdleAsync();
        Assert.Equal(Count, scp.StoredFiles().Count);
        Assert.Empty(scp.IncomingFiles());
        // Every socket and file of the 200 associations (both sides are in this process) is closed again.
        await Eventually.UntilAsync(() => Task.FromResult(OpenDescriptors() <= descriptors + 8), TimeSpan.FromSeconds(30), $"the open file descriptors to go back to at most {descriptors + 8}");
    }

    private static int OpenDescriptors() => Directory.GetFileSystemEntries("/proc/self/fd").Length;

    private static async Task<(long Allocated, T Result)> MeasureAsync<T>(Func<Task<T>> action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var result = await action();
        return (GC.GetTotalAllocatedBytes(precise: true) - before, result);
    }

    /// <summary>A CT-like instance of 4096 x 8192 16-bit pixels, its pixel data written in 1 MiB chunks (never whole in memory).</summary>
    private static async Task<string> WriteLargeInstanceAsync(string path)
    {
        var dataset = new DicomDataset()
            .AddOrUpdate(DicomTags.SOPClassUID, DicomVR.UI, DicomUids.CTImageStorage)
            .AddOrUpdate(DicomTags.SOPInstanceUID, DicomVR.UI, "1.2.826.0.1.3680043.10.1234.64")
            .AddOrUpdate(DicomTags.StudyInstanceUID, DicomVR.UI, "1.2.826.0.1.3680043.10.1234.64.1")
            .AddOrUpdate(DicomTags.SeriesInstanceUID, DicomVR.UI, "1.2.826.0.1.3680043.10.1234.64.2")
            .AddOrUpdate(DicomTags.Modality, DicomVR.CS, "CT")
            .AddOrUpdate(DicomTags.PatientName, DicomVR.PN, "Large^Instance")
            .AddOrUpdate(DicomTags.SamplesPerPixel, DicomVR.US, (ushort)1)
            .AddOrUpdate(DicomTags.PhotometricInterpretation, DicomVR.CS, "MONOCHROME2")
            .AddOrUpdate(DicomTags.Rows, DicomVR.US, (ushort)Rows)
            .AddOrUpdate(DicomTags.Columns, DicomVR.US, (ushort)Columns)
            .AddOrUpdate(DicomTags.BitsAllocated, DicomVR.US, (ushort)16)
            .AddOrUpdate(DicomTags.BitsStored, DicomVR.US, (ushort)16)
            .AddOrUpdate(DicomTags.HighBit, DicomVR.US, (ushort)15)
            .AddOrUpdate(DicomTags.PixelRepresentation, DicomVR.US, (ushort)0);
        await new DicomFile(dataset, DicomTransferSyntax.ExplicitVRLittleEndian).SaveAsync(path);
        await using var stream = new FileStream(path, FileMode.Append, FileAccess.Write);
        var header = new byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(header, 0x7FE0);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), 0x0010);
        "OW"u8.CopyTo(header.AsSpan(4));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)PixelBytes);
        await stream.WriteAsync(header);
        var chunk = new byte[1024 * 1024];
        var random = new Random(64);
        for (long written = 0; written < PixelBytes; written += chunk.Length)
        {
            random.NextBytes(chunk);
            await stream.WriteAsync(chunk);
        }

        return path;
    }

    /// <summary>SHA-256 of the data set bytes of a Part 10 file (after its meta group), streamed.</summary>
    private static async Task<string> DatasetHashAsync(string path)
    {
        var file = await DicomFile.OpenAsync(path, DicomReadOptions.Default with { StopBeforeTag = DicomTags.PixelData });
        await using var stream = File.OpenRead(path);
        stream.Position = file.DatasetOffset!.Value;
        return Convert.ToHexString(await SHA256.HashDataAsync(stream));
    }
}
