namespace RadAI.Contracts;

/// <summary>inference could not analyse a job; the job stops here and is shown as failed.</summary>
/// <param name="JobId">The job.</param>
/// <param name="CorrelationId">Correlation of the job.</param>
/// <param name="OccurredAt">When the failure was decided (UTC).</param>
/// <param name="StudyInstanceUid">Study Instance UID (0020,000D).</param>
/// <param name="ErrorCode">Stable machine-readable reason, e.g. <c>volume-not-assemblable</c>, <c>model-error</c>.</param>
/// <param name="Reason">Human-readable reason, in English, without patient data.</param>
/// <param name="ModelId">The model package that failed, when one did.</param>
/// <param name="SeriesInstanceUid">The series being analysed when it failed, when known.</param>
/// <param name="Decisions">Routing: for each (series, package) pair, whether it was to run and why.</param>
/// <param name="Failures">Every run that failed, when several were attempted.</param>
public sealed record AnalysisFailed(
    Guid JobId,
    Guid CorrelationId,
    DateTimeOffset OccurredAt,
    string StudyInstanceUid,
    string ErrorCode,
    string Reason,
    string? ModelId = null,
    string? SeriesInstanceUid = null,
    IReadOnlyList<RoutingDecision>? Decisions = null,
    IReadOnlyList<ModelRunFailure>? Failures = null) : IJobEvent;
