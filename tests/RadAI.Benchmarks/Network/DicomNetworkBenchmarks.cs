using System.Net;
using BenchmarkDotNet.Attributes;
using RadAI.Cli.Synthetic;
using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.Dicom.Network;

namespace RadAI.Benchmarks.Network;

/// <summary>
/// RadAI's DICOM client and server talking to each other in one process over 127.0.0.1 (shared/RadAI.Dicom/Network):
/// the protocol cost without process start-up or disk writes. One association is opened in the setup; the server
/// discards what it receives (<see cref="DiscardingStoreHandler"/>). A C-STORE is one complete round trip: the command,
/// the data set in P-DATA PDUs (max PDU 256 KiB both ways), the response. Files are read from the page cache.
/// </summary>
[MemoryDiagnoser]
[MediumRunJob]
public class DicomNetworkBenchmarks
{
    private DicomServer _server = null!;
    private DicomClient _client = null!;
    private DicomClientOptions _options = null!;
    private IReadOnlyList<PresentationContextProposal> _contexts = [];
    private string _folder = "";
    private string _ctPath = "";
    private string _smallPath = "";
    private DicomFile _ctInMemory = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _folder = Directory.CreateTempSubdirectory("radai-bench-network-").FullName;
        _ctPath = await WriteInstanceAsync(512, "ct512.dcm");
        _smallPath = await WriteInstanceAsync(64, "ct64.dcm");
        _ctInMemory = await DicomFile.ReadAsync(await File.ReadAllBytesAsync(_ctPath));

        _server = new DicomServer(
            new DicomServerOptions { AeTitle = "BENCH-SCP", Port = 0, BindAddress = IPAddress.Loopback, CheckCalledAeTitle = false },
            new DiscardingStoreHandler());
        await _server.StartAsync();
        _options = new DicomClientOptions { Host = "127.0.0.1", Port = _server.LocalEndPoint.Port, CalledAeTitle = "BENCH-SCP", CallingAeTitle = "BENCH-SCU" };
        _contexts =
        [
            new PresentationContextProposal(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian]),
            new PresentationContextProposal(3, DicomUids.CTImageStorage, [DicomUids.ExplicitVRLittleEndian]),
        ];
        _client = await DicomClient.ConnectAsync(_options, _contexts);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _client.ReleaseAsync();
        await _client.DisposeAsync();
        await _server.StopAsync(TimeSpan.FromSeconds(5));
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>C-ECHO on the open association: the smallest DIMSE round trip.</summary>
    [Benchmark(Baseline = true)]
    public Task<ushort> Echo() => _client.EchoAsync();

    /// <summary>C-STORE of one 512×512 CT file (≈ 514 KB; its data set bytes copied from the file as they are).</summary>
    [Benchmark]
    public Task<DicomStoreResponse> StoreCt512File() => _client.StoreFileAsync(_ctPath);

    /// <summary>C-STORE of one 64×64 CT file (≈ 10 KB): the per-instance overhead.</summary>
    [Benchmark]
    public Task<DicomStoreResponse> StoreCt64File() => _client.StoreFileAsync(_smallPath);

    /// <summary>C-STORE of the 512×512 CT already parsed in memory (the data set encoded by DicomWriter, no file I/O).</summary>
    [Benchmark]
    public Task<DicomStoreResponse> StoreCt512FromMemory() => _client.StoreAsync(_ctInMemory);

    /// <summary>A whole association: A-ASSOCIATE (TCP connect included), one C-ECHO, A-RELEASE.</summary>
    [Benchmark]
    public async Task<ushort> AssociateEchoRelease()
    {
        await using var client = await DicomClient.ConnectAsync(_options, _contexts);
        var status = await client.EchoAsync();
        await client.ReleaseAsync();
        return status;
    }

    private async Task<string> WriteInstanceAsync(int size, string name)
    {
        var dataset = new SyntheticCtSeries(new SyntheticCtOptions { Slices = 1, Rows = size, Columns = size, Seed = 1 }).CreateInstance(0);
        var path = Path.Combine(_folder, name);
        await new DicomFile(dataset).SaveAsync(path);
        return path;
    }

    /// <summary>An SCP store that reads every data set and keeps nothing.</summary>
    private sealed class DiscardingStoreHandler : IDicomStoreHandler
    {
        public ValueTask<IDicomStoreSink> BeginStoreAsync(DicomStoreRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IDicomStoreSink>(new Sink());

        private sealed class Sink : IDicomStoreSink
        {
            public ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken) => ValueTask.CompletedTask;

            public ValueTask<DicomStoreResult> CompleteAsync(CancellationToken cancellationToken) => ValueTask.FromResult(DicomStoreResult.Success);

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
