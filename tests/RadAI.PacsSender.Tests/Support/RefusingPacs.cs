using System.Net;
using RadAI.Dicom.Network;
using RadAI.Testing;

namespace RadAI.PacsSender.Tests.Support;

/// <summary>
/// A PACS (RadAI's SCP) that answers one SOP class with a failure status (A700, out of resources) a given number of
/// times, and stores everything else: one file per C-STORE received, under its SOP Instance UID.
/// </summary>
public sealed class RefusingPacs : IAsyncDisposable
{
    public const string AeTitle = "PACS";

    private readonly TemporaryDirectory _folder;
    private readonly DicomServer _server;

    private RefusingPacs(TemporaryDirectory folder, DicomServer server)
    {
        _folder = folder;
        _server = server;
    }

    public int Port => _server.LocalEndPoint.Port;

    public string Output => Path.Combine(_folder.Path, "out");

    public static async Task<RefusingPacs> StartAsync(string refusedSopClass, int refusals)
    {
        var folder = new TemporaryDirectory("radai-pacs");
        var output = Directory.CreateDirectory(Path.Combine(folder.Path, "out")).FullName;
        var store = new DicomFileStoreHandler(output, new DicomFileStoreOptions { RelativePath = r => $"{r.SopInstanceUid}/{r.Peer.AssociationId:N}-{r.MessageId}.dcm" });
        var server = new DicomServer(
            new DicomServerOptions { AeTitle = AeTitle, Port = 0, BindAddress = IPAddress.Loopback },
            new Refusing(store, refusedSopClass, refusals));
        await server.StartAsync();
        return new RefusingPacs(folder, server);
    }

    /// <summary>How many times each SOP instance was stored.</summary>
    public IReadOnlyDictionary<string, int> StoredCounts() =>
        Directory.EnumerateDirectories(Output).Where(d => !Path.GetFileName(d).StartsWith('.'))
            .ToDictionary(d => Path.GetFileName(d), d => Directory.EnumerateFiles(d).Count(), StringComparer.Ordinal);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private sealed class Refusing(IDicomStoreHandler inner, string sopClass, int refusals) : IDicomStoreHandler
    {
        private int _left = refusals;

        public ValueTask<IDicomStoreSink> BeginStoreAsync(DicomStoreRequest request, CancellationToken cancellationToken) =>
            request.SopClassUid == sopClass && Interlocked.Decrement(ref _left) >= 0
                ? throw new DicomStoreRefusedException(0xA700, "out of resources (test)")
                : inner.BeginStoreAsync(request, cancellationToken);
    }
}
