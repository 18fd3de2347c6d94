using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RadAI.Contracts;
using RadAI.Contracts.Findings;
using RadAI.Data;
using RadAI.Hosting.Storage;
using RadAI.ReportBuilder;
using RadAI.ReportBuilder.Dicom;
using RadAI.ReportBuilder.History;
using RadAI.ReportBuilder.Pipeline;
using RadAI.ReportBuilder.Rendering;

namespace RadAI.Benchmarks.Reports;

/// <summary>
/// report-builder's step over the synthetic job of <see cref="ReportStudy"/>, as the service runs it: stores whose
/// <c>instances/</c> and <c>results/</c> are the study's folders (symbolic links, so that the study is written once),
/// <c>reports/</c> and the SQLite database in a fresh temporary folder, <see cref="ReportGeneration"/> with the default
/// options (French, 4 key images at most, Secondary Capture key images and encapsulated PDF on).
/// The size: RADAI_BENCH_REPORT_SIZE (SxRxC), else 300×512×512 (48×256×256 with --quick).
/// </summary>
internal sealed class ReportEnvironment : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private ReportEnvironment(ReportStudy study, string root, FileStores stores, ReportGeneration generation)
    {
        Study = study;
        Root = root;
        Stores = stores;
        Generation = generation;
        Analysis = study.AnalysisDone();
    }

    public static (int Slices, int Rows, int Columns) DefaultSize =>
        Inference.InferenceEnvironment.ParseSize(Environment.GetEnvironmentVariable("RADAI_BENCH_REPORT_SIZE"))
            ?? (BenchmarkSettings.Quick ? (48, 256, 256) : (300, 512, 512));

    public ReportStudy Study { get; }

    /// <summary>This environment's stores root (temporary).</summary>
    public string Root { get; }

    public FileStores Stores { get; }

    public ReportGeneration Generation { get; }

    public AnalysisDone Analysis { get; }

    /// <summary>The service's defaults.</summary>
    public static ReportOptions ReportOptions { get; } = new();

    /// <summary>The service's defaults, with this installation id.</summary>
    public static ReportNodeOptions NodeOptions { get; } = new() { InstallationId = "radai-bench" };

    /// <summary>The environment over the study of <paramref name="size"/> (written first unless <paramref name="allowWrite"/> is false).</summary>
    public static async Task<ReportEnvironment> CreateAsync((int Slices, int Rows, int Columns) size, bool allowWrite = true)
    {
        var study = ReportStudy.Ensure(size, allowWrite);
        var root = Directory.CreateTempSubdirectory("radai-bench-report-").FullName;
        Directory.CreateSymbolicLink(Path.Combine(root, StoreNames.Instances), Path.Combine(study.Root, StoreNames.Instances));
        Directory.CreateSymbolicLink(Path.Combine(root, StoreNames.Results), Path.Combine(study.Root, StoreNames.Results));
        DapperTypeHandlers.Register();
        var stores = new FileStores(Options.Create(new StorageOptions { Root = root }));
        var connections = new DbConnectionFactory(new SqliteDialect($"Data Source={Path.Combine(root, "radai.db")}"));
        await new MigrationRunner(connections, [new MigrationSource("report", typeof(ReportBuilderModule).Assembly)], NullLogger<MigrationRunner>.Instance)
            .MigrateAsync(CancellationToken.None).ConfigureAwait(false);
        var generation = new ReportGeneration(stores, new ReportHistory(connections), Options.Create(ReportOptions),
            Options.Create(NodeOptions), TimeProvider.System, NullLogger<ReportGeneration>.Instance);
        return new ReportEnvironment(study, root, stores, generation);
    }

    /// <summary>The findings document, as ReportGeneration reads it.</summary>
    public async Task<AnalysisResults> ReadResultsAsync()
    {
        await using var stream = File.OpenRead(Stores.PathOf(Analysis.Results));
        return await JsonSerializer.DeserializeAsync<AnalysisResults>(stream, Json).ConfigureAwait(false)
            ?? throw new InvalidDataException("Empty findings document.");
    }

    /// <summary>The source series' headers (300 files read up to Pixel Data), as ReportGeneration loads them.</summary>
    public Task<SourceStudy> LoadSourceAsync() =>
        SourceStudy.LoadAsync(Analysis.StudyInstanceUid, Analysis.Series!.Select(s => (s.SeriesInstanceUid, Stores.PathOf(s.Location))));

    /// <summary>Each run's label map, read and inflated.</summary>
    public async Task<Dictionary<string, byte[]>> ReadMasksAsync(AnalysisResults results)
    {
        var masks = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var run in results.Runs.Where(r => r.Mask is not null))
        {
            await using var stream = File.OpenRead(Stores.PathOf(run.Mask!));
            masks[run.RunId] = (await LabelMapFile.ReadAsync(stream).ConfigureAwait(false)).Labels;
        }

        return masks;
    }

    /// <summary>The context ReportGeneration gives the builders (same device, UIDs of this job).</summary>
    public static ReportContext Context() => new(
        new ReportUids(ReportStudy.JobId),
        new ReportDevice("RadAI", "RadAI report-builder", "bench", NodeOptions.InstallationId, ReportDevice.DeviceUidFor(NodeOptions.InstallationId),
            ReportOptions.InstitutionName, NodeOptions.StationName),
        DateTimeOffset.UtcNow);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            // The links first, so that nothing of the study is deleted through them.
            Directory.Delete(Path.Combine(Root, StoreNames.Instances));
            Directory.Delete(Path.Combine(Root, StoreNames.Results));
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Left to the temp cleaner.
        }
    }
}
