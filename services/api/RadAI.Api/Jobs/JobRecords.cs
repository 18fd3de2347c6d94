namespace RadAI.Api.Jobs;

/// <summary>One job as the read model holds it.</summary>
public sealed record JobSummary(
    Guid JobId,
    Guid CorrelationId,
    string StudyInstanceUid,
    string? SendingAe,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>One event of a job's timeline.</summary>
public sealed record JobTimelineEntry(Guid MessageId, string EventType, DateTimeOffset OccurredAt, DateTimeOffset RecordedAt, string? TraceId, string Payload);

/// <summary>An event to record: what the consumer saw.</summary>
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
    string Payload);
