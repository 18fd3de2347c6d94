using Dapper;
using RadAI.Api.Jobs;
using RadAI.Data;

namespace RadAI.Api.Statistics;

/// <summary>Statistics of the jobs that started in a window (<c>GET /api/statistics</c>).</summary>
/// <param name="From">Start of the window (UTC, inclusive).</param>
/// <param name="To">End of the window (UTC, exclusive).</param>
/// <param name="Jobs">Jobs that started in the window.</param>
/// <param name="StudiesPerDay">Jobs started per UTC day, every day of the window listed (zero included).</param>
/// <param name="ByStatus">Jobs per current status (every status listed).</param>
/// <param name="Latencies">Per stage: how many jobs passed it, and the 50th and 95th percentile of its duration.</param>
/// <param name="Failures">Failure events per stage and reason, most frequent first.</param>
public sealed record JobStatistics(
    DateTimeOffset From,
    DateTimeOffset To,
    int Jobs,
    IReadOnlyList<DayCount> StudiesPerDay,
    IReadOnlyDictionary<string, int> ByStatus,
    IReadOnlyList<StageLatency> Latencies,
    IReadOnlyList<FailureCount> Failures);

/// <summary>Jobs started on one UTC day.</summary>
public sealed record DayCount(DateOnly Day, int Studies);

/// <summary>
/// Durations of one stage, in seconds, over the jobs that passed it (nearest-rank percentiles; null when none did).
/// </summary>
/// <param name="Stage"><c>received-analysed</c>, <c>analysed-report-ready</c>, <c>report-ready-delivered</c> or <c>total</c> (received → delivered).</param>
/// <param name="Count">Jobs that passed the stage.</param>
/// <param name="P50Seconds">Median duration.</param>
/// <param name="P95Seconds">95th percentile of the duration.</param>
public sealed record StageLatency(string Stage, int Count, double? P50Seconds, double? P95Seconds);

/// <summary>Failure events of one reason.</summary>
/// <param name="Stage"><c>analysis</c>, <c>report</c> or <c>delivery</c>.</param>
/// <param name="Reason">The error code (analysis, report) or the reason of the last attempt (delivery).</param>
/// <param name="Count">Failure events of this stage and reason.</param>
public sealed record FailureCount(string Stage, string Reason, int Count);

/// <summary>
/// Computes <see cref="JobStatistics"/> from the read model. Two indexed queries: the jobs started in the window
/// (<c>ix_jobs_created</c>) and their events (<c>ix_job_events_job</c>, payload read only for failure events); the rest
/// is done in memory, O(e log e) for the e events of those jobs. The window is bounded (<see cref="MaxWindow"/>).
/// </summary>
public sealed class JobStatisticsQuery(IDbConnectionFactory connections)
{
    /// <summary>Longest window one request may ask for.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(92);

    private static readonly (string Stage, string From, string To)[] Stages =
    [
        ("received-analysed", nameof(Contracts.StudyReceived), nameof(Contracts.AnalysisDone)),
        ("analysed-report-ready", nameof(Contracts.AnalysisDone), nameof(Contracts.ReportReady)),
        ("report-ready-delivered", nameof(Contracts.ReportReady), nameof(Contracts.ReportDelivered)),
        ("total", nameof(Contracts.StudyReceived), nameof(Contracts.ReportDelivered)),
    ];

    public async Task<JobStatistics> ComputeAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        from = from.ToUniversalTime();
        to = to.ToUniversalTime();
        List<JobRow> jobs;
        List<EventRow> events;
        await using (var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            jobs = [.. await connection.QueryAsync<JobRow>(new CommandDefinition("""
                SELECT job_id AS JobId, status AS Status, created_at AS CreatedAt FROM jobs
                WHERE created_at >= @from AND created_at < @to
                """, new { from, to }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
            events = [.. await connection.QueryAsync<EventRow>(new CommandDefinition("""
                SELECT e.job_id AS JobId, e.event_type AS EventType, e.occurred_at AS OccurredAt,
                       CAST(CASE WHEN e.event_type IN ('AnalysisFailed', 'ReportFailed', 'DeliveryFailed') THEN e.payload END AS TEXT) AS Payload
                FROM jobs j JOIN job_events e ON e.job_id = j.job_id
                WHERE j.created_at >= @from AND j.created_at < @to
                """, new { from, to }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
        }

        var perDay = jobs.GroupBy(j => DateOnly.FromDateTime(j.CreatedAt.UtcDateTime)).ToDictionary(g => g.Key, g => g.Count());
        var days = new List<DayCount>();
        for (var day = DateOnly.FromDateTime(from.UtcDateTime); day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) < to.UtcDateTime; day = day.AddDays(1))
        {
            days.Add(new DayCount(day, perDay.GetValueOrDefault(day)));
        }

        var byStatus = JobStatus.All.ToDictionary(s => s, _ => 0);
        foreach (var job in jobs)
        {
            byStatus[job.Status] = byStatus.GetValueOrDefault(job.Status) + 1;
        }

        // The first time each job reached each step: a re-run or a resend does not shorten or lengthen the first pass.
        var firsts = events
            .GroupBy(e => (e.JobId, e.EventType))
            .ToDictionary(g => g.Key, g => g.Min(e => e.OccurredAt));
        var latencies = Stages.Select(stage =>
        {
            var durations = new List<double>();
            foreach (var job in jobs)
            {
                if (firsts.TryGetValue((job.JobId, stage.From), out var start) && firsts.TryGetValue((job.JobId, stage.To), out var end) && end >= start)
                {
                    durations.Add((end - start).TotalSeconds);
                }
            }

            durations.Sort();
            return new StageLatency(stage.Stage, durations.Count, Percentile(durations, 0.50), Percentile(durations, 0.95));
        }).ToList();

        var failures = events
            .Where(e => e.Payload is not null)
            .Select(FailureOf)
            .GroupBy(f => f)
            .Select(g => new FailureCount(g.Key.Stage, g.Key.Reason, g.Count()))
            .OrderByDescending(f => f.Count).ThenBy(f => f.Stage, StringComparer.Ordinal).ThenBy(f => f.Reason, StringComparer.Ordinal)
            .ToList();

        return new JobStatistics(from, to, jobs.Count, days, byStatus, latencies, failures);
    }

    /// <summary>Nearest rank: the smallest value with at least <paramref name="quantile"/> of the values at or below it.</summary>
    public static double? Percentile(IReadOnlyList<double> sorted, double quantile) =>
        sorted.Count == 0 ? null : sorted[Math.Max(0, (int)Math.Ceiling(quantile * sorted.Count) - 1)];

    private static (string Stage, string Reason) FailureOf(EventRow row)
    {
        using var payload = System.Text.Json.JsonDocument.Parse(row.Payload!);
        string? Text(string name) => payload.RootElement.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String ? value.GetString() : null;
        return row.EventType switch
        {
            nameof(Contracts.AnalysisFailed) => ("analysis", Text("errorCode") ?? "unknown"),
            nameof(Contracts.ReportFailed) => ("report", Text("errorCode") ?? "unknown"),
            _ => ("delivery", Text("reason") ?? "unknown"),
        };
    }

    /// <summary>A job of the window, as read (settable properties: each engine returns its own column types).</summary>
    public sealed class JobRow
    {
        public Guid JobId { get; set; }

        public string Status { get; set; } = "";

        public DateTimeOffset CreatedAt { get; set; }
    }

    /// <summary>An event of those jobs, as read; the payload only for failure events.</summary>
    public sealed class EventRow
    {
        public Guid JobId { get; set; }

        public string EventType { get; set; } = "";

        public DateTimeOffset OccurredAt { get; set; }

        public string? Payload { get; set; }
    }
}
