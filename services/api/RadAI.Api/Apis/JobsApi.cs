using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using RadAI.Api.Jobs;
using RadAI.Api.Security;

namespace RadAI.Api.Apis;

/// <summary>
/// <c>/api/jobs</c>: the job read model (list, detail, live feed). No patient data in any answer, so every role may
/// read it; a caller must be signed in (a user's token or an API key).
/// </summary>
public static class JobsApi
{
    private const int MaxPageSize = 500;

    public static RouteGroupBuilder MapJobsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/jobs").WithTags("Jobs").RequireAuthorization(Policies.JobStatus);
        group.MapGet("/", ListJobs).WithName("ListJobs");
        group.MapGet("/{jobId:guid}", GetJob).WithName("GetJob");
        group.MapGet("/events", JobEventsStream.StreamAsync).WithName("StreamJobEvents");
        return group;
    }

    /// <summary>
    /// Jobs filtered by <c>status</c>, <c>modality</c>, <c>sender</c> (calling AE title), <c>from</c>/<c>to</c> (reception,
    /// ISO 8601, <c>to</c> excluded); sorted by <c>sort</c> (<c>received</c> or <c>updated</c>, the default) in
    /// <c>order</c> (<c>desc</c>, the default, or <c>asc</c>); paged by <c>limit</c>/<c>offset</c>. The total number of
    /// matching jobs is in the <c>X-Total-Count</c> header.
    /// </summary>
    public static async Task<Results<Ok<IReadOnlyList<JobSummary>>, ProblemHttpResult>> ListJobs(
        JobRepository jobs, HttpResponse response, CancellationToken cancellationToken,
        string? status = null, string? modality = null, string? sender = null, string? from = null, string? to = null,
        string? sort = null, string? order = null, int limit = 50, int offset = 0)
    {
        if (status is not null && !JobStatus.All.Contains(status))
        {
            return Invalid("Invalid filter", $"Unknown status '{status}'. Known: {string.Join(", ", JobStatus.All)}.");
        }

        if (modality is not null && (modality.Length is 0 or > 16 || !modality.All(char.IsAsciiLetterOrDigit)))
        {
            return Invalid("Invalid filter", "modality must be a DICOM modality code, e.g. CT, MR, CR.");
        }

        if (sender is not null && !DicomAeTitles.IsValid(sender))
        {
            return Invalid("Invalid filter", "sender must be an AE title: 1 to 16 characters, no backslash or control character.");
        }

        if (!TryParseTime(from, out var fromTime) || !TryParseTime(to, out var toTime))
        {
            return Invalid("Invalid filter", "from and to must be ISO 8601 dates or times, e.g. 2026-11-26 or 2026-11-26T08:00:00Z.");
        }

        if (fromTime is { } f && toTime is { } t && t <= f)
        {
            return Invalid("Invalid filter", "to must be after from.");
        }

        JobSort? sortBy = sort switch
        {
            null or "updated" => JobSort.Updated,
            "received" => JobSort.Received,
            _ => null,
        };
        bool? descending = order switch
        {
            null or "desc" => true,
            "asc" => false,
            _ => null,
        };
        if (sortBy is null || descending is null)
        {
            return Invalid("Invalid sort", "sort must be 'received' or 'updated' and order 'asc' or 'desc'.");
        }

        if (limit is < 1 or > MaxPageSize || offset < 0)
        {
            return Invalid("Invalid paging", $"limit must be 1..{MaxPageSize} and offset >= 0.");
        }

        var query = new JobQuery(status, modality?.ToUpperInvariant(), sender, fromTime, toTime, sortBy.Value, descending.Value, limit, offset);
        var (page, total) = await jobs.ListAsync(query, cancellationToken).ConfigureAwait(false);
        response.Headers["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Ok(page);
    }

    /// <summary>One job: status, series, routing, models, findings counts, report objects, deliveries, errors, timeline.</summary>
    public static async Task<Results<Ok<JobDetail>, ProblemHttpResult>> GetJob(Guid jobId, JobRepository jobs, CancellationToken cancellationToken)
    {
        var job = await jobs.FindAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return JobNotFound(jobId);
        }

        var timeline = await jobs.TimelineAsync(jobId, cancellationToken).ConfigureAwait(false);
        var related = await jobs.RelatedJobsAsync(jobId, job.CorrelationId, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(JobDetails.Build(job, timeline, related));
    }

    internal static ProblemHttpResult JobNotFound(Guid jobId) =>
        TypedResults.Problem(detail: $"No job {jobId}.", statusCode: StatusCodes.Status404NotFound, title: "Job not found");

    internal static ProblemHttpResult Invalid(string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: title);

    internal static bool TryParseTime(string? text, out DateTimeOffset? time)
    {
        time = null;
        if (text is null)
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            time = parsed;
            return true;
        }

        return false;
    }
}

/// <summary>AE titles as the api accepts them (PS3.5 AE value representation).</summary>
public static class DicomAeTitles
{
    public static bool IsValid(string? aeTitle) =>
        aeTitle is { Length: >= 1 and <= 16 } && !string.IsNullOrWhiteSpace(aeTitle) && !aeTitle.Any(c => c == '\\' || char.IsControl(c));
}
