namespace RadAI.Contracts;

/// <summary>
/// The api erased the files of these jobs from the shared stores (retention purge or an administrator's erasure): each
/// service that keeps rows about jobs or studies deletes them. Ids and UIDs only, never a patient value; consumers are
/// idempotent (a job or study they never saw is fine). Not an <see cref="IJobEvent"/>: it covers several jobs.
/// </summary>
/// <param name="JobIds">The jobs erased.</param>
/// <param name="StudyInstanceUids">
/// For <see cref="ErasureReason.Erasure"/>: the studies erased, every job of them included (receptions the api never saw
/// too). For <see cref="ErasureReason.Retention"/>: the studies of <paramref name="JobIds"/>, for information only (a
/// newer job of the same study is kept).
/// </param>
/// <param name="Reason">Erasure or retention.</param>
/// <param name="ErasedAt">When the api erased the files (UTC).</param>
public sealed record JobDataErased(
    IReadOnlyList<Guid> JobIds,
    IReadOnlyList<string> StudyInstanceUids,
    ErasureReason Reason,
    DateTimeOffset ErasedAt);
