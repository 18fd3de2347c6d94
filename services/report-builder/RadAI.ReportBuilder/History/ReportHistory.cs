using Dapper;
using RadAI.Data;

namespace RadAI.ReportBuilder.History;

/// <summary>The SR a job produced (a row of <c>report_documents</c>).</summary>
/// <param name="JobId">The job.</param>
/// <param name="StudyInstanceUid">The study it reports on.</param>
/// <param name="SeriesInstanceUid">The SR's series.</param>
/// <param name="SopClassUid">The SR's SOP class (Enhanced or Comprehensive 3D SR).</param>
/// <param name="SopInstanceUid">The SR's SOP instance.</param>
/// <param name="PredecessorJobId">The job whose SR this one points to, when the study was reported before.</param>
/// <param name="CreatedAt">When the SR was recorded (UTC).</param>
public sealed record ReportDocument(
    Guid JobId,
    string StudyInstanceUid,
    string SeriesInstanceUid,
    string SopClassUid,
    string SopInstanceUid,
    Guid? PredecessorJobId,
    DateTimeOffset CreatedAt);

/// <summary>
/// Which SR each job produced. A new report of a study points to the study's latest earlier report;
/// a job built again (redelivery, rebuild) points to the same predecessor as the first time.
/// </summary>
public sealed class ReportHistory(IDbConnectionFactory connections)
{
    private const string Columns = """
        job_id AS JobId, study_instance_uid AS StudyInstanceUid, series_instance_uid AS SeriesInstanceUid,
        sop_class_uid AS SopClassUid, sop_instance_uid AS SopInstanceUid, predecessor_job_id AS PredecessorJobId, created_at AS CreatedAt
        """;

    /// <summary>The report <paramref name="jobId"/> should point to, or null when the study has none before it.</summary>
    public async Task<ReportDocument?> FindPredecessorAsync(Guid jobId, string studyInstanceUid, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var own = await connection.QuerySingleOrDefaultAsync<ReportDocument>(new CommandDefinition(
            $"SELECT {Columns} FROM report_documents WHERE job_id = @JobId", new { JobId = jobId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (own is not null)
        {
            return own.PredecessorJobId is { } previous
                ? await connection.QuerySingleOrDefaultAsync<ReportDocument>(new CommandDefinition(
                    $"SELECT {Columns} FROM report_documents WHERE job_id = @JobId", new { JobId = previous }, cancellationToken: cancellationToken)).ConfigureAwait(false)
                : null;
        }

        return await connection.QueryFirstOrDefaultAsync<ReportDocument>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM report_documents
            WHERE study_instance_uid = @StudyInstanceUid AND job_id <> @JobId
            ORDER BY created_at DESC, sop_instance_uid
            """, new { StudyInstanceUid = studyInstanceUid, JobId = jobId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Records a job's SR; a job already recorded keeps its first row.</summary>
    public async Task RecordAsync(ReportDocument document, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO report_documents (job_id, study_instance_uid, series_instance_uid, sop_class_uid, sop_instance_uid, predecessor_job_id, created_at)
            VALUES (@JobId, @StudyInstanceUid, @SeriesInstanceUid, @SopClassUid, @SopInstanceUid, @PredecessorJobId, @CreatedAt)
            ON CONFLICT (job_id) DO NOTHING
            """, document, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes the SR rows of erased jobs (<see cref="Contracts.JobDataErased"/>), with <paramref name="byStudy"/> every row of
    /// <paramref name="studyInstanceUids"/> too, and clears the predecessor of the rows that pointed to them: a later
    /// report of the study no longer refers to an erased one. Returns the jobs whose row was deleted. Idempotent.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> EraseAsync(
        IReadOnlyCollection<Guid> jobIds, IReadOnlyCollection<string> studyInstanceUids, bool byStudy, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var jobs = new HashSet<Guid>(jobIds);
        if (byStudy)
        {
            // One query per UID: portable (Npgsql takes a list as one array parameter, SQLite as expanded ones).
            foreach (var studyInstanceUid in studyInstanceUids)
            {
                jobs.UnionWith(await connection.QueryAsync<Guid>(new CommandDefinition(
                    "SELECT job_id FROM report_documents WHERE study_instance_uid = @studyInstanceUid", new { studyInstanceUid }, transaction,
                    cancellationToken: cancellationToken)).ConfigureAwait(false));
            }
        }

        var erased = new List<Guid>();
        foreach (var jobId in jobs)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE report_documents SET predecessor_job_id = NULL WHERE predecessor_job_id = @jobId", new { jobId }, transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM report_documents WHERE job_id = @jobId", new { jobId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false) > 0)
            {
                erased.Add(jobId);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return erased;
    }
}
