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

    /// <summary>Changes the settings of the ingest process before it starts.</summary>
    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }
}
