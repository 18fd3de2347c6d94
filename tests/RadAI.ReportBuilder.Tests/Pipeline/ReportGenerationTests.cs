using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RadAI.Contracts;
using RadAI.Contracts.Findings;
using RadAI.Data;
using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.Hosting.Storage;
using RadAI.ReportBuilder.Dicom;
using RadAI.ReportBuilder.History;
using RadAI.ReportBuilder.Pipeline;
using RadAI.ReportBuilder.Rendering;
using RadAI.ReportBuilder.Tests.Dicom;
using RadAI.Testing;
using Xunit;

namespace RadAI.ReportBuilder.Tests.Pipeline;

/// <summary>
/// The service's step end to end in process: an analysed job's findings, masks and source images in the stores
/// become SEG, SR, key images and PDF in the reports store, on SQLite, as the consumer calls it.
/// </summary>
public sealed class ReportGenerationTests : IAsyncLifetime, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly TemporaryDirectory _root = new("radai-report-pipeline");
    private FileStores _stores = null!;
    private ReportGeneration _generation = null!;

    public async Task InitializeAsync()
    {
        DapperTypeHandlers.Register();
        _stores = new FileStores(Options.Create(new StorageOptions { Root = _root.Path }));
        var connections = new DbConnectionFactory(new SqliteDialect($"Data Source={Path.Combine(_root.Path, "radai.db")}"));
        await new MigrationRunner(connections, [new MigrationSource("report", typeof(ReportBuilderModule).Assembly)], NullLogger<MigrationRunner>.Instance)
            .MigrateAsync(CancellationToken.None);
        _generation = new ReportGeneration(_stores, new ReportHistory(connections), Options.Create(new ReportOptions()),
            Options.Create(new ReportNodeOptions { InstallationId = "pipeline-test" }), TimeProvider.System, NullLogger<ReportGeneration>.Instance);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _root.Dispose();
    }

    /// <summary>Lays out an analysed job as inference and dicom-ingest leave it, and returns its AnalysisDone.</summary>
    private async Task<AnalysisDone> AnalysedJobAsync(SyntheticStudy study, Guid jobId, bool writeSource = true)
    {
        var seriesFolder = Path.Combine(_stores.RootOf(StoreNames.Instances), "studies", study.StudyInstanceUid, study.SeriesInstanceUid);
        if (writeSource && !Directory.Exists(seriesFolder))
        {
            await study.WriteAsync(seriesFolder);
        }

        var jobFolder = Path.Combine(_stores.RootOf(StoreNames.Results), jobId.ToString("N"));
        var maskPath = Path.Combine(jobFolder, "run-1", "labels.radaimap");
        Directory.CreateDirectory(Path.GetDirectoryName(maskPath)!);
        await using (var mask = File.Create(maskPath))
        {
            await LabelMapFile.WriteAsync(mask, SyntheticStudy.Size, SyntheticStudy.Size, SyntheticStudy.Slices, SyntheticStudy.Labels());
        }

        var results = study.Results(jobId);
        results = results with { Runs = [.. results.Runs.Select(r => r with { Mask = _stores.ReferenceOf(StoreNames.Results, maskPath) })] };
        var findingsPath = Path.Combine(jobFolder, AnalysisResults.FileName);
        await File.WriteAllTextAsync(findingsPath, JsonSerializer.Serialize(results, Json));

        var series = new ReceivedSeries(study.SeriesInstanceUid, "CT", study.SopClassUid, SyntheticStudy.Slices, 1,
            _stores.ReferenceOf(StoreNames.Instances, seriesFolder));
        return new AnalysisDone(jobId, jobId, DateTimeOffset.UtcNow, study.StudyInstanceUid, [], _stores.ReferenceOf(StoreNames.Results, findingsPath), Series: [series]);
    }

    [Fact]
    public async Task An_analysed_job_gets_seg_sr_key_images_and_pdf_in_its_study_that_dciodvfy_accepts()
    {
        var study = new SyntheticStudy();
        var jobId = Guid.NewGuid();
        var ready = Assert.IsType<ReportReady>(await _generation.BuildAsync(await AnalysedJobAsync(study, jobId), CancellationToken.None));

        Assert.Equal("fr", ready.Language);
        Assert.Equal(["KEY-IMAGE", "PDF", "SEG", "SR"], ready.Objects.Select(o => o.Kind).Distinct().Order());
        var uids = new ReportUids(jobId);
        Assert.Equal(uids.MeasurementReport, Assert.Single(ready.Objects, o => o.Kind == "SR").SopInstanceUid);
        foreach (var reportObject in ready.Objects)
        {
            var path = _stores.PathOf(reportObject.Location);
            Assert.Equal(new FileInfo(path).Length, reportObject.SizeBytes);
            var file = await DicomFile.OpenAsync(path);
            Assert.Equal(study.StudyInstanceUid, file.Dataset.GetString(DicomTags.StudyInstanceUID));
            Assert.Equal(reportObject.SopInstanceUid, file.Dataset.GetString(DicomTags.SOPInstanceUID));
            Assert.Equal(reportObject.SopClassUid, file.Dataset.GetString(DicomTags.SOPClassUID));
            Assert.Equal(study.PatientName, file.Dataset.GetString(DicomTags.PatientName));
            var (_, errors, _) = await ReportObjectsFixture.DciodvfyAsync(path);
            Assert.True(errors.Count == 0, $"{reportObject.Kind}: {string.Join('\n', errors)}");
        }

        var pdf = await File.ReadAllBytesAsync(_stores.PathOf(ready.PdfDocument!));
        Assert.True(pdf.AsSpan().StartsWith("%PDF-"u8));
        var text = await ExternalTool.RunAsync("pdftotext", _stores.PathOf(ready.PdfDocument!), "-");
        Assert.Contains("Résultat non validé", text.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_later_analysis_of_the_same_study_points_to_the_earlier_sr_and_a_rebuild_writes_the_same_objects()
    {
        var study = new SyntheticStudy();
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        var firstReady = Assert.IsType<ReportReady>(await _generation.BuildAsync(await AnalysedJobAsync(study, first), CancellationToken.None));
        var firstSr = await SrOfAsync(firstReady);
        Assert.False(firstSr.Dataset.Contains(DicomTags.PredecessorDocumentsSequence));

        var analysis = await AnalysedJobAsync(study, second);
        var secondReady = Assert.IsType<ReportReady>(await _generation.BuildAsync(analysis, CancellationToken.None));
        Assert.Equal(firstSr.Dataset.GetString(DicomTags.SOPInstanceUID), PredecessorOf(await SrOfAsync(secondReady)));

        // Redelivered or rebuilt: the same instances (a PACS replaces them, never duplicates), the same predecessor.
        var again = Assert.IsType<ReportReady>(await _generation.BuildAsync(analysis, CancellationToken.None));
        Assert.Equal(secondReady.Objects.Select(o => o.SopInstanceUid), again.Objects.Select(o => o.SopInstanceUid));
        Assert.Equal(firstSr.Dataset.GetString(DicomTags.SOPInstanceUID), PredecessorOf(await SrOfAsync(again)));
    }

    [Fact]
    public async Task Source_images_gone_or_unreadable_findings_give_report_failed_with_the_reason()
    {
        var study = new SyntheticStudy();
        var missing = Assert.IsType<ReportFailed>(await _generation.BuildAsync(await AnalysedJobAsync(study, Guid.NewGuid(), writeSource: false), CancellationToken.None));
        Assert.Equal("source-images-missing", missing.ErrorCode);

        var analysis = await AnalysedJobAsync(study, Guid.NewGuid());
        await File.WriteAllTextAsync(_stores.PathOf(analysis.Results), "{ not json");
        var unreadable = Assert.IsType<ReportFailed>(await _generation.BuildAsync(analysis, CancellationToken.None));
        Assert.Equal("results-unreadable", unreadable.ErrorCode);
        Assert.DoesNotContain(study.PatientName, unreadable.Reason, StringComparison.Ordinal);

        var withoutSeries = Assert.IsType<ReportFailed>(await _generation.BuildAsync(await AnalysedJobAsync(study, Guid.NewGuid()) with { Series = null }, CancellationToken.None));
        Assert.Equal("source-series-unknown", withoutSeries.ErrorCode);
    }

    private async Task<DicomFile> SrOfAsync(ReportReady ready) =>
        await DicomFile.OpenAsync(_stores.PathOf(Assert.Single(ready.Objects, o => o.Kind == "SR").Location));

    private static string PredecessorOf(DicomFile sr)
    {
        var study = Assert.Single(sr.Dataset.GetSequence(DicomTags.PredecessorDocumentsSequence));
        var series = Assert.Single(study.GetSequence(DicomTags.ReferencedSeriesSequence));
        return Assert.Single(series.GetSequence(DicomTags.ReferencedSOPSequence)).GetString(DicomTags.ReferencedSOPInstanceUID);
    }
}
