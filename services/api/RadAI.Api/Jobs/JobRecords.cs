using RadAI.Contracts;

namespace RadAI.Api.Jobs;

/// <summary>One job as the read model holds it. Ids, UIDs, AE titles and statuses: never patient data.</summary>
/// <remarks>CreatedAt: When the job's first event happened: the reception of the study. Modalities: Modalities of the received series, sorted (empty until StudyReceived or AnalysisDone is seen).</remarks>
public sealed record JobSummary(
    Guid JobId,
    Guid CorrelationId,
    string StudyInstanceUid,
    string? SendingAe,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<string> Modalities);

/// <summary>One event of a job's timeline.</summary>
public sealed record JobTimelineEntry(Guid MessageId, string EventType, DateTimeOffset OccurredAt, DateTimeOffset RecordedAt, string? TraceId, string Payload);

/// <summary>An event to record: what the consumer saw.</summary>
/// <remarks>Modalities: The job's modalities as stored (<c>,CT,MR,</c>) when the event lists the series, else null.</remarks>
public sealed record JobEventRecord(
    Guid MessageId,
    Guid JobId,
    Guid CorrelationId,
    string StudyInstanceUid,
    string? SendingAe,
    string EventType,
    string Status,
    int StatusRank,
    DateTimeOffset OccurredAt,
    DateTimeOffset RecordedAt,
    string? TraceId,
    string Payload,
    string? Modalities = null);

/// <summary>A change of the read model, as the live feed sends it: no patient data.</summary>
/// <remarks>Sequence: Position in the feed (the server-sent event id). Status: The job's status after the change.</remarks>
public sealed record JobChange(long Sequence, Guid JobId, string EventType, string Status, DateTimeOffset OccurredAt, DateTimeOffset RecordedAt);

/// <summary>Filters, sort and page of <c>GET /api/jobs</c>; null filters do not filter.</summary>
/// <remarks>From: Received at or after (inclusive). To: Received before (exclusive).</remarks>
public sealed record JobQuery(
    string? Status,
    string? Modality,
    string? SendingAe,
    DateTimeOffset? From,
    DateTimeOffset? To,
    JobSort Sort,
    bool Descending,
    int Limit,
    int Offset);

/// <summary>The orders of the job list.</summary>
public enum JobSort
{
    /// <summary>By reception (<see cref="JobSummary.CreatedAt"/>).</summary>
    Received,

    /// <summary>By last change (<see cref="JobSummary.UpdatedAt"/>).</summary>
    Updated,
}

/// <summary>How the read model stores a job's modalities: sorted, upper case, comma-framed (<c>,CT,MR,</c>).</summary>
public static class JobModalities
{
    public static string? Encode(IEnumerable<ReceivedSeries>? series)
    {
        if (series is null)
        {
            return null;
        }

        var modalities = series.Select(s => s.Modality.Trim().ToUpperInvariant()).Where(m => m.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList();
        return modalities.Count == 0 ? null : $",{string.Join(',', modalities)},";
    }

    public static IReadOnlyList<string> Decode(string? stored) =>
        stored is null ? [] : stored.Split(',', StringSplitOptions.RemoveEmptyEntries);
}
