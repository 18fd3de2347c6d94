using Dapper;
using RadAI.Data;
using RadAI.Hosting.Storage;

namespace RadAI.Api.DataLifecycle;

/// <summary>What a purge or an erasure removed: ids and counts only, never a patient value.</summary>
public sealed record ErasedData(IReadOnlyList<Guid> JobIds, int Folders);

/// <summary>
/// Deletes the files a job leaves in the stores (its reception's instances, its results, its reports) and marks its row
/// purged with the study UID blanked: the job stays in the list, with no way back to the patient.
/// Store layout: <c>instances/{study}/{job}</c> (dicom-ingest), <c>results/{job}</c>, <c>reports/{job}</c>.
/// </summary>
public sealed class JobDataEraser(IDbConnectionFactory connections, FileStores stores, TimeProvider clock)
{
    private sealed record JobRow(Guid JobId, string StudyInstanceUid);

    /// <summary>Jobs created before <paramref name="cutoff"/> whose files are still there; their rows are marked purged at <paramref name="now"/>.</summary>
    public async Task<ErasedData> PurgeCreatedBeforeAsync(DateTimeOffset cutoff, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var jobs = await connection.QueryAsync<JobRow>(new CommandDefinition("""
            SELECT job_id AS JobId, study_instance_uid AS StudyInstanceUid FROM jobs
            WHERE purged_at IS NULL AND created_at < @cutoff
            """, new { cutoff }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return await EraseAsync([.. jobs], studyFolders: [], now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Everything of these studies: every job's files and the studies' whole instance folders (receptions of jobs the api never saw included).</summary>
    public async Task<ErasedData> EraseStudiesAsync(IReadOnlyCollection<string> studyInstanceUids, CancellationToken cancellationToken)
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

        return await EraseAsync(jobs, studyInstanceUids, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<ErasedData> EraseAsync(List<JobRow> jobs, IReadOnlyCollection<string> studyFolders, DateTimeOffset now, CancellationToken cancellationToken)
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

            // Marked once its files are gone: a crash before leaves it to the next pass.
            await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE jobs SET purged_at = @now, study_instance_uid = '' WHERE job_id = @jobId
                """, new { now, jobId = job.JobId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
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
