namespace RadAI.Contracts;

/// <summary>
/// dicom-ingest received a whole study from a sender and stored it durably: the study is stable
/// (no instance for the sender's timeout, or its associations were released). Published once per job.
/// </summary>
/// <param name="JobId">New job created for this reception.</param>
/// <param name="CorrelationId">Equal to <paramref name="JobId"/> for a reception.</param>
/// <param name="OccurredAt">When the study was declared complete (UTC).</param>
/// <param name="StudyInstanceUid">Study Instance UID (0020,000D).</param>
/// <param name="SendingAeTitle">Calling AE title of the sender (the hospital PACS or modality).</param>
/// <param name="CalledAeTitle">Our AE title the sender addressed.</param>
/// <param name="RoutingProfile">Routing profile of the sender, which selects the models to run.</param>
/// <param name="Series">The series received, each with its counts and location.</param>
/// <param name="Location">Folder of the study in the <c>instances</c> store.</param>
public sealed record StudyReceived(
    Guid JobId,
    Guid CorrelationId,
    DateTimeOffset OccurredAt,
    string StudyInstanceUid,
    string SendingAeTitle,
    string CalledAeTitle,
    string RoutingProfile,
    IReadOnlyList<ReceivedSeries> Series,
    StorageReference Location) : IJobEvent;
