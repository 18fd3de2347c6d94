using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RadAI.Api.Jobs;
using RadAI.Api.Statistics;
using RadAI.Contracts;
using RadAI.Data;
using Xunit;

namespace RadAI.Api.Tests;

/// <summary><c>GET /api/statistics</c> over job events of known timings, on both engines.</summary>
public sealed class StatisticsApiTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly DateTimeOffset Day1 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Day2 = Day1.AddDays(1);

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Studies_per_day_stage_percentiles_failures_and_statuses_of_the_jobs_started_in_the_window(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var api = await ApiTestHost.StartAsync(db);
        var jobs = api.Services.GetRequiredService<JobRepository>();
        var (a, b, c, d, f, outside, late) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        // Day 1: A goes through in 10 + 5 + 10 s, and its report is sent again an hour later (a resend: not its first pass).
        await RecordAsync(jobs, a, Day1, nameof(StudyReceived));
        await RecordAsync(jobs, a, Day1.AddSeconds(10), nameof(AnalysisDone));
        await RecordAsync(jobs, a, Day1.AddSeconds(15), nameof(ReportReady));
        await RecordAsync(jobs, a, Day1.AddSeconds(25), nameof(ReportDelivered));
        await RecordAsync(jobs, a, Day1.AddHours(1), nameof(ReportDelivered));
        // Day 2: B in 20 + 10 + 30 s; C and F fail analysis; D is analysed in 30 s, reported in 5 s, and its delivery fails.
        await RecordAsync(jobs, b, Day2, nameof(StudyReceived));
        await RecordAsync(jobs, b, Day2.AddSeconds(20), nameof(AnalysisDone));
        await RecordAsync(jobs, b, Day2.AddSeconds(30), nameof(ReportReady));
        await RecordAsync(jobs, b, Day2.AddSeconds(60), nameof(ReportDelivered));
        await RecordAsync(jobs, c, Day2.AddHours(1), nameof(StudyReceived));
        await RecordAsync(jobs, c, Day2.AddHours(1).AddSeconds(3), nameof(AnalysisFailed), Failed(c, "model-error"));
        await RecordAsync(jobs, d, Day2.AddHours(2), nameof(StudyReceived));
        await RecordAsync(jobs, d, Day2.AddHours(2).AddSeconds(30), nameof(AnalysisDone));
        await RecordAsync(jobs, d, Day2.AddHours(2).AddSeconds(35), nameof(ReportReady));
        await RecordAsync(jobs, d, Day2.AddHours(3), nameof(DeliveryFailed), DeliveryFailedPayload(d, "Cannot connect to 127.0.0.1:9"));
        await RecordAsync(jobs, f, Day2.AddHours(3), nameof(StudyReceived));
        await RecordAsync(jobs, f, Day2.AddHours(3).AddSeconds(1), nameof(AnalysisFailed), Failed(f, "model-error"));
        // Outside the window on both sides: counted nowhere.
        await RecordAsync(jobs, outside, Day1.AddSeconds(-1), nameof(StudyReceived));
        await RecordAsync(jobs, outside, Day1.AddSeconds(5), nameof(AnalysisFailed), Failed(outside, "volume-not-assemblable"));
        await RecordAsync(jobs, late, Day2.AddDays(1), nameof(StudyReceived));
        var viewer = await api.CreateUserAndLoginAsync("viewer", "viewer");

        using var response = await api.SendAsync(HttpMethod.Get, "/api/statistics?from=2026-11-01T00:00:00Z&to=2026-11-03T00:00:00Z", bearer: viewer);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var statistics = (await response.Content.ReadFromJsonAsync<JobStatistics>())!;
        Assert.Equal((Day1, Day2.AddDays(1), 5), (statistics.From, statistics.To, statistics.Jobs));
        Assert.Equal([new DayCount(new DateOnly(2026, 11, 1), 1), new DayCount(new DateOnly(2026, 11, 2), 4)], statistics.StudiesPerDay);
        Assert.Equal(2, statistics.ByStatus[JobStatus.Delivered]);
        Assert.Equal(2, statistics.ByStatus[JobStatus.AnalysisFailed]);
        Assert.Equal(1, statistics.ByStatus[JobStatus.DeliveryFailed]);
        Assert.Equal(0, statistics.ByStatus[JobStatus.Received]);
        Assert.Equal(
            [
                new StageLatency("received-analysed", 3, 20, 30),
                new StageLatency("analysed-report-ready", 3, 5, 10),
                new StageLatency("report-ready-delivered", 2, 10, 30),
                new StageLatency("total", 2, 25, 60),
            ],
            statistics.Latencies);
        Assert.Equal([new FailureCount("analysis", "model-error", 2), new FailureCount("delivery", "Cannot connect to 127.0.0.1:9", 1)], statistics.Failures);
    }

    [Fact]
    public async Task A_window_that_is_reversed_or_too_long_is_a_problem_and_the_caller_must_be_signed_in()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var api = await ApiTestHost.StartAsync(db);
        var viewer = await api.CreateUserAndLoginAsync("viewer", "viewer");

        using var reversed = await api.SendAsync(HttpMethod.Get, "/api/statistics?from=2026-11-03T00:00:00Z&to=2026-11-01T00:00:00Z", bearer: viewer);
        using var tooLong = await api.SendAsync(HttpMethod.Get, "/api/statistics?from=2026-01-01T00:00:00Z&to=2026-11-01T00:00:00Z", bearer: viewer);
        using var anonymous = await api.SendAsync(HttpMethod.Get, "/api/statistics");
        using var lastWeek = await api.SendAsync(HttpMethod.Get, "/api/statistics", bearer: viewer);

        Assert.Equal(HttpStatusCode.BadRequest, reversed.StatusCode);
        Assert.Equal("application/problem+json", reversed.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var empty = (await lastWeek.Content.ReadFromJsonAsync<JobStatistics>())!;
        Assert.Equal((0, TimeSpan.FromDays(7)), (empty.Jobs, empty.To - empty.From));
        Assert.All(empty.Latencies, l => Assert.Equal((0, (double?)null, (double?)null), (l.Count, l.P50Seconds, l.P95Seconds)));
    }

    [Fact]
    public void Percentiles_are_nearest_rank()
    {
        double[] values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        Assert.Equal(5, JobStatisticsQuery.Percentile(values, 0.50));
        Assert.Equal(10, JobStatisticsQuery.Percentile(values, 0.95));
        Assert.Equal(7, JobStatisticsQuery.Percentile([7], 0.95));
        Assert.Null(JobStatisticsQuery.Percentile([], 0.5));
    }

    private static string Failed(Guid job, string code) =>
        JsonSerializer.Serialize(new AnalysisFailed(job, job, Day1, "1.2.3", code, "the model failed"), Json);

    private static string DeliveryFailedPayload(Guid job, string reason) =>
        JsonSerializer.Serialize(new DeliveryFailed(job, job, Day1, "1.2.3", "PACS", reason, 8, []), Json);

    private static readonly Dictionary<string, (string Status, int Rank)> Statuses = new()
    {
        [nameof(StudyReceived)] = (JobStatus.Received, 10),
        [nameof(AnalysisFailed)] = (JobStatus.AnalysisFailed, 20),
        [nameof(AnalysisDone)] = (JobStatus.Analysed, 30),
        [nameof(ReportReady)] = (JobStatus.ReportReady, 40),
        [nameof(DeliveryFailed)] = (JobStatus.DeliveryFailed, 50),
        [nameof(ReportDelivered)] = (JobStatus.Delivered, 60),
    };

    private static async Task RecordAsync(JobRepository jobs, Guid job, DateTimeOffset at, string eventType, string payload = "{}")
    {
        var (status, rank) = Statuses[eventType];
        Assert.True(await jobs.RecordAsync(
            new JobEventRecord(Guid.NewGuid(), job, job, "1.2.3", null, eventType, status, rank, at, at, null, payload), CancellationToken.None));
    }
}
