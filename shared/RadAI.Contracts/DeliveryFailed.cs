namespace RadAI.Contracts;

/// <summary>pacs-sender gave up delivering a report to one destination after its bounded retries.</summary>
/// <param name="JobId">The job.</param>
/// <param name="CorrelationId">Correlation of the job.</param>
/// <param name="OccurredAt">When the last attempt failed (UTC).</param>
/// <param name="StudyInstanceUid">Study Instance UID (0020,000D).</param>
/// <param name="DestinationAeTitle">AE title of the destination.</param>
/// <param name="Reason">Why the last attempt failed, in English.</param>
/// <param name="Attempts">How many attempts were made.</param>
/// <param name="Objects">Per-object status of the last attempt.</param>
public sealed record DeliveryFailed(
    Guid JobId,
    Guid CorrelationId,
    DateTimeOffset OccurredAt,
    string StudyInstanceUid,
    string DestinationAeTitle,
    string Reason,
    int Attempts,
    IReadOnlyList<ObjectDelivery> Objects) : IJobEvent;
