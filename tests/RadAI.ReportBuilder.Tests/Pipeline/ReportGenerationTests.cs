using RadAI.Contracts;
using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.Hosting.Storage;
using RadAI.ReportBuilder.Dicom;
using RadAI.ReportBuilder.Pipeline;
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
    private ReportPipeline _pipeline = null!;

    private FileStores Stores => _pipeline.Stores;

    private ReportGeneration Generation => _pipeline.Generation;

    public async Task InitializeAsync() => _pipeline = await ReportPipeline.CreateAsync("radai-report-pipeline", "pipeline-test");

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _pipeline?.Dispose();

    [Fact]
    public async Task An_analysed_job_gets_seg_sr_key_images_and_pdf_in_its_study_that_dciodvfy_accepts()
    {
        var study = new SyntheticStudy();
        var jobId = Guid.NewGuid();
        var ready = Assert.IsType<ReportReady>(await Generation.BuildAsync(await _pipeline.AnalysedJobAsync(study, jobId), CancellationToken.None));

        Assert.Equal("fr", ready.Language);
        Assert.Equal(["KEY-IMAGE", "PDF", "SEG", "SR"], ready.Objects.Select(o => o.Kind).Distinct().Order());
        var uids = new ReportUids(jobId);
        Assert.Equal(uids.MeasurementReport, Assert.Single(ready.Objects, o => o.Kind == "SR").SopInstanceUid);
        foreach (var reportObject in ready.Objects)
        {
            var path = Stores.PathOf(reportObject.Location);
            Assert.Equal(new FileInfo(path).Length, reportObject.SizeBytes);
            var file = await DicomFile.OpenAsync(path);
            Assert.Equal(study.StudyInstanceUid, file.Dataset.GetString(DicomTags.StudyInstanceUID));
            Assert.Equal(reportObject.SopInstanceUid, file.Dataset.GetString(DicomTags.SOPInstanceUID));
            Assert.Equal(reportObject.SopClassUid, file.Dataset.GetString(DicomTags.SOPClassUID));
            Assert.Equal(study.PatientName, file.Dataset.GetString(DicomTags.PatientName));
            var (_, errors, _) = await ReportObjectsFixture.DciodvfyAsync(path);
            Assert.True(errors.Count == 0, $"{reportObject.Kind}: {string.Join('\n', errors)}");
        }

        var pdf = await File.ReadAllBytesAsync(Stores.PathOf(ready.PdfDocument!));
        Assert.True(pdf.AsSpan().StartsWith("%PDF-"u8));
        var text = await ExternalTool.RunAsync("pdftotext", Stores.PathOf(ready.PdfDocument!), "-");
        Assert.Contains("Résultat non validé", text.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_later_analysis_of_the_same_study_points_to_the_earlier_sr_and_a_rebuild_writes_the_same_objects()
    {
        var study = new SyntheticStudy();
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        var firstReady = Assert.IsType<ReportReady>(await Generation.BuildAsync(await _pipeline.AnalysedJobAsync(study, first), CancellationToken.None));
        var firstSr = await SrOfAsync(firstReady);
        Assert.False(firstSr.Dataset.Contains(DicomTags.PredecessorDocumentsSequence));

        var analysis = await _pipeline.AnalysedJobAsync(study, second);
        var secondReady = Assert.IsType<ReportReady>(await Generation.BuildAsync(analysis, CancellationToken.None));
        Assert.Equal(firstSr.Dataset.GetString(DicomTags.SOPInstanceUID), PredecessorOf(await SrOfAsync(secondReady)));

        // Redelivered or rebuilt: the same instances (a PACS replaces them, never duplicates), the same predecessor.
        var again = Assert.IsType<ReportReady>(await Generation.BuildAsync(analysis, CancellationToken.None));
        Assert.Equal(secondReady.Objects.Select(o => o.SopInstanceUid), again.Objects.Select(o => o.SopInstanceUid));
        Assert.Equal(firstSr.Dataset.GetString(DicomTags.SOPInstanceUID), PredecessorOf(await SrOfAsync(again)));
    }

    [Fact]
    public async Task Source_images_gone_or_unreadable_findings_give_report_failed_with_the_reason()
    {
        var study = new SyntheticStudy();
        var missing = Assert.IsType<ReportFailed>(await Generation.BuildAsync(await _pipeline.AnalysedJobAsync(study, Guid.NewGuid(), writeSource: false), CancellationToken.None));
        Assert.Equal("source-images-missing", missing.ErrorCode);

        var analysis = await _pipeline.AnalysedJobAsync(study, Guid.NewGuid());
        await File.WriteAllTextAsync(Stores.PathOf(analysis.Results), "{ not json");
        var unreadable = Assert.IsType<ReportFailed>(await Generation.BuildAsync(analysis, CancellationToken.None));
        Assert.Equal("results-unreadable", unreadable.ErrorCode);
        Assert.DoesNotContain(study.PatientName, unreadable.Reason, StringComparison.Ordinal);

        var withoutSeries = Assert.IsType<ReportFailed>(await Generation.BuildAsync(await _pipeline.AnalysedJobAsync(study, Guid.NewGuid()) with { Series = null }, CancellationToken.None));
        Assert.Equal("source-series-unknown", withoutSeries.ErrorCode);
    }

    private async Task<DicomFile> SrOfAsync(ReportReady ready) =>
        await DicomFile.OpenAsync(Stores.PathOf(Assert.Single(ready.Objects, o => o.Kind == "SR").Location));

    private static string PredecessorOf(DicomFile sr)
    {
        var study = Assert.Single(sr.Dataset.GetSequence(DicomTags.PredecessorDocumentsSequence));
        var series = Assert.Single(study.GetSequence(DicomTags.ReferencedSeriesSequence));
        return Assert.Single(series.GetSequence(DicomTags.ReferencedSOPSequence)).GetString(DicomTags.ReferencedSOPInstanceUID);
    }
}
