using System.Collections.Concurrent;
using System.Net;
using RadAI.Dicom.Network;
using RadAI.Testing;

namespace RadAI.PacsSender.Tests.Support;

/// <summary>
/// A PACS (RadAI's SCP) that stores one file per C-STORE received, under its SOP Instance UID, and can be told to answer
/// one SOP class with a failure status (A700, out of resources) a given number of times, or to hold every answer until
/// <see cref="Release"/>.
/// </summary>
public sealed class ScriptedPacs : IAsyncDisposable
{
    public const string AeTitle = "PACS";

    private readonly TemporaryDirectory _folder;
    private readonly DicomServer _server;
    private readonly Scripted _handler;

    private ScriptedPacs(TemporaryDirectory folder, DicomServer server, Scripted handler)
    {
        _folder = folder;
        _server = server;
        _handler = handler;
    }

    public int Port => _server.LocalEndPoint.Port;

    public string Output => Path.Combine(_folder.Path, "out");

    /// <summary>The calling AE titles with a C-STORE answer held (until <see cref="Release"/>, so all of them at once).</summary>
    public IReadOnlyList<string> HeldCallers => [.. _handler.HeldCallers.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Answers <paramref name="refusedSopClass"/> with A700 <paramref name="refusals"/> times.</summary>
    public static Task<ScriptedPacs> RefusingAsync(string refusedSopClass, int refusals) => StartAsync(refusedSopClass, refusals, hold: false);

    /// <summary>Holds every answer (the data set received, its status not sent) until <see cref="Release"/>.</summary>
    public static Task<ScriptedPacs> HoldingAsync() => StartAsync(refusedSopClass: null, refusals: 0, hold: true);

    /// <summary>Answers the held C-STOREs, and every later one at once.</summary>
    public void Release() => _handler.Gate.TrySetResult();

    /// <summary>How many times each SOP instance was stored.</summary>
    public IReadOnlyDictionary<string, int> StoredCounts() =>
        Directory.EnumerateDirectories(Output).Where(d => !Path.GetFileName(d).StartsWith('.'))
            .ToDictionary(d => Path.GetFileName(d), d => Directory.EnumerateFiles(d).Count(), StringComparer.Ordinal);

    public async ValueTask DisposeAsync()
    {
        Release();
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private static async Task<ScriptedPacs> StartAsync(string? refusedSopClass, int refusals, bool hold)
    {
        var folder = new TemporaryDirectory("radai-pacs");
        var output = Directory.CreateDirectory(Path.Combine(folder.Path, "out")).FullName;
        var store = new DicomFileStoreHandler(output, new DicomFileStoreOptions { RelativePath = r => $"{r.SopInstanceUid}/{r.Peer.AssociationId:N}-{r.MessageId}.dcm" });
        var handler = new Scripted(store, refusedSopClass, refusals);
        if (!hold)
        {
            handler.Gate.SetResult();
        }

        var server = new DicomServer(new DicomServerOptions { AeTitle = AeTitle, Port = 0, BindAddress = IPAddress.Loopback }, handler);
        await server.StartAsync();
        return new ScriptedPacs(folder, server, handler);
    }

    private sealed class Scripted(IDicomStoreHandler inner, string? refusedSopClass, int refusals) : IDicomStoreHandler
    {
        private int _left = refusals;

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentDictionary<string, bool> HeldCallers { get; } = new(StringComparer.Ordinal);

        public async ValueTask<IDicomStoreSink> BeginStoreAsync(DicomStoreRequest request, CancellationToken cancellationToken) =>
            request.SopClassUid == refusedSopClass && Interlocked.Decrement(ref _left) >= 0
                ? throw new DicomStoreRefusedException(0xA700, "out of resources (test)")
                : new HeldSink(await inner.BeginStoreAsync(request, cancellationToken), this, request.Peer.CallingAeTitle);
    }

    private sealed class HeldSink(IDicomStoreSink inner, Scripted pacs, string caller) : IDicomStoreSink
    {
        public ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken) => inner.WriteAsync(chunk, cancellationToken);

        public async ValueTask<DicomStoreResult> CompleteAsync(CancellationToken cancellationToken)
        {
            if (!pacs.Gate.Task.IsCompleted)
            {
                pacs.HeldCallers.TryAdd(caller, true);
                await pacs.Gate.Task.WaitAsync(cancellationToken);
            }

            return await inner.CompleteAsync(cancellationToken);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
