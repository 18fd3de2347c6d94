namespace RadAI.Contracts;

/// <summary>inference found no model package that applies to any series of the study.</summary>
/// <param name="JobId">The job.</param>
/// <param name="CorrelationId">Correlation of the job.</param>
/// <param name="OccurredAt">When routing decided (UTC).</param>
/// <param name="StudyInstanceUid">Study Instance UID (0020,000D).</param>
/// <param name="Reason">Summary of why nothing applies, in English.</param>
/// <param name="Decisions">The decision for each (series, package) pair that was evaluated.</param>
public sealed record StudySkipped(
    Guid JobId,
    Guid CorrelationId,
    DateTimeOffset OccurredAt,
    string StudyInstanceUid,
    string Reason,
    IReadOnlyList<RoutingDecision> Decisions) : IJobEvent;
