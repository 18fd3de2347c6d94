using Dapper;
using RadAI.Api.Jobs;
using MassTransit;
using RadAI.Contracts;
using RadAI.Data;
using RadAI.Hosting.Storage;

namespace RadAI.Api.DataLifecycle;

/// <summary>What a purge or an erasure removed: ids and counts only, never a patient value.</summary>
public sealed record ErasedData(IReadOnlyList<Guid> JobIds, int Folders);

/// <summary>
/// Deletes the files a job leaves in the stores (its reception's instances, its results, its reports), publishes
/// <see cref="JobDataErased"/> so that dicom-ingest, report-builder and pacs-sender delete their rows of those jobs and
/// studies, and marks its row purged with the study UID blanked: the job stays in the list, with no way back to the patient.
/// Store layout: <c>instances/{study}/{job}</c> (dicom-ingest), <c>results/{job}</c>, <c>reports/{job}</c>.
/// The event goes out before the rows are marked: a failure in between leaves the jobs to the next retention pass (or a
/// repeated erasure request), which publishes again (the consumers are idempotent).
/// </summary>
public sealed class JobDataEraser(IDbConnectionFactory connections, FileStores stores, TimeProvider clock)
{
    /// <summary>Jobs per retention message: a first pass on an old node may purge tens of thousands.</summary>
    public const int JobsPerMessage = 500;

    private sealed record JobRow(Guid JobId, string StudyInstanceUid);

    private sealed record StoredPayload(Guid MessageId, string Payload);

    /// <summary>Jobs created before <paramref name="cutoff"/> whose files are still there; their rows are marked purged at <paramref name="now"/>.</summary>
    public async Task<ErasedData> PurgeCreatedBeforeAsync(DateTimeOffset cutoff, DateTimeOffset now, IPublishEndpoint publish, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var jobs = await connection.QueryAsync<JobRow>(new CommandDefinition("""
            SELECT job_id AS JobId, study_instance_uid AS StudyInstanceUid FROM jobs
            WHERE purged_at IS NULL AND created_at < @cutoff
            """, new { cutoff }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return await EraseAsync([.. jobs], studyFolders: [], ErasureReason.Retention, now, publish, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Everything of these studies: every job's files and the studies' whole instance folders (receptions of jobs the api never saw included).</summary>
    public async Task<ErasedData> EraseStudiesAsync(IReadOnlyCollection<string> studyInstanceUids, IPublishEndpoint publish, CancellationToken cancellationToken)
    {
        var jobs = new List<JobRow>();
        await using (var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            // One query per study: portable (Npgsql takes a list as one array parameter, SQLite as expanded ones).
            foreach (var studyInstanceUid in studyInstanceUids)
            {
                jobs.AddRange(await connection.QueryAsync<JobRow>(new CommandDefinition("""
                    SELECT job_id AS JobId, study_instance_uid AS StudyInstanceUid FROM jobs WHERE study_instance_uid = @studyInstanceUid
                    """, new { studyInstanceUid }, cancellationToken: cancellationToken)).ConfigureAwait(false));
            }
        }

        return await EraseAsync(jobs, studyInstanceUids, ErasureReason.Erasure, clock.GetUtcNow(), publish, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The events of an erasure or a purge. Erasure: one message, every job and every study (at most 1000 studies a request).
    /// Retention: <see cref="JobsPerMessage"/> jobs a message, each with the study UIDs of its jobs.
    /// </summary>
    public static IEnumerable<JobDataErased> Notices(IReadOnlyList<(Guid JobId, string StudyInstanceUid)> jobs, IReadOnlyCollection<string> studies,
        ErasureReason reason, DateTimeOffset erasedAt)
    {
        if (reason == ErasureReason.Erasure)
        {
            yield return new JobDataErased([.. jobs.Select(j => j.JobId)], [.. studies], reason, erasedAt);
            yield break;
        }

        foreach (var chunk in jobs.Chunk(JobsPerMessage))
        {
            yield return new JobDataErased([.. chunk.Select(j => j.JobId)],
                [.. chunk.Select(j => j.StudyInstanceUid).Where(u => u.Length > 0).Distinct(StringComparer.Ordinal)], reason, erasedAt);
        }
    }

    private async Task<ErasedData> EraseAsync(
        List<JobRow> jobs, IReadOnlyCollection<string> studyFolders, ErasureReason reason, DateTimeOffset now, IPublishEndpoint publish, CancellationToken cancellationToken)
    {
        var folders = 0;
        foreach (var study in studyFolders)
        {
            folders += Delete(new(StoreNames.Instances, study));
        }

        foreach (var job in jobs)
        {
            var key = job.JobId.ToString("N");
            if (job.StudyInstanceUid.Length > 0)
            {
                folders += Delete(new(StoreNames.Instances, $"{job.StudyInstanceUid}/{key}"));
            }

            folders += Delete(new(StoreNames.Results, key));
            folders += Delete(new(StoreNames.Reports, key));
        }

        if (jobs.Count > 0 || studyFolders.Count > 0)
        {
            foreach (var notice in Notices([.. jobs.Select(j => (j.JobId, j.StudyInstanceUid))], studyFolders, reason, now))
            {
                await publish.Publish(notice, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var job in jobs)
        {
            // Marked once its files are gone and the other services told: a crash before leaves it to the next pass.
            // The timeline's payloads lose their UIDs in the same transaction (JobPayloads.Purged); events that arrive
            // later are stored so too (JobRepository.RecordAsync).
            await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE jobs SET purged_at = @now, study_instance_uid = '' WHERE job_id = @jobId
                """, new { now, jobId = job.JobId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            var events = await connection.QueryAsync<StoredPayload>(new CommandDefinition(
                "SELECT message_id AS MessageId, payload AS Payload FROM job_events WHERE job_id = @jobId", new { jobId = job.JobId }, transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            foreach (var stored in events)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE job_events SET payload = @payload WHERE message_id = @messageId",
                    new { payload = JobPayloads.Purged(stored.Payload), messageId = stored.MessageId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return new ErasedData([.. jobs.Select(j => j.JobId)], folders);
    }

    private int Delete(Contracts.StorageReference reference)
    {
        var path = stores.PathOf(reference);
        if (!Directory.Exists(path))
        {
            return 0;
        }

        Directory.Delete(path, recursive: true);
        return 1;
    }
}
