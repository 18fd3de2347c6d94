using MassTransit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using RadAI.Api.Jobs;
using RadAI.Api.Security;
using RadAI.Contracts;
using RadAI.Data.Audit;
using RadAI.Hosting.Storage;

namespace RadAI.Api.Apis;

/// <summary>
/// What a job's report allows: download its objects (radiologists: the files hold patient data), send it again, analyse
/// the study again (radiologists and administrators). Every call is audited, refused or not.
/// </summary>
public static class JobActionsApi
{
    public const string DownloadAction = "report.download";
    public const string ResendAction = "job.resend";
    public const string RerunAction = "job.rerun";


    public static IEndpointRouteBuilder MapJobActionsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/jobs/{jobId:guid}").WithTags("Jobs");
        group.MapGet("/report/{kind}", DownloadReport).WithName("DownloadJobReport").RequireAuthorization(Policies.PatientData);
        group.MapPost("/resend", Resend).WithName("ResendJobReport").RequireAuthorization(Policies.RadiologistOrAdmin);
        group.MapPost("/rerun", Rerun).WithName("RerunJob").RequireAuthorization(Policies.RadiologistOrAdmin);
        return routes;
    }

    /// <summary>
    /// The report's SR, SEG or encapsulated PDF as a DICOM Part 10 file (<c>kind</c> = <c>sr</c>, <c>seg</c>,
    /// <c>pdf</c>), or the plain PDF with <c>?format=pdf</c>; streamed from the reports store.
    /// </summary>
    public static async Task<IResult> DownloadReport(
        Guid jobId, string kind, string? format, JobRepository jobs, [FromServices] FileStores stores, IAuditLog audit, HttpContext context,
        CancellationToken cancellationToken)
    {
        var objectKind = kind.ToLowerInvariant() switch
        {
            "sr" => "SR",
            "seg" => "SEG",
            "pdf" => "PDF",
            _ => null,
        };
        var plainPdf = format is "pdf";
        if (objectKind is null || (format is not null and not "dicom" && !(plainPdf && objectKind == "PDF")))
        {
            await AuditAsync(audit, context, DownloadAction, jobId, "invalid", new { kind, format }, cancellationToken).ConfigureAwait(false);
            return JobsApi.Invalid("Invalid report kind",
                "kind must be sr, seg or pdf; format may be dicom (the default), or pdf for the plain PDF of kind pdf.");
        }

        var timeline = await jobs.TimelineAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (timeline.Count == 0)
        {
            await AuditAsync(audit, context, DownloadAction, jobId, "not-found", new { kind = objectKind, format }, cancellationToken).ConfigureAwait(false);
            return JobsApi.JobNotFound(jobId);
        }

        var report = JobDetails.LatestReport(timeline);
        StorageReference? location;
        string? sopInstanceUid = null;
        if (plainPdf)
        {
            location = report?.PdfDocument;
        }
        else
        {
            var item = report?.Objects.FirstOrDefault(o => string.Equals(o.Kind, objectKind, StringComparison.OrdinalIgnoreCase));
            location = item?.Location;
            sopInstanceUid = item?.SopInstanceUid;
        }

        var path = location is null ? null : stores.PathOf(location);
        if (path is null || !File.Exists(path))
        {
            await AuditAsync(audit, context, DownloadAction, jobId, "not-found", new { kind = objectKind, format, sopInstanceUid }, cancellationToken).ConfigureAwait(false);
            var why = report is null ? "The job has no report."
                : location is null ? $"The report has no {(plainPdf ? "plain PDF" : objectKind)} object."
                : "The file is no longer stored.";
            return TypedResults.Problem(detail: why, statusCode: StatusCodes.Status404NotFound, title: "Report object not found");
        }

        // Opened through the stores: a file encrypted at rest is decrypted as it is sent (its length, known before the first
        // byte, authenticates its final chunk). The stream seeks, so range requests are honoured either way.
        Stream? stream = null;
        try
        {
            stream = await stores.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
            _ = stream.Length;
        }
        catch (InvalidDataException)
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            await AuditAsync(audit, context, DownloadAction, jobId, "unreadable", new { kind = objectKind, format, sopInstanceUid }, cancellationToken).ConfigureAwait(false);
            return TypedResults.Problem(detail: "The stored file cannot be read: it is damaged, or encrypted with a key this node does not have.",
                statusCode: StatusCodes.Status500InternalServerError, title: "Report object unreadable");
        }

        await AuditAsync(audit, context, DownloadAction, jobId, "success", new { kind = objectKind, format, sopInstanceUid }, cancellationToken).ConfigureAwait(false);
        return plainPdf
            ? TypedResults.Stream(stream, "application/pdf", $"{jobId:N}.pdf", enableRangeProcessing: true)
            : TypedResults.Stream(stream, "application/dicom", $"{sopInstanceUid ?? jobId.ToString("N")}.dcm", enableRangeProcessing: true);
    }

    /// <summary>Body of <c>POST /api/jobs/{id}/resend</c>; without one, the report goes where pacs-sender's rules say.</summary>
    /// <param name="DestinationAeTitle">Send to this configured destination only.</param>
    public sealed record ResendRequest(string? DestinationAeTitle);

    /// <summary>The answer of an accepted re-send.</summary>
    public sealed record ResendAccepted(Guid JobId, Guid RequestId, string? DestinationAeTitle);

    /// <summary>Asks pacs-sender to store the report again (a <see cref="ResendReport"/> command): 202, the outcome follows as events.</summary>
    public static async Task<Results<Accepted<ResendAccepted>, ProblemHttpResult>> Resend(
        Guid jobId, [FromBody] ResendRequest? request, JobRepository jobs, [FromServices] IPublishEndpoint publish, IAuditLog audit,
        TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        var destination = request?.DestinationAeTitle;
        if (destination is not null && !DicomAeTitles.IsValid(destination))
        {
            await AuditAsync(audit, context, ResendAction, jobId, "invalid", new { destination }, cancellationToken).ConfigureAwait(false);
            return JobsApi.Invalid("Invalid destination", "destinationAeTitle must be an AE title: 1 to 16 characters, no backslash or control character.");
        }

        var timeline = await jobs.TimelineAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (timeline.Count == 0)
        {
            await AuditAsync(audit, context, ResendAction, jobId, "not-found", new { destination }, cancellationToken).ConfigureAwait(false);
            return JobsApi.JobNotFound(jobId);
        }

        if (JobDetails.LatestReport(timeline) is null)
        {
            await AuditAsync(audit, context, ResendAction, jobId, "conflict", new { destination }, cancellationToken).ConfigureAwait(false);
            return TypedResults.Problem(detail: $"Job {jobId} has no report to send.", statusCode: StatusCodes.Status409Conflict, title: "No report");
        }

        var command = new ResendReport(jobId, Guid.NewGuid(), clock.GetUtcNow(), destination, AuditActors.Of(context.User));
        await publish.Publish(command, cancellationToken).ConfigureAwait(false);
        await AuditAsync(audit, context, ResendAction, jobId, AuditOutcome.Accepted, new { destination, requestId = command.RequestId }, cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted($"/api/jobs/{jobId}", new ResendAccepted(jobId, command.RequestId, destination));
    }

    /// <summary>The answer of an accepted re-run: the new job to follow.</summary>
    public sealed record RerunAccepted(Guid JobId, Guid RerunOf, Guid CorrelationId);

    /// <summary>
    /// Analyses the same received instances again as a new job: a new <see cref="StudyReceived"/> with a new job id, the
    /// original's correlation id, sender, profile, series and store locations. The services downstream key their work by
    /// job id (inference's results folder, report-builder's UIDs and report history, pacs-sender's deliveries), so a new
    /// job runs the whole pipeline again and its report supersedes the previous one.
    /// </summary>
    public static async Task<Results<Accepted<RerunAccepted>, ProblemHttpResult>> Rerun(
        Guid jobId, JobRepository jobs, [FromServices] IPublishEndpoint publish, [FromServices] FileStores stores, IAuditLog audit,
        TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        var timeline = await jobs.TimelineAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (timeline.Count == 0)
        {
            await AuditAsync(audit, context, RerunAction, jobId, "not-found", null, cancellationToken).ConfigureAwait(false);
            return JobsApi.JobNotFound(jobId);
        }

        var reception = JobDetails.Reception(timeline);
        if (reception is null)
        {
            await AuditAsync(audit, context, RerunAction, jobId, "conflict", new { reason = "reception-unknown" }, cancellationToken).ConfigureAwait(false);
            return TypedResults.Problem(detail: $"The reception of job {jobId} is not recorded: nothing to analyse again.",
                statusCode: StatusCodes.Status409Conflict, title: "Reception unknown");
        }

        // Retention may have removed the instances since.
        if (reception.Series.Any(s => !Directory.Exists(stores.PathOf(s.Location))))
        {
            await AuditAsync(audit, context, RerunAction, jobId, "conflict", new { reason = "instances-gone" }, cancellationToken).ConfigureAwait(false);
            return TypedResults.Problem(detail: $"The received instances of job {jobId} are no longer stored.",
                statusCode: StatusCodes.Status409Conflict, title: "Instances gone");
        }

        var rerun = reception with { JobId = Guid.NewGuid(), OccurredAt = clock.GetUtcNow() };
        await publish.Publish(rerun, cancellationToken).ConfigureAwait(false);
        await AuditAsync(audit, context, RerunAction, jobId, AuditOutcome.Accepted, new { newJobId = rerun.JobId }, cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted($"/api/jobs/{rerun.JobId}", new RerunAccepted(rerun.JobId, jobId, rerun.CorrelationId));
    }

    private static Task AuditAsync(IAuditLog audit, HttpContext context, string action, Guid jobId, string outcome, object? details, CancellationToken cancellationToken) =>
        audit.WriteAsync(context, action, $"job:{jobId:D}", outcome, details, cancellationToken);
}
