using RadAI.Dicom;
using RadAI.Dicom.Network;
using RadAI.Testing;
using Xunit;

namespace RadAI.Ingest.Tests.Support;

/// <summary>
/// Everything one ingest configuration needs on the real servers: a database, a private vhost with a
/// StudyReceived consumer on it, a store folder and the ingest process. Shared by the tests of a class
/// (each test sends its own study), or owned by one test (crash tests).
/// </summary>
public class IngestEnvironment : IAsyncLifetime, IDisposable
{
    private readonly TemporaryDirectory _work = new("radai-ingest-test");

    public PostgresTestDatabase Database { get; private set; } = null!;

    public RabbitMqTestVirtualHost Broker { get; private set; } = null!;

    public StudyReceivedRecorder Recorder { get; private set; } = null!;

    public IngestHost Ingest { get; set; } = null!;

    public IngestIndex Index { get; private set; } = null!;

    /// <summary>Scratch space for the studies a test writes.</summary>
    public string WorkFolder => _work.Path;

    /// <summary>A new empty folder under the work folder.</summary>
    public string NewFolder(string name)
    {
        var path = Path.Combine(_work.Path, $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    public async Task InitializeAsync()
    {
        Database = await PostgresTestDatabase.CreateAsync();
        Broker = await RabbitMqTestVirtualHost.CreateAsync();
        Index = new IngestIndex(Database.ConnectionString);
        // The consumer's queue exists before anything is published.
        Recorder = await StudyReceivedRecorder.StartAsync(Broker);
        var settings = IngestHost.DefaultSettings(Database, Broker, Path.Combine(_work.Path, "store"));
        Configure(settings);
        Ingest = await IngestHost.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        if (Ingest is not null)
        {
            await Ingest.DisposeAsync();
        }

        if (Recorder is not null)
        {
            await Recorder.DisposeAsync();
        }

        if (Broker is not null)
        {
            await Broker.DisposeAsync();
        }

        if (Database is not null)
        {
            await Database.DisposeAsync();
        }

        _work.Dispose();
    }

    public void Dispose()
    {
        _work.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Stores every instance of <paramref name="study"/> over one association (each acknowledged, so durably stored),
    /// then kills the process while that association is still open: nothing completes. Returns what the sender
    /// proposed, to send again after <see cref="RestartAndStoreAgainAsync"/>.
    /// </summary>
    public async Task<(DicomClientOptions Options, List<PresentationContextProposal> Contexts)> StoreEveryInstanceThenKillAsync(SyntheticStudy study, string sender)
    {
        var contexts = study.Series
            .Select((s, i) => new PresentationContextProposal((byte)(2 * i + 1), s.Spec.SopClassUid, [DicomUids.ExplicitVRLittleEndian]))
            .ToList();
        var options = new DicomClientOptions { Host = "127.0.0.1", Port = Ingest.Port, CallingAeTitle = sender, CalledAeTitle = IngestHost.AeTitle };
        var client = await DicomClient.ConnectAsync(options, contexts);
        try
        {
            foreach (var instance in study.Instances)
            {
                var response = await client.StoreFileAsync(instance.Path);
                Assert.True(response.IsSuccess, response.ToString());
            }

            await Ingest.KillAsync();
        }
        finally
        {
            await client.AbortAsync();
            await client.DisposeAsync();
        }

        return (options, contexts);
    }

    /// <summary>Restarts the process on the same database, store and port, then stores one file again over a new association and releases it.</summary>
    public async Task RestartAndStoreAgainAsync(DicomClientOptions options, List<PresentationContextProposal> contexts, string path)
    {
        Ingest = await Ingest.RestartAsync();
        await using var again = await DicomClient.ConnectAsync(options with { Port = Ingest.Port }, contexts);
        var response = await again.StoreFileAsync(path);
        Assert.True(response.IsSuccess, response.ToString());
        await again.ReleaseAsync();
    }

    /// <summary>Changes the settings of the ingest process before it starts.</summary>
    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }
}
