namespace RadAI.Contracts;

/// <summary>
/// What every event about a job carries. A job is one reception of one study from one sender,
/// followed through analysis, report and delivery.
/// </summary>
public interface IJobEvent
{
    /// <summary>The job this event belongs to; created by dicom-ingest when the reception starts.</summary>
    Guid JobId { get; }

    /// <summary>
    /// Ties together every message caused by the same job, including re-runs and re-sends;
    /// equal to <see cref="JobId"/> for the first run.
    /// </summary>
    Guid CorrelationId { get; }

    /// <summary>When the fact happened (UTC), not when the message was sent.</summary>
    DateTimeOffset OccurredAt { get; }

    /// <summary>The Study Instance UID (0020,000D) the job is about. A UID, never patient data.</summary>
    string StudyInstanceUid { get; }
}
