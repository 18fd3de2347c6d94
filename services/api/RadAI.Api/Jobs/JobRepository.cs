using Dapper;
using RadAI.Data;

namespace RadAI.Api.Jobs;

/// <summary>The job read model, on PostgreSQL or SQLite (portable SQL only).</summary>
public sealed class JobRepository(IDbConnectionFactory connections)
{
    /// <summary>
    /// Records an event and moves its job forward, atomically. Returns false when the event was
    /// already recorded (redelivery): nothing changes then.
    /// </summary>
    public async Task<bool> RecordAsync(JobEventRecord record, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        var inserted = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO job_events (message_id, job_id, event_type, occurred_at, recorded_at, trace_id, payload)
            VALUES (@MessageId, @JobId, @EventType, @OccurredAt, @RecordedAt, @TraceId, @Payload)
            ON CONFLICT (message_id) DO NOTHING
            """, record, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (inserted == 0)
        {
            return false;
        }

        // A job may first be seen through a later event (out of order): create it from what is known,
        // and never let a lower-ranked event move the status back.
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO jobs (job_id, correlation_id, study_instance_uid, sending_ae, status, status_rank, created_at, updated_at)
            VALUES (@JobId, @CorrelationId, @StudyInstanceUid, @SendingAe, @Status, @StatusRank, @OccurredAt, @OccurredAt)
            ON CONFLICT (job_id) DO UPDATE SET
                sending_ae  = COALESCE(jobs.sending_ae, excluded.sending_ae),
                status      = CASE WHEN excluded.status_rank >= jobs.status_rank THEN excluded.status ELSE jobs.status END,
                status_rank = CASE WHEN excluded.status_rank >= jobs.status_rank THEN excluded.status_rank ELSE jobs.status_rank END,
                created_at  = CASE WHEN excluded.created_at < jobs.created_at THEN excluded.created_at ELSE jobs.created_at END,
                updated_at  = CASE WHEN excluded.updated_at > jobs.updated_at THEN excluded.updated_at ELSE jobs.updated_at END
            """, record, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>One job, or null.</summary>
    public async Task<JobSummary?> FindAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<JobSummary>(new CommandDefinition($"""
            SELECT {JobColumns} FROM jobs WHERE job_id = @jobId
            """, new { jobId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Jobs, most recently updated first, optionally of one status.</summary>
    public async Task<IReadOnlyList<JobSummary>> ListAsync(string? status, int limit, int offset, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<JobSummary>(new CommandDefinition($"""
            SELECT {JobColumns} FROM jobs
            WHERE (@status IS NULL OR status = @status)
            ORDER BY updated_at DESC, job_id
            LIMIT @limit OFFSET @offset
            """, new { status, limit, offset }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }

    /// <summary>The events of a job, in the order they happened.</summary>
    public async Task<IReadOnlyList<JobTimelineEntry>> TimelineAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<JobTimelineEntry>(new CommandDefinition("""
            SELECT message_id AS MessageId, event_type AS EventType, occurred_at AS OccurredAt,
                   recorded_at AS RecordedAt, trace_id AS TraceId, payload AS Payload
            FROM job_events WHERE job_id = @jobId ORDER BY occurred_at, recorded_at
            """, new { jobId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }

    private const string JobColumns = """
        job_id AS JobId, correlation_id AS CorrelationId, study_instance_uid AS StudyInstanceUid,
        sending_ae AS SendingAe, status AS Status, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;
}
