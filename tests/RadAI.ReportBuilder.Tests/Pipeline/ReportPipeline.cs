using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RadAI.Contracts;
using RadAI.Contracts.Findings;
using RadAI.Data;
using RadAI.Hosting.Storage;
using RadAI.ReportBuilder.History;
using RadAI.ReportBuilder.Pipeline;
using RadAI.ReportBuilder.Rendering;
using RadAI.ReportBuilder.Tests.Dicom;
using RadAI.Testing;

namespace RadAI.ReportBuilder.Tests.Pipeline;

/// <summary>
/// report-builder's step in process, as the consumer calls it: on SQLite, over stores in a temporary folder (encrypted at
/// rest when the test gives keys), with analysed jobs laid out as inference and dicom-ingest leave them.
/// </summary>
internal sealed class ReportPipeline : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly TemporaryDirectory _root;

    private ReportPipeline(TemporaryDirectory root, FileStores stores, ReportGeneration generation)
    {
        _root = root;
        Stores = stores;
        Generation = generation;
    }

    /// <summary>The temporary folder holding the stores and the database.</summary>
    public string Root => _root.Path;

    public FileStores Stores { get; }

    public ReportGeneration Generation { get; }

    /// <summary>Creates the stores and the database; <paramref name="encryption"/> (given the root folder, where it may write keys) turns encryption at rest on.</summary>
    public static async Task<ReportPipeline> CreateAsync(string name, string installationId, Func<string, Task<StorageEncryptionOptions>>? encryption = null)
    {
        var root = new TemporaryDirectory(name);
        try
        {
            DapperTypeHandlers.Register();
            var stores = new FileStores(Options.Create(new StorageOptions
            {
                Root = root.Path,
                Encryption = encryption is null ? new StorageEncryptionOptions() : await encryption(root.Path),
            }));
            var connections = new DbConnectionFactory(new SqliteDialect($"Data Source={Path.Combine(root.Path, "radai.db")}"));
            await new MigrationRunner(connections, [new MigrationSource("report", typeof(ReportBuilderModule).Assembly)], NullLogger<MigrationRunner>.Instance)
                .MigrateAsync(CancellationToken.None);
            var generation = new ReportGeneration(stores, new ReportHistory(connections), Options.Create(new ReportOptions()),
                Options.Create(new ReportNodeOptions { InstallationId = installationId }), TimeProvider.System, NullLogger<ReportGeneration>.Instance);
            return new ReportPipeline(root, stores, generation);
        }
        catch
        {
            root.Dispose();
            throw;
        }
    }

    /// <summary>Where the mask of a job's run lies in the results store.</summary>
    public string MaskPathOf(Guid jobId) => Path.Combine(JobFolderOf(jobId), "run-1", "labels.radaimap");

    /// <summary>
    /// Lays out an analysed job as inference and dicom-ingest leave it (findings and mask written through the stores, as
    /// inference writes them), and returns its AnalysisDone.
    /// </summary>
    public async Task<AnalysisDone> AnalysedJobAsync(SyntheticStudy study, Guid jobId, bool writeSource = true)
    {
        var seriesFolder = Path.Combine(Stores.RootOf(StoreNames.Instances), "studies", study.StudyInstanceUid, study.SeriesInstanceUid);
        if (writeSource && !Directory.Exists(seriesFolder))
        {
            await study.WriteAsync(seriesFolder);
        }

        var maskPath = MaskPathOf(jobId);
        await Stores.WriteAsync(maskPath, (stream, ct) => LabelMapFile.WriteAsync(stream, SyntheticStudy.Size, SyntheticStudy.Size, SyntheticStudy.Slices, SyntheticStudy.Labels(), ct));
        var results = study.Results(jobId);
        results = results with { Runs = [.. results.Runs.Select(r => r with { Mask = Stores.ReferenceOf(StoreNames.Results, maskPath) })] };
        var findingsPath = Path.Combine(JobFolderOf(jobId), AnalysisResults.FileName);
        await Stores.WriteAsync(findingsPath, (stream, ct) => JsonSerializer.SerializeAsync(stream, results, Json, ct));

        var series = new ReceivedSeries(study.SeriesInstanceUid, "CT", study.SopClassUid, SyntheticStudy.Slices, 1,
            Stores.ReferenceOf(StoreNames.Instances, seriesFolder));
        return new AnalysisDone(jobId, jobId, DateTimeOffset.UtcNow, study.StudyInstanceUid, [], Stores.ReferenceOf(StoreNames.Results, findingsPath), Series: [series]);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _root.Dispose();
    }

    private string JobFolderOf(Guid jobId) => Path.Combine(Stores.RootOf(StoreNames.Results), jobId.ToString("N"));
}
