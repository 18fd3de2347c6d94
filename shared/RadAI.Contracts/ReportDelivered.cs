namespace RadAI.Contracts;

/// <summary>pacs-sender stored every object of a report at one destination.</summary>
/// <param name="JobId">The job.</param>
/// <param name="CorrelationId">Correlation of the job.</param>
/// <param name="OccurredAt">When the destination confirmed the last object (UTC).</param>
/// <param name="StudyInstanceUid">Study Instance UID (0020,000D).</param>
/// <param name="DestinationAeTitle">AE title of the destination (the PACS).</param>
/// <param name="Objects">Per-object status.</param>
/// <param name="Attempt">Which attempt succeeded, 1 for the first.</param>
public sealed record ReportDelivered(
    Guid JobId,
    Guid CorrelationId,
    DateTimeOffset OccurredAt,
    string StudyInstanceUid,
    string DestinationAeTitle,
    IReadOnlyList<ObjectDelivery> Objects,
    int Attempt) : IJobEvent;
