namespace RadAI.Contracts;

/// <summary>inference ran every applicable model of a job and stored the results.</summary>
/// <param name="JobId">The job analysed.</param>
/// <param name="CorrelationId">Correlation of the job.</param>
/// <param name="OccurredAt">When the last model finished (UTC).</param>
/// <param name="StudyInstanceUid">Study Instance UID (0020,000D).</param>
/// <param name="Runs">The model runs that succeeded, one per (package, series).</param>
/// <param name="Results">
/// The findings document (<c>findings.json</c>, see <see cref="Findings.AnalysisResults"/>) in the
/// <c>results</c> store; masks lie beside it.
/// </param>
/// <param name="Decisions">Routing: for each (series, package) pair, whether it ran and why.</param>
/// <param name="Failures">Runs that failed while others succeeded (when every run fails, <see cref="AnalysisFailed"/> is published instead).</param>
/// <param name="Series">
/// The study's series as received (copied from <see cref="StudyReceived"/>), with their folders in the
/// <c>instances</c> store: report-builder reads the source images (patient and study modules, key images) there.
/// </param>
/// <param name="SendingAeTitle">The AE title that sent the study (copied from <see cref="StudyReceived"/>): where the report goes back by default.</param>
public sealed record AnalysisDone(
    Guid JobId,
    Guid CorrelationId,
    DateTimeOffset OccurredAt,
    string StudyInstanceUid,
    IReadOnlyList<ModelRun> Runs,
    StorageReference Results,
    IReadOnlyList<RoutingDecision>? Decisions = null,
    IReadOnlyList<ModelRunFailure>? Failures = null,
    IReadOnlyList<ReceivedSeries>? Series = null,
    string? SendingAeTitle = null) : IJobEvent;
