using System.Text.Json;
using RadAI.Testing;
using Xunit;

namespace RadAI.EndToEnd.Tests;

/// <summary>
/// A hospital with RadAI: a private Orthanc as its PACS (RadAI one of its modalities), and the five services as
/// processes on a private RabbitMQ node (the tests restart it) and the test PostgreSQL (a fresh database). Shared by the tests of
/// <see cref="HospitalCollection"/>, which run one after the other: each sends its own study and follows its own job
/// (found by Study Instance UID), and leaves Orthanc and the services running when it ends.
/// </summary>
public sealed class HospitalFixture : IAsyncLifetime, IDisposable
{
    /// <summary>RadAI's id in Orthanc's modalities.</summary>
    public const string RadaiModality = "radai";

    /// <summary>Analysis, report and delivery of a synthetic CT on two busy cores, with room to spare.</summary>
    public static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(4);

    private readonly TemporaryDirectory _work = new("radai-e2e");
    private PostgresTestDatabase? _database;
    private RabbitMqNode? _broker;
    private PipelineCluster? _cluster;
    private Task<DeliveredStudy>? _deliveredCt;

    /// <summary>The hospital PACS.</summary>
    public PrivateOrthanc Pacs { get; } = new("HOSPITAL-PACS");

    /// <summary>The broker the services share: a node of the hospital's own, which a test may stop and start again.</summary>
    public RabbitMqNode Broker => _broker ?? throw new InvalidOperationException("The fixture is not started.");

    /// <summary>The five services.</summary>
    public PipelineCluster Cluster => _cluster ?? throw new InvalidOperationException("The fixture is not started.");

    /// <summary>The database the services share (pacs-sender's delivery tables are read from it).</summary>
    public string DatabaseConnectionString => _database?.ConnectionString ?? throw new InvalidOperationException("The fixture is not started.");

    /// <summary>A folder for a test's files.</summary>
    public string WorkFolder(string name)
    {
        var folder = Path.Combine(_work.Path, name);
        Directory.CreateDirectory(folder);
        return folder;
    }

    public async Task InitializeAsync()
    {
        // The node boots in seconds to a minute on a busy machine: meanwhile the database and the PACS start.
        var broker = RabbitMqNode.StartNewAsync();
        try
        {
            _database = await PostgresTestDatabase.CreateAsync();
            // The PACS before the services: pacs-sender's C-ECHO at start finds it; RadAI becomes its modality once its port is known.
            await Pacs.StartAsync();
        }
        finally
        {
            _broker = await broker;
        }

        _cluster = await PipelineCluster.StartAsync(Broker.Settings, DatabaseConnectionString, [(Pacs.AeTitle, "127.0.0.1", Pacs.DicomPort)]);
        await Pacs.AddModalityAsync(RadaiModality, "RADAI", "127.0.0.1", _cluster.DicomPort);
    }

    /// <summary>
    /// A synthetic CT sent through Orthanc to RadAI and followed until its job ended (delivered, or not: the caller
    /// asserts): done once for the tests that share the fixture, so that each reads the same job instead of waiting for
    /// another pipeline run. A failure is every caller's.
    /// </summary>
    public Task<DeliveredStudy> DeliveredCtAsync() => _deliveredCt ??= SendCtAndWaitAsync();

    private async Task<DeliveredStudy> SendCtAndWaitAsync()
    {
        var ct = await WriteSyntheticCtAsync("round-trip-ct");
        var (orthancStudy, sourceSeries) = await SendThroughPacsAsync(ct.Folder);
        var job = await Cluster.WaitUntilEndedAsync(ct.StudyInstanceUid, JobTimeout);
        return new DeliveredStudy(ct, orthancStudy, sourceSeries, job);
    }

    /// <summary>A new synthetic CT chest (its own Study Instance UID), big enough for the lung package.</summary>
    public Task<SyntheticCtStudy> WriteSyntheticCtAsync(string name) =>
        SyntheticCtStudy.WriteAsync(Path.Combine(_work.Path, name));

    /// <summary>
    /// The hospital's path in: the files of <paramref name="folder"/> uploaded to Orthanc, then pushed by Orthanc to
    /// RadAI (C-STORE from AE title HOSPITAL-PACS); returns Orthanc's study id and its series ids before any report.
    /// </summary>
    public async Task<(string OrthancStudy, IReadOnlyList<string> SourceSeries)> SendThroughPacsAsync(string folder)
    {
        var orthancStudy = await Pacs.Client.UploadStudyAsync(folder);
        var sourceSeries = (await Pacs.Client.SeriesAsync(orthancStudy)).Select(s => s.Id).ToList();
        await Pacs.Client.StoreToModalityAsync(RadaiModality, orthancStudy);
        return (orthancStudy, sourceSeries);
    }

    /// <summary>The services' and Orthanc's last lines, for failure messages.</summary>
    public string Describe() => Cluster.DescribeServices() + DescribeOrthanc();

    /// <summary>
    /// Runs a test's body; any failure (an assertion included) is rethrown with <see cref="Describe"/>: the services'
    /// and Orthanc's last lines (Orthanc's only, when the cluster already explained it).
    /// </summary>
    public async Task RunAsync(Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (PipelineFailureException e)
        {
            throw new PipelineFailureException(e.Message + DescribeOrthanc(), e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new PipelineFailureException($"{e.Message}\n{Describe()}", e);
        }
    }

    /// <summary>Asserts that no service ever logged what identifies the synthetic patient.</summary>
    public void AssertNoPatientIdentifierLogged(IEnumerable<string> identifiers)
    {
        foreach (var service in PipelineCluster.Services)
        {
            var output = Cluster.OutputOf(service);
            foreach (var identifier in identifiers)
            {
                Assert.False(output.Contains(identifier, StringComparison.Ordinal), $"{service} logged '{identifier}'.");
            }
        }
    }

    private string DescribeOrthanc() =>
        $"--- Orthanc ({(Pacs.IsRunning ? "running" : "stopped")}), last lines:\n{string.Join('\n', Pacs.Output.Split('\n').TakeLast(15))}\n";

    public async Task DisposeAsync()
    {
        // To read the services' logs after a run: RADAI_E2E_KEEP_LOGS=/some/folder.
        var keepLogs = Environment.GetEnvironmentVariable("RADAI_E2E_KEEP_LOGS");
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            if (keepLogs is { Length: > 0 })
            {
                await _cluster.SaveOutputsAsync(keepLogs);
            }
        }

        await Pacs.DisposeAsync();
        if (keepLogs is { Length: > 0 })
        {
            await File.WriteAllTextAsync(Path.Combine(keepLogs, "Orthanc.log"), Pacs.Output);
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        Dispose();
    }

    /// <summary>The synchronous part of <see cref="DisposeAsync"/> (the folder; the processes need <see cref="DisposeAsync"/>).</summary>
    public void Dispose() => _work.Dispose();
}

/// <summary>A study sent through the hospital's PACS and its job once ended (<c>GET /api/jobs</c> entry).</summary>
public sealed record DeliveredStudy(SyntheticCtStudy Ct, string OrthancStudy, IReadOnlyList<string> SourceSeries, JsonElement Job);

/// <summary>The tests that share one <see cref="HospitalFixture"/>: they run one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class HospitalCollection : ICollectionFixture<HospitalFixture>
{
    public const string Name = "Hospital";
}
