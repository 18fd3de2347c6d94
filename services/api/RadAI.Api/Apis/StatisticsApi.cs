using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using RadAI.Api.Security;
using RadAI.Api.Statistics;

namespace RadAI.Api.Apis;

/// <summary><c>/api/statistics</c>: volumes, stage latencies and failures of the jobs that started in a window (every role).</summary>
public static class StatisticsApi
{
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(7);

    public static RouteGroupBuilder MapStatisticsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/statistics").WithTags("Statistics").RequireAuthorization(Policies.JobStatus);
        group.MapGet("/", GetStatistics).WithName("GetStatistics");
        return group;
    }

    /// <summary>
    /// Jobs started in [from, to): default the last 7 days; at most 92 days. Times are ISO-8601 (UTC unless an offset is given).
    /// </summary>
    public static async Task<Results<Ok<JobStatistics>, ProblemHttpResult>> GetStatistics(
        JobStatisticsQuery statistics, TimeProvider clock, CancellationToken cancellationToken, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        var end = to ?? clock.GetUtcNow();
        var start = from ?? end - DefaultWindow;
        if (start >= end || end - start > JobStatisticsQuery.MaxWindow)
        {
            return TypedResults.Problem(
                detail: $"from must be before to, at most {JobStatisticsQuery.MaxWindow.TotalDays} days apart.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid window");
        }

        return TypedResults.Ok(await statistics.ComputeAsync(start, end, cancellationToken).ConfigureAwait(false));
    }
}
