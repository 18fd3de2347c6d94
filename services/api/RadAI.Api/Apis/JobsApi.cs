using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using RadAI.Api.Jobs;

namespace RadAI.Api.Apis;

/// <summary><c>/api/jobs</c>: the job read model.</summary>
public static class JobsApi
{
    private const int MaxPageSize = 500;

    public static RouteGroupBuilder MapJobsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/jobs").WithTags("Jobs");
        group.MapGet("/", ListJobs).WithName("ListJobs");
        group.MapGet("/{jobId:guid}", GetJob).WithName("GetJob");
        return group;
    }

    /// <summary>Jobs, most recently updated first; <c>status</c> filters, <c>limit</c>/<c>offset</c> page.</summary>
    public static async Task<Results<Ok<IReadOnlyList<JobSummary>>, ProblemHttpResult>> ListJobs(
        JobRepository jobs, string? status, CancellationToken cancellationToken, int limit = 50, int offset = 0)
    {
        if (status is not null && !JobStatus.All.Contains(status))
        {
            return TypedResults.Problem(
                detail: $"Unknown status '{status}'. Known: {string.Join(", ", JobStatus.All)}.",
                statusCode: StatusCodes.Status400BadRequest, title: "Invalid filter");
        }

        if (limit is < 1 or > MaxPageSize || offset < 0)
        {
            return TypedResults.Problem(
                detail: $"limit must be 1..{MaxPageSize} and offset >= 0.",
                statusCode: StatusCodes.Status400BadRequest, title: "Invalid paging");
        }

        return TypedResults.Ok(await jobs.ListAsync(status, limit, offset, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>One job with its timeline of events.</summary>
    public static async Task<Results<Ok<JobDetail>, NotFound>> GetJob(Guid jobId, JobRepository jobs, CancellationToken cancellationToken)
    {
        var job = await jobs.FindAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return TypedResults.NotFound();
        }

        var timeline = await jobs.TimelineAsync(jobId, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new JobDetail(job, timeline));
    }

    /// <summary>The answer of <c>GET /api/jobs/{id}</c>.</summary>
    public sealed record JobDetail(JobSummary Job, IReadOnlyList<JobTimelineEntry> Timeline);
}
