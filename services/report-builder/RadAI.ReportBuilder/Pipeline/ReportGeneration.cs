using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RadAI.Contracts;
using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.Hosting;
using RadAI.Hosting.Storage;
using RadAI.ReportBuilder.Dicom;
using RadAI.ReportBuilder.History;
using RadAI.ReportBuilder.Rendering;

namespace RadAI.ReportBuilder.Pipeline;

/// <summary>
/// Builds the report objects of one analysed job from its findings document, masks and source images:
/// one SEG per run with a mask, the TID 1500 SR (pointing to the SEGs and to the study's previous SR),
/// the PDF (plain file and encapsulated) with key images, and Secondary Capture key images. Files go to
/// the job's folder of the <c>reports</c> store; the outcome is the event to publish.
/// </summary>
public sealed partial class ReportGeneration(
    FileStores stores,
    ReportHistory history,
    IOptions<ReportOptions> reportOptions,
    IOptions<ReportNodeOptions> nodeOptions,
    TimeProvider clock,
    ILogger<ReportGeneration> logger)
{
    public static readonly ActivitySource Activities = new("RadAI.ReportBuilder");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Name of the plain PDF in the job's reports folder (served by the API).</summary>
    public const string PdfFileName = "report.pdf";

    /// <summary>
    /// Builds and stores the job's report. Inputs that can never make a report (unreadable findings, source images
    /// gone) give <see cref="ReportFailed"/>; other errors (disk, database) are thrown so that the message is retried.
    /// </summary>
    public async Task<IJobEvent> BuildAsync(AnalysisDone analysis, CancellationToken cancellationToken)
    {
        using var activity = Activities.StartActivity("report.build");
        activity?.SetTag("radai.job.id", analysis.JobId);
        var stopwatch = Stopwatch.StartNew();

        var inputs = await LoadInputsAsync(analysis, cancellationToken).ConfigureAwait(false);
        if (inputs.Failure is { } failure)
        {
            LogFailed(analysis.JobId, failure.ErrorCode, failure.Reason);
            return failure;
        }

        var (results, source, masks) = (inputs.Results!, inputs.Source!, inputs.Masks!);
        var report = reportOptions.Value;
        var node = nodeOptions.Value;
        var createdAt = clock.GetUtcNow();
        var context = new ReportContext(new ReportUids(analysis.JobId), Device(node, report), createdAt);
        var jobFolder = Path.Combine(stores.RootOf(StoreNames.Reports), analysis.JobId.ToString("N"));
        var written = new List<ReportObject>();

        // SEG: one per run with a non-empty mask.
        var segmentations = new List<SegmentationReference>();
        var instanceNumber = 0;
        foreach (var run in results.Runs)
        {
            if (!masks.TryGetValue(run.RunId, out var labels))
            {
                continue;
            }

            var segmentation = SegmentationBuilder.Build(run, labels, source, context, ++instanceNumber);
            if (segmentation is not null)
            {
                segmentations.Add(segmentation.Reference);
                written.Add(await WriteAsync("SEG", segmentation.File, jobFolder, cancellationToken).ConfigureAwait(false));
            }
        }

        // SR, with the narrative conclusion as TEXT.
        var previous = await history.FindPredecessorAsync(analysis.JobId, analysis.StudyInstanceUid, cancellationToken).ConfigureAwait(false);
        var conclusion = NarrativeConclusion.Write(results, report.Language);
        var measurementReport = MeasurementReportBuilder.Build(
            new MeasurementReportRequest(results, source, report.Language, conclusion, segmentations,
                previous is null ? null : new InstanceReference(previous.StudyInstanceUid, previous.SeriesInstanceUid, previous.SopClassUid, previous.SopInstanceUid),
                Partial: analysis.Failures is { Count: > 0 }),
            context);
        var srObject = await WriteAsync("SR", measurementReport, jobFolder, cancellationToken).ConfigureAwait(false);
        written.Add(srObject);

        // Key images, rendered once: for the PDF and, by configuration, as Secondary Capture. An image that cannot be
        // rendered is left out with its reason logged; the report is made without it.
        var strings = ReportStrings.For(report.Language);
        var keyImages = await KeyImageSet.RenderAsync(results, report.MaxKeyImages, image => source.TryGetInstance(image.SopInstanceUid)?.Path, masks, stores.DicomSourceOf, cancellationToken).ConfigureAwait(false);
        foreach (var left in keyImages.Failures)
        {
            LogKeyImageFailed(analysis.JobId, left.Slot.Run.RunId, left.Slot.Finding.Id, left.Reason);
        }

        var sources = new List<InstanceReference> { Reference(measurementReport) };
        if (node.KeyImageSeries)
        {
            var number = 0;
            foreach (var keyImage in keyImages.Images)
            {
                var slot = keyImage.Slot;
                var capture = SecondaryCaptureBuilder.Build(
                    new SecondaryCaptureRequest($"{slot.Run.RunId}/{slot.Finding.Id}/{slot.Slice}", keyImage.Image.Rgb, keyImage.Image.Width, keyImage.Image.Height,
                        slot.Image, strings.KeyImageCaption(keyImage)),
                    source, context, ++number);
                written.Add(await WriteAsync("KEY-IMAGE", capture, jobFolder, cancellationToken).ConfigureAwait(false));
                sources.Add(Reference(capture));
            }
        }

        // The PDF: a plain file for the API, and encapsulated in the study.
        var pdf = PdfReportBuilder.Build(new PdfReportInput(
            new ReportInstitution(report.InstitutionName, await PdfReportBuilder.ReadLogoAsync(report.LogoPath, cancellationToken).ConfigureAwait(false)),
            PatientStudyBlock.From(source.Template, report.Language), results, keyImages.Images, report.Language, createdAt));
        var pdfPath = Path.Combine(jobFolder, PdfFileName);
        await stores.WriteAsync(pdfPath, (stream, ct) => stream.WriteAsync(pdf, ct).AsTask(), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (node.EncapsulatedPdf)
        {
            var encapsulated = EncapsulatedPdfBuilder.Build(new EncapsulatedPdfRequest(pdf, strings.Text("reportTitle"), report.Language, sources), source, context);
            written.Add(await WriteAsync("PDF", encapsulated, jobFolder, cancellationToken).ConfigureAwait(false));
        }

        await history.RecordAsync(new ReportDocument(analysis.JobId, analysis.StudyInstanceUid, srObject.SeriesInstanceUid, srObject.SopClassUid,
            srObject.SopInstanceUid, previous?.JobId, createdAt), cancellationToken).ConfigureAwait(false);
        LogBuilt(analysis.JobId, written.Count, segmentations.Count, keyImages.Images.Count, previous is not null, stopwatch.ElapsedMilliseconds);
        return new ReportReady(analysis.JobId, analysis.CorrelationId, clock.GetUtcNow(), analysis.StudyInstanceUid, written, report.Language,
            stores.ReferenceOf(StoreNames.Reports, pdfPath), analysis.SendingAeTitle);
    }

    private sealed record Inputs(AnalysisResults? Results, SourceStudy? Source, Dictionary<string, byte[]>? Masks, ReportFailed? Failure);

    private async Task<Inputs> LoadInputsAsync(AnalysisDone analysis, CancellationToken cancellationToken)
    {
        Inputs Fail(string code, string reason) =>
            new(null, null, null, new ReportFailed(analysis.JobId, analysis.CorrelationId, clock.GetUtcNow(), analysis.StudyInstanceUid, code, reason));

        AnalysisResults results;
        try
        {
            await using var stream = await stores.OpenReadAsync(stores.PathOf(analysis.Results), cancellationToken).ConfigureAwait(false);
            results = await JsonSerializer.DeserializeAsync<AnalysisResults>(stream, Json, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException("The findings document is empty.");
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidDataException or UnauthorizedAccessException)
        {
            return Fail("results-unreadable", $"The findings document {analysis.Results.Key} cannot be read: {e.Message}");
        }

        if (results.SchemaVersion != AnalysisResults.CurrentSchemaVersion || results.JobId != analysis.JobId)
        {
            return Fail("results-unreadable", $"The findings document {analysis.Results.Key} has schema version {results.SchemaVersion} or another job ({results.JobId:N}).");
        }

        if (analysis.Series is null)
        {
            return Fail("source-series-unknown", "AnalysisDone names no source series (published by an inference service older than report-builder).");
        }

        var analysed = results.Runs.Select(r => r.SeriesInstanceUid).ToHashSet(StringComparer.Ordinal);
        var series = analysis.Series.Where(s => analysed.Contains(s.SeriesInstanceUid)).ToList();
        if (series.Count == 0)
        {
            return Fail("source-series-unknown", "None of the analysed series is among the job's received series.");
        }

        SourceStudy source;
        try
        {
            source = await SourceStudy.LoadAsync(analysis.StudyInstanceUid, series.Select(s => (s.SeriesInstanceUid, stores.PathOf(s.Location))), stores.DicomSourceOf, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or DicomFormatException or UnauthorizedAccessException or ArgumentException)
        {
            return Fail("source-images-missing", $"The source images of the study cannot be read: {e.Message}");
        }

        var masks = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var run in results.Runs.Where(r => r.Mask is not null))
        {
            try
            {
                await using var stream = await stores.OpenReadAsync(stores.PathOf(run.Mask!), cancellationToken).ConfigureAwait(false);
                masks[run.RunId] = await RunLabelMap.ReadAsync(stream, run, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                return Fail("results-unreadable", $"The mask of {run.RunId} cannot be read: {e.Message}");
            }
        }

        return new Inputs(results, source, masks, null);
    }

    private async Task<ReportObject> WriteAsync(string kind, DicomFile file, string jobFolder, CancellationToken cancellationToken)
    {
        var sopInstanceUid = file.SopInstanceUid();
        var path = Path.Combine(jobFolder, kind.ToLowerInvariant(), sopInstanceUid + ".dcm");
        var size = await ReportDicomFiles.WriteAsync(file, path, stores, cancellationToken).ConfigureAwait(false);
        return new ReportObject(kind, file.SopClassUid(), sopInstanceUid, file.SeriesInstanceUid(), stores.ReferenceOf(StoreNames.Reports, path), size);
    }

    private static InstanceReference Reference(DicomFile file) =>
        new(file.Dataset.GetString(DicomTags.StudyInstanceUID), file.SeriesInstanceUid(), file.SopClassUid(), file.SopInstanceUid());

    private static ReportDevice Device(ReportNodeOptions node, ReportOptions report) => new(
        "RadAI", "RadAI report-builder", ServiceIdentity.For(ReportBuilderModule.ServiceName).Version, node.InstallationId,
        ReportDevice.DeviceUidFor(node.InstallationId), report.InstitutionName, node.StationName);

    [LoggerMessage(EventId = 7311, Level = LogLevel.Information, Message = "Job {JobId}: {ObjectCount} report objects written ({SegmentationCount} SEG, {KeyImageCount} key images, predecessor: {HasPredecessor}) in {ElapsedMs} ms")]
    private partial void LogBuilt(Guid jobId, int objectCount, int segmentationCount, int keyImageCount, bool hasPredecessor, long elapsedMs);

    [LoggerMessage(EventId = 7313, Level = LogLevel.Warning, Message = "Job {JobId}: key image of {RunId}/{FindingId} left out: {Reason}")]
    private partial void LogKeyImageFailed(Guid jobId, string runId, string findingId, string reason);

    [LoggerMessage(EventId = 7312, Level = LogLevel.Warning, Message = "Job {JobId}: no report can be made ({ErrorCode}): {Reason}")]
    private partial void LogFailed(Guid jobId, string errorCode, string reason);
}
