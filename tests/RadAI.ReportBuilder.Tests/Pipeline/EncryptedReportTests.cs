using System.Security.Cryptography;
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
using Xunit;

namespace RadAI.ReportBuilder.Tests.Pipeline;

/// <summary>
/// Encryption at rest on a real path: inference's findings and mask written encrypted (through <see cref="FileStores.WriteAsync"/>,
/// as inference writes them), read by report-builder as if plain, and its PDF written encrypted into the reports store.
/// </summary>
public sealed class EncryptedReportTests : IAsyncLifetime, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly TemporaryDirectory _root = new("radai-report-encrypted");
    private FileStores _stores = null!;
    private ReportGeneration _generation = null!;

    public async Task InitializeAsync()
    {
        DapperTypeHandlers.Register();
        var keyPath = Path.Combine(_root.Path, "store-2026.key");
        await File.WriteAllTextAsync(keyPath, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        _stores = new FileStores(Options.Create(new StorageOptions
        {
            Root = _root.Path,
            Encryption = new StorageEncryptionOptions
            {
                Enabled = true,
                ActiveKeyId = "store-2026",
                Keys = new Dictionary<string, string> { ["store-2026"] = keyPath },
                Stores = [StoreNames.Reports, StoreNames.Results],
            },
        }));
        var connections = new DbConnectionFactory(new SqliteDialect($"Data Source={Path.Combine(_root.Path, "radai.db")}"));
        await new MigrationRunner(connections, [new MigrationSource("report", typeof(ReportBuilderModule).Assembly)], NullLogger<MigrationRunner>.Instance)
            .MigrateAsync(CancellationToken.None);
        _generation = new ReportGeneration(_stores, new ReportHistory(connections), Options.Create(new ReportOptions()),
            Options.Create(new ReportNodeOptions { InstallationId = "encrypted-test" }), TimeProvider.System, NullLogger<ReportGeneration>.Instance);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _root.Dispose();
    }

    [Fact]
    public async Task Encrypted_findings_and_mask_make_a_report_whose_pdf_is_encrypted_on_disk_and_plain_through_the_stores()
    {
        var study = new SyntheticStudy();
        var jobId = Guid.NewGuid();
        var seriesFolder = Path.Combine(_stores.RootOf(StoreNames.Instances), "studies", study.StudyInstanceUid, study.SeriesInstanceUid);
        await study.WriteAsync(seriesFolder);

        var jobFolder = Path.Combine(_stores.RootOf(StoreNames.Results), jobId.ToString("N"));
        var maskPath = Path.Combine(jobFolder, "run-1", "labels.radaimap");
        await _stores.WriteAsync(maskPath, (stream, ct) => LabelMapFile.WriteAsync(stream, SyntheticStudy.Size, SyntheticStudy.Size, SyntheticStudy.Slices, SyntheticStudy.Labels(), ct));
        var results = study.Results(jobId);
        results = results with { Runs = [.. results.Runs.Select(r => r with { Mask = _stores.ReferenceOf(StoreNames.Results, maskPath) })] };
        var findingsPath = Path.Combine(jobFolder, AnalysisResults.FileName);
        await _stores.WriteAsync(findingsPath, (stream, ct) => JsonSerializer.SerializeAsync(stream, results, Json, ct));
        Assert.True((await File.ReadAllBytesAsync(findingsPath)).AsSpan().StartsWith(EncryptedFileFormat.Magic));
        Assert.True((await File.ReadAllBytesAsync(maskPath)).AsSpan().StartsWith(EncryptedFileFormat.Magic));

        var series = new ReceivedSeries(study.SeriesInstanceUid, "CT", study.SopClassUid, SyntheticStudy.Slices, 1, _stores.ReferenceOf(StoreNames.Instances, seriesFolder));
        var analysis = new AnalysisDone(jobId, jobId, DateTimeOffset.UtcNow, study.StudyInstanceUid, [], _stores.ReferenceOf(StoreNames.Results, findingsPath), Series: [series]);
        var ready = Assert.IsType<ReportReady>(await _generation.BuildAsync(analysis, CancellationToken.None));

        var pdfPath = _stores.PathOf(ready.PdfDocument!);
        var onDisk = await File.ReadAllBytesAsync(pdfPath);
        Assert.True(onDisk.AsSpan().StartsWith(EncryptedFileFormat.Magic));
        Assert.True(onDisk.AsSpan().IndexOf("%PDF-"u8) < 0);
        var plain = await _stores.ReadAllBytesAsync(pdfPath);
        Assert.True(plain.AsSpan().StartsWith("%PDF-"u8));

        // The key images in the PDF came from the mask: the decrypted PDF is the one pdftotext reads.
        var plainCopy = Path.Combine(_root.Path, "report.pdf");
        await File.WriteAllBytesAsync(plainCopy, plain);
        var text = await ExternalTool.RunAsync("pdftotext", plainCopy, "-");
        Assert.Contains("Résultat non validé", text.Output, StringComparison.Ordinal);
    }
}
