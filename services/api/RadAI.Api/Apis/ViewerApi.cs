using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using RadAI.Api.Jobs;
using RadAI.Api.Security;
using RadAI.Contracts;
using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Dicom.Imaging;
using RadAI.Dicom.IO;
using RadAI.Hosting.Storage;

namespace RadAI.Api.Apis;

/// <summary>
/// What the dashboard's job page shows beyond the read model: the findings with their measurements (any role: no
/// patient identity), the patient header and the SR content tree (radiologists: patient data), and a finding on its
/// source images — a slice's modality values and the run's label map for that slice (radiologists and administrators).
/// Every read of patient data or images is audited.
/// </summary>
public static class ViewerApi
{
    public const string PatientAction = "patient.view";
    public const string ImageAction = "image.view";
    public const string SrAction = "report.view";
    public const string PatientListAction = "patient.list";

    /// <summary>Most jobs one worklist identity request may name (the dashboard asks for one page of rows).</summary>
    public const int MaxPatientListJobs = 100;

    private static readonly JsonSerializerOptions FindingsJson = new(JsonSerializerDefaults.Web);


    public static IEndpointRouteBuilder MapViewerApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/jobs/patients", ListPatients).WithTags("Viewer").WithName("ListJobPatients").RequireAuthorization(Policies.PatientData);
        var group = routes.MapGroup("/api/jobs/{jobId:guid}").WithTags("Viewer");
        group.MapGet("/findings", GetFindings).WithName("GetJobFindings").RequireAuthorization(Policies.JobStatus);
        group.MapGet("/patient", GetPatient).WithName("GetJobPatient").RequireAuthorization(Policies.PatientData);
        group.MapGet("/report/sr/content", GetSrContent).WithName("GetJobSrContent").RequireAuthorization(Policies.PatientData);
        group.MapGet("/runs/{runId}/slices/{z:int}/pixels", GetSlicePixels).WithName("GetRunSlicePixels").RequireAuthorization(Policies.RadiologistOrAdmin);
        group.MapGet("/runs/{runId}/slices/{z:int}/mask", GetSliceMask).WithName("GetRunSliceMask").RequireAuthorization(Policies.RadiologistOrAdmin);
        return routes;
    }

    /// <summary>
    /// A run as the dashboard shows it: findings and segments, the volume size, whether it has a mask, and the reader's
    /// names of its findings in each language (<see cref="Labels"/>: language → finding id → names).
    /// </summary>
    public sealed record RunView(
        string RunId,
        ModelIdentity Model,
        string SeriesInstanceUid,
        string Modality,
        GeometryView Geometry,
        string ExecutionProvider,
        long DurationMs,
        IReadOnlyList<SegmentInfo> Segments,
        bool HasMask,
        IReadOnlyList<Finding> Findings,
        IReadOnlyList<RunNote> Notes,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, FindingLabels>> Labels);

    /// <summary>
    /// The names of a finding for a reader in one language, the words of the PDF report (<see cref="FindingNames"/>):
    /// its name, its site, and each measurement's name and unit in the order of its measurements (a unit is null when it has
    /// no reader's name: the unit's meaning is shown).
    /// </summary>
    public sealed record FindingLabels(string Name, string? Site, IReadOnlyList<string> Measurements, IReadOnlyList<string?> Units);

    /// <summary>The grid of a run's volume (the slices' own UIDs stay on the server).</summary>
    public sealed record GeometryView(int SizeX, int SizeY, int SizeZ, Vector3D Spacing);

    /// <summary>The findings document of a job, without storage paths.</summary>
    public sealed record FindingsView(Guid JobId, string StudyInstanceUid, DateTimeOffset CompletedAt, IReadOnlyList<RunView> Runs);

    /// <summary>Patient and study identification of the job's study (from its first received instance).</summary>
    public sealed record PatientView(string? PatientName, string? PatientId, string? PatientBirthDate, string? AccessionNumber, string? StudyDate);

    /// <summary>The patient of one job of the worklist: name (DICOM PN) and id, from the study's first received instance.</summary>
    public sealed record JobPatient(Guid JobId, string? PatientName, string? PatientId);

    /// <summary>One content item of an SR: relationship to its parent, value type, concept name, value as text.</summary>
    public sealed record SrNode(string? Relationship, string ValueType, string? Concept, string? Value, IReadOnlyList<SrNode> Children);

    /// <summary>The job's findings (inference's findings.json), measurements included.</summary>
    public static async Task<Results<Ok<FindingsView>, ProblemHttpResult>> GetFindings(
        Guid jobId, JobRepository jobs, [FromServices] FileStores stores, CancellationToken cancellationToken)
    {
        var (results, problem) = await LoadResultsAsync(jobId, jobs, stores, cancellationToken).ConfigureAwait(false);
        if (results is null)
        {
            return problem!;
        }

        return TypedResults.Ok(new FindingsView(results.JobId, results.StudyInstanceUid, results.CompletedAt, [.. results.Runs.Select(r => new RunView(
            r.RunId, r.Model, r.SeriesInstanceUid, r.Modality, new GeometryView(r.Geometry.SizeX, r.Geometry.SizeY, r.Geometry.SizeZ, r.Geometry.Spacing),
            r.ExecutionProvider, r.DurationMs, r.Segments, r.Mask is not null, r.Findings, r.Notes, LabelsOf(r.Findings)))]));
    }

    /// <summary>The reader's names of <paramref name="findings"/> in every language (language → finding id → names).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, FindingLabels>> LabelsOf(IReadOnlyList<Finding> findings) =>
        FindingNames.Languages.ToDictionary(
            language => language,
            IReadOnlyDictionary<string, FindingLabels> (language) =>
            {
                var names = FindingNames.For(language);
                var labels = new Dictionary<string, FindingLabels>(StringComparer.Ordinal);
                foreach (var finding in findings)
                {
                    labels[finding.Id] = new FindingLabels(
                        names.FindingName(finding),
                        names.SiteName(finding),
                        [.. finding.Measurements.Select(names.MeasurementName)],
                        [.. finding.Measurements.Select(m => names.HasUnit(m.Unit) ? names.Unit(m.Unit) : null)]);
                }

                return labels;
            },
            StringComparer.Ordinal);

    /// <summary>Patient name, id, birth date, accession number and study date, read from the study's first instance.</summary>
    public static async Task<Results<Ok<PatientView>, ProblemHttpResult>> GetPatient(
        Guid jobId, JobRepository jobs, [FromServices] FileStores stores, IAuditLog audit, HttpContext context, CancellationToken cancellationToken)
    {
        var timeline = await jobs.TimelineAsync(jobId, cancellationToken).ConfigureAwait(false);
        var ds = await FirstInstanceAsync(timeline, stores, cancellationToken).ConfigureAwait(false);
        if (ds is null)
        {
            await AuditAsync(audit, context, PatientAction, jobId, "not-found", null, cancellationToken).ConfigureAwait(false);
            return timeline.Count == 0 ? JobsApi.JobNotFound(jobId) : Gone("The study's instances are no longer stored.");
        }

        await AuditAsync(audit, context, PatientAction, jobId, "success", null, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new PatientView(
            Text(ds, DicomTags.PatientName), Text(ds, DicomTags.PatientID), Text(ds, DicomTags.PatientBirthDate),
            Text(ds, DicomTags.AccessionNumber), Text(ds, DicomTags.StudyDate)));
    }

    /// <summary>
    /// The patient name and id of the jobs named by <c>jobId</c> (repeated, 1 to <see cref="MaxPatientListJobs"/>): the
    /// radiologist's worklist shows them beside the rows of <c>GET /api/jobs</c>, which carries no identity. A job that is
    /// unknown or whose instances are no longer stored is left out. One audit entry (<c>patient.list</c>) per request names
    /// the jobs whose identity was returned (their ids, never the names).
    /// </summary>
    public static async Task<Results<Ok<IReadOnlyList<JobPatient>>, ProblemHttpResult>> ListPatients(
        [FromQuery(Name = "jobId")] Guid[]? jobIds, JobRepository jobs, [FromServices] FileStores stores, IAuditLog audit, HttpContext context,
        CancellationToken cancellationToken)
    {
        var wanted = (jobIds ?? []).Distinct().ToList();
        if (wanted.Count is 0 or > MaxPatientListJobs)
        {
            return JobsApi.Invalid("Invalid job list", $"Name 1 to {MaxPatientListJobs} jobs: ?jobId=…&jobId=….");
        }

        var patients = new List<JobPatient>(wanted.Count);
        foreach (var jobId in wanted)
        {
            var timeline = await jobs.TimelineAsync(jobId, cancellationToken).ConfigureAwait(false);
            if (await FirstInstanceAsync(timeline, stores, cancellationToken).ConfigureAwait(false) is { } ds)
            {
                patients.Add(new JobPatient(jobId, Text(ds, DicomTags.PatientName), Text(ds, DicomTags.PatientID)));
            }
        }

        await audit.WriteAsync(context, PatientListAction, "jobs", "success", new { jobIds = patients.Select(p => p.JobId) }, cancellationToken).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "private, no-store";
        return TypedResults.Ok<IReadOnlyList<JobPatient>>(patients);
    }

    /// <summary>The header of the study's first received instance (sorted by file name), or null when none is stored.</summary>
    private static async Task<DicomDataset?> FirstInstanceAsync(IReadOnlyList<JobTimelineEntry> timeline, FileStores stores, CancellationToken cancellationToken)
    {
        var reception = timeline.Count == 0 ? null : JobDetails.Reception(timeline);
        var file = reception?.Series
            .Select(s => stores.PathOf(s.Location))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.dcm"))
            .Order(StringComparer.Ordinal)
            .FirstOrDefault();
        if (file is null)
        {
            return null;
        }

        var dicom = await DicomFile.OpenAsync(file, new DicomReadOptions { StopBeforeTag = DicomTags.PixelData }, cancellationToken).ConfigureAwait(false);
        return dicom.Dataset;
    }

    /// <summary>The content tree of the report's SR (what <c>dsrdump</c> shows), for reading without a DICOM tool.</summary>
    public static async Task<Results<Ok<SrNode>, ProblemHttpResult>> GetSrContent(
        Guid jobId, JobRepository jobs, [FromServices] FileStores stores, IAuditLog audit, HttpContext context, CancellationToken cancellationToken)
    {
        var timeline = await jobs.TimelineAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (timeline.Count == 0)
        {
            return JobsApi.JobNotFound(jobId);
        }

        var sr = JobDetails.LatestReport(timeline)?.Objects.FirstOrDefault(o => string.Equals(o.Kind, "SR", StringComparison.OrdinalIgnoreCase));
        var path = sr is null ? null : stores.PathOf(sr.Location);
        if (path is null || !File.Exists(path))
        {
            await AuditAsync(audit, context, SrAction, jobId, "not-found", null, cancellationToken).ConfigureAwait(false);
            return TypedResults.Problem(detail: "The job has no stored SR.", statusCode: StatusCodes.Status404NotFound, title: "Report object not found");
        }

        var dicom = await DicomFile.OpenAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        await AuditAsync(audit, context, SrAction, jobId, "success", new { sopInstanceUid = sr!.SopInstanceUid }, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(ContentItem(dicom.Dataset, root: true));
    }

    /// <summary>
    /// The modality values (rescaled: HU for CT) of slice <paramref name="z"/> of a run's volume, as little-endian
    /// float32, row by row; <c>X-Columns</c>, <c>X-Rows</c> and the image's first window (<c>X-Window-Center</c>,
    /// <c>X-Window-Width</c>) in headers. The dashboard windows them itself.
    /// </summary>
    public static async Task<IResult> GetSlicePixels(
        Guid jobId, string runId, int z, JobRepository jobs, [FromServices] FileStores stores, IAuditLog audit, HttpContext context, CancellationToken cancellationToken)
    {
        var timeline = await jobs.TimelineAsync(jobId, cancellationToken).ConfigureAwait(false);
        var (results, problem) = await LoadResultsAsync(jobId, timeline, stores, cancellationToken).ConfigureAwait(false);
        if (results is null)
        {
            return problem!;
        }

        var run = results.Runs.FirstOrDefault(r => r.RunId == runId);
        if (run is null || z < 0 || z >= run.Geometry.Slices.Count)
        {
            return RunOrSliceNotFound(runId, z);
        }

        var image = run.Geometry.Slices[z];
        var series = JobDetails.Reception(timeline)?.Series.FirstOrDefault(s => s.SeriesInstanceUid == run.SeriesInstanceUid);
        var file = series is null ? null : Path.Combine(stores.PathOf(series.Location), image.SopInstanceUid + ".dcm");
        if (file is null || !File.Exists(file))
        {
            await AuditAsync(audit, context, ImageAction, jobId, "not-found", new { runId, z }, cancellationToken).ConfigureAwait(false);
            return Gone("The source image is no longer stored.");
        }

        var dicom = await DicomFile.OpenAsync(file, cancellationToken: cancellationToken).ConfigureAwait(false);
        var pixels = DicomPixelData.Create(dicom.Dataset, dicom.TransferSyntax);
        var values = await pixels.GetModalityValuesAsync(image.Frame - 1, cancellationToken).ConfigureAwait(false);
        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), (float)values[i]);
        }

        await AuditAsync(audit, context, ImageAction, jobId, "success", new { runId, z, sopInstanceUid = image.SopInstanceUid, frame = image.Frame }, cancellationToken).ConfigureAwait(false);
        var headers = context.Response.Headers;
        headers["X-Columns"] = pixels.Description.Columns.ToString(CultureInfo.InvariantCulture);
        headers["X-Rows"] = pixels.Description.Rows.ToString(CultureInfo.InvariantCulture);
        if (pixels.Windows.Count > 0)
        {
            headers["X-Window-Center"] = pixels.Windows[0].Center.ToString(CultureInfo.InvariantCulture);
            headers["X-Window-Width"] = pixels.Windows[0].Width.ToString(CultureInfo.InvariantCulture);
        }

        headers.CacheControl = "private, no-store";
        return TypedResults.Bytes(bytes, "application/octet-stream");
    }

    /// <summary>
    /// Slice <paramref name="z"/> of the run's label map: one byte per pixel (0 none, n segment n), row by row, with
    /// <c>X-Columns</c> and <c>X-Rows</c>. The map is inflated once and kept in <see cref="LabelMapCache"/> for the next slices.
    /// </summary>
    public static async Task<IResult> GetSliceMask(
        Guid jobId, string runId, int z, JobRepository jobs, [FromServices] FileStores stores, LabelMapCache masks, HttpContext context, CancellationToken cancellationToken)
    {
        var (results, problem) = await LoadResultsAsync(jobId, jobs, stores, cancellationToken).ConfigureAwait(false);
        if (results is null)
        {
            return problem!;
        }

        var run = results.Runs.FirstOrDefault(r => r.RunId == runId);
        if (run?.Mask is null || z < 0 || z >= run.Geometry.SizeZ)
        {
            return RunOrSliceNotFound(runId, z);
        }

        var path = stores.PathOf(run.Mask);
        if (!File.Exists(path))
        {
            return Gone("The mask is no longer stored.");
        }

        var slice = await masks.GetSliceAsync(jobId, runId, path, z, cancellationToken).ConfigureAwait(false);
        context.Response.Headers["X-Columns"] = slice.Columns.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["X-Rows"] = slice.Rows.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "private, no-store";
        return TypedResults.Bytes(slice.Labels, "application/octet-stream");
    }

    private static async Task<(AnalysisResults? Results, ProblemHttpResult? Problem)> LoadResultsAsync(
        Guid jobId, JobRepository jobs, FileStores stores, CancellationToken cancellationToken) =>
        await LoadResultsAsync(jobId, await jobs.TimelineAsync(jobId, cancellationToken).ConfigureAwait(false), stores, cancellationToken).ConfigureAwait(false);

    private static async Task<(AnalysisResults? Results, ProblemHttpResult? Problem)> LoadResultsAsync(
        Guid jobId, IReadOnlyList<JobTimelineEntry> timeline, FileStores stores, CancellationToken cancellationToken)
    {
        if (timeline.Count == 0)
        {
            return (null, JobsApi.JobNotFound(jobId));
        }

        var analysis = timeline.Select(JobDetails.Parse).OfType<AnalysisDone>().LastOrDefault();
        if (analysis is null)
        {
            return (null, TypedResults.Problem(detail: $"Job {jobId} has no analysis results.", statusCode: StatusCodes.Status404NotFound, title: "No findings"));
        }

        var path = stores.PathOf(analysis.Results);
        if (!File.Exists(path))
        {
            return (null, Gone("The findings are no longer stored."));
        }

        await using var stream = await stores.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
        var results = await JsonSerializer.DeserializeAsync<AnalysisResults>(stream, FindingsJson, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"{path} is empty.");
        return (results, null);
    }

    private static SrNode ContentItem(DicomDataset item, bool root = false)
    {
        var valueType = Text(item, DicomTags.ValueType) ?? "";
        var concept = item.TryGetSequence(DicomTags.ConceptNameCodeSequence, out var name) && name.Count > 0 ? Text(name[0], DicomTags.CodeMeaning) : null;
        string? value = valueType switch
        {
            "TEXT" => Text(item, DicomTags.TextValue),
            "CODE" => item.TryGetSequence(DicomTags.ConceptCodeSequence, out var code) && code.Count > 0 ? Text(code[0], DicomTags.CodeMeaning) : null,
            "NUM" => Measured(item),
            "UIDREF" => Text(item, DicomTags.UID),
            "DATETIME" => Text(item, DicomTags.DateTime),
            "DATE" => Text(item, DicomTags.Date),
            "PNAME" => Text(item, DicomTags.PersonName),
            "IMAGE" or "COMPOSITE" => item.TryGetSequence(DicomTags.ReferencedSOPSequence, out var sop) && sop.Count > 0 ? Text(sop[0], DicomTags.ReferencedSOPInstanceUID) : null,
            _ => null,
        };
        var children = item.TryGetSequence(DicomTags.ContentSequence, out var content) ? content.Select(c => ContentItem(c)).ToList() : [];
        return new SrNode(root ? null : Text(item, DicomTags.RelationshipType), valueType, concept, value, children);
    }

    private static string? Measured(DicomDataset item)
    {
        if (!item.TryGetSequence(DicomTags.MeasuredValueSequence, out var measured) || measured.Count == 0)
        {
            return null;
        }

        var number = Text(measured[0], DicomTags.NumericValue);
        var unit = measured[0].TryGetSequence(DicomTags.MeasurementUnitsCodeSequence, out var units) && units.Count > 0 ? Text(units[0], DicomTags.CodeValue) : null;
        return unit is null ? number : $"{number} {unit}";
    }

    private static string? Text(DicomDataset dataset, DicomTag tag) =>
        dataset.TryGetString(tag, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static ProblemHttpResult RunOrSliceNotFound(string runId, int z) =>
        TypedResults.Problem(detail: $"No run '{runId}' with a slice {z} (or no mask).", statusCode: StatusCodes.Status404NotFound, title: "Slice not found");

    private static ProblemHttpResult Gone(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status404NotFound, title: "No longer stored");

    private static Task AuditAsync(IAuditLog audit, HttpContext context, string action, Guid jobId, string outcome, object? details, CancellationToken cancellationToken) =>
        audit.WriteAsync(context, action, $"job:{jobId:D}", outcome, details, cancellationToken);
}
