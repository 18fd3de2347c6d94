namespace RadAI.Contracts;

/// <summary>report-builder could not write the report of an analysed job; the job stops here and is shown as failed.</summary>
/// <param name="JobId">The job.</param>
/// <param name="CorrelationId">Correlation of the job.</param>
/// <param name="OccurredAt">When the failure was decided (UTC).</param>
/// <param name="StudyInstanceUid">Study Instance UID (0020,000D).</param>
/// <param name="ErrorCode">Stable machine-readable reason, e.g. <c>source-images-missing</c>, <c>results-unreadable</c>.</param>
/// <param name="Reason">Human-readable reason, in English, without patient data.</param>
public sealed record ReportFailed(
    Guid JobId,
    Guid CorrelationId,
    DateTimeOffset OccurredAt,
    string StudyInstanceUid,
    string ErrorCode,
    string Reason) : IJobEvent;
