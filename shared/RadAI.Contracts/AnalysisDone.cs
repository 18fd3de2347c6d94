namespace RadAI.Contracts;

/// <summary>inference ran every applicable model of a job and stored the results.</summary>
/// <param name="JobId">The job analysed.</param>
/// <param name="CorrelationId">Correlation of the job.</param>
/// <param name="OccurredAt">When the last model finished (UTC).</param>
/// <param name="StudyInstanceUid">Study Instance UID (0020,000D).</param>
/// <param name="Runs">The model runs, one per (package, series).</param>
/// <param name="Results">Folder of the results (findings JSON and masks) in the <c>results</c> store.</param>
public sealed record AnalysisDone(
    Guid JobId,
    Guid CorrelationId,
    DateTimeOffset OccurredAt,
    string StudyInstanceUid,
    IReadOnlyList<ModelRun> Runs,
    StorageReference Results) : IJobEvent;
