using Dapper;
using RadAI.Data;

namespace RadAI.DicomIngest.Erasure;

/// <summary>What an erasure removed from the ingest tables: counts only.</summary>
/// <param name="JobIds">The receptions deleted (their job ids).</param>
/// <param name="Instances">Rows of <c>ingest_instances</c> deleted.</param>
/// <param name="KeptReceiving">Receptions of an erased study still receiving, left as they are.</param>
public sealed record ErasedReceptions(IReadOnlyList<Guid> JobIds, long Instances, int KeptReceiving);

/// <summary>
/// Deletes the ingest rows of erased jobs and studies (from <see cref="Contracts.JobDataErased"/>): the reception, its
/// series, its instances and its outbox rows, in one transaction. Only complete receptions: a reception still receiving
/// belongs to associations and to the completion service, which update it by job id; deleting it under them would
/// leave instances indexed without a reception, or complete nothing. It is kept, completes as any other and is announced;
/// erasing its study again afterwards removes it. Idempotent: what is gone is not found again.
/// </summary>
public sealed class ReceptionErasure(IDbConnectionFactory connections)
{
    private sealed record Reception(Guid JobId, string Status);

    /// <summary>
    /// Deletes the complete receptions of <paramref name="jobIds"/>, and when <paramref name="byStudy"/> every complete
    /// reception of <paramref name="studyInstanceUids"/> (an erasure: receptions the api never saw included).
    /// </summary>
    public async Task<ErasedReceptions> EraseAsync(
        IReadOnlyCollection<Guid> jobIds, IReadOnlyCollection<string> studyInstanceUids, bool byStudy, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var found = new Dictionary<Guid, string>();

        // One query per id or UID: portable (Npgsql takes a list as one array parameter, SQLite as expanded ones).
        foreach (var jobId in jobIds)
        {
            foreach (var row in await connection.QueryAsync<Reception>(new CommandDefinition(
                "SELECT job_id AS JobId, status AS Status FROM ingest_receptions WHERE job_id = @jobId", new { jobId }, transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false))
            {
                found[row.JobId] = row.Status;
            }
        }

        if (byStudy)
        {
            foreach (var studyInstanceUid in studyInstanceUids)
            {
                foreach (var row in await connection.QueryAsync<Reception>(new CommandDefinition(
                    "SELECT job_id AS JobId, status AS Status FROM ingest_receptions WHERE study_instance_uid = @studyInstanceUid", new { studyInstanceUid },
                    transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
                {
                    found[row.JobId] = row.Status;
                }
            }
        }

        var deleted = new List<Guid>();
        long instances = 0;
        foreach (var (jobId, status) in found.Where(r => r.Value == "complete"))
        {
            // A complete reception never opens again (a later instance opens a new one), so nothing writes these rows any more.
            instances += await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM ingest_instances WHERE job_id = @jobId", new { jobId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM ingest_series WHERE job_id = @jobId", new { jobId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM ingest_outbox WHERE job_id = @jobId", new { jobId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM ingest_receptions WHERE job_id = @jobId AND status = 'complete'", new { jobId }, transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            deleted.Add(jobId);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ErasedReceptions(deleted, instances, found.Count(r => r.Value != "complete"));
    }
}
