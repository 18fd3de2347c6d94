namespace RadAI.Contracts;

/// <summary>report-builder wrote the report objects of a job, ready to be delivered.</summary>
/// <param name="JobId">The job.</param>
/// <param name="CorrelationId">Correlation of the job.</param>
/// <param name="OccurredAt">When the last object was stored (UTC).</param>
/// <param name="StudyInstanceUid">Study Instance UID (0020,000D) the objects belong to.</param>
/// <param name="Objects">The objects written (SR, SEG, PDF, key images).</param>
/// <param name="Language">Language of the human-readable parts: <c>fr</c> or <c>en</c>.</param>
/// <param name="PdfDocument">The plain PDF file, for download through the API, when one was made.</param>
/// <param name="SendingAeTitle">The AE title that sent the study (carried from <see cref="StudyReceived"/> through <see cref="AnalysisDone"/>): where pacs-sender returns the report by default.</param>
public sealed record ReportReady(
    Guid JobId,
    Guid CorrelationId,
    DateTimeOffset OccurredAt,
    string StudyInstanceUid,
    IReadOnlyList<ReportObject> Objects,
    string Language,
    StorageReference? PdfDocument = null,
    string? SendingAeTitle = null) : IJobEvent;
