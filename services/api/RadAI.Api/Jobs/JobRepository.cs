using System.Data.Common;
using Dapper;
using RadAI.Data;

namespace RadAI.Api.Jobs;

/// <summary>The job read model, on PostgreSQL or SQLite (portable SQL only, except the feed's table lock).</summary>
public sealed class JobRepository(IDbConnectionFactory connections, JobChangeNotifier? notifier = null)
{
    /// <summary>
    /// Records an event, moves its job forward and appends the change to the live feed, atomically. Returns false
    /// when the event was already recorded (redelivery): nothing changes then.
    /// </summary>
    public async Task<bool> RecordAsync(JobEventRecord record, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // An event of a job already purged (a delivery outcome arriving after the erasure) is kept as the purge left the others.
        var purged = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM jobs WHERE job_id = @JobId AND purged_at IS NOT NULL", record, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false) > 0;
        if (purged)
        {
            record = record with { Payload = JobPayloads.Purged(record.Payload), StudyInstanceUid = "" };
        }

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
            INSERT INTO jobs (job_id, correlation_id, study_instance_uid, sending_ae, status, status_rank, created_at, updated_at, modalities)
            VALUES (@JobId, @CorrelationId, @StudyInstanceUid, @SendingAe, @Status, @StatusRank, @OccurredAt, @OccurredAt, @Modalities)
            ON CONFLICT (job_id) DO UPDATE SET
                sending_ae  = COALESCE(jobs.sending_ae, excluded.sending_ae),
                modalities  = COALESCE(jobs.modalities, excluded.modalities),
                status      = CASE WHEN excluded.status_rank >= jobs.status_rank THEN excluded.status ELSE jobs.status END,
                status_rank = CASE WHEN excluded.status_rank >= jobs.status_rank THEN excluded.status_rank ELSE jobs.status_rank END,
                created_at  = CASE WHEN excluded.created_at < jobs.created_at THEN excluded.created_at ELSE jobs.created_at END,
                updated_at  = CASE WHEN excluded.updated_at > jobs.updated_at THEN excluded.updated_at ELSE jobs.updated_at END
            """, record, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);

        if (connections.Dialect.Provider == DatabaseProvider.Postgres)
        {
            // Sequence numbers must become visible in order, or a reader of the feed could pass over one that commits
            // late: writers of the feed take turns until they commit (SQLite has one writer at a time anyway).
            await connection.ExecuteAsync(new CommandDefinition(
                "LOCK TABLE job_changes IN SHARE ROW EXCLUSIVE MODE", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO job_changes (job_id, message_id, event_type, status, occurred_at, recorded_at)
            SELECT job_id, @MessageId, @EventType, status, @OccurredAt, @RecordedAt FROM jobs WHERE job_id = @JobId
            """, record, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        notifier?.Notify();
        return true;
    }

    /// <summary>One job, or null.</summary>
    public async Task<JobSummary?> FindAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<JobRow>(new CommandDefinition($"""
            SELECT {JobColumns} FROM jobs WHERE job_id = @jobId
            """, new { jobId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToSummary();
    }

    /// <summary>The jobs <paramref name="query"/> selects, one page of them, and how many there are in all.</summary>
    public async Task<(IReadOnlyList<JobSummary> Page, long Total)> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        var filter = new SqlFilter();
        if (query.Status is not null)
        {
            filter.Add("status = @status", "status", query.Status);
        }

        if (query.SendingAe is not null)
        {
            filter.Add("sending_ae = @sendingAe", "sendingAe", query.SendingAe);
        }

        if (query.Modality is not null)
        {
            filter.Add("modalities LIKE @modality", "modality", $"%,{query.Modality},%");
        }

        if (query.From is { } from)
        {
            filter.Add("created_at >= @from", "from", from);
        }

        if (query.To is { } to)
        {
            filter.Add("created_at < @to", "to", to);
        }

        var (where, parameters) = (filter.Where, filter.Parameters);
        var order = (query.Sort == JobSort.Received ? "created_at" : "updated_at") + (query.Descending ? " DESC" : " ASC");
        parameters.Add("limit", query.Limit);
        parameters.Add("offset", query.Offset);

        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COUNT(*) FROM jobs {where}", parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var rows = await connection.QueryAsync<JobRow>(new CommandDefinition($"""
            SELECT {JobColumns} FROM jobs {where}
            ORDER BY {order}, job_id
            LIMIT @limit OFFSET @offset
            """, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return ([.. rows.Select(r => r.ToSummary())], total);
    }

    /// <summary>Jobs, most recently updated first, optionally of one status.</summary>
    public async Task<IReadOnlyList<JobSummary>> ListAsync(string? status, int limit, int offset, CancellationToken cancellationToken) =>
        (await ListAsync(new JobQuery(status, null, null, null, null, JobSort.Updated, Descending: true, limit, offset), cancellationToken).ConfigureAwait(false)).Page;

    /// <summary>The events of a job, in the order they happened.</summary>
    public async Task<IReadOnlyList<JobTimelineEntry>> TimelineAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<JobTimelineEntry>(new CommandDefinition("""
            SELECT message_id AS MessageId, event_type AS EventType, occurred_at AS OccurredAt,
                   recorded_at AS RecordedAt, trace_id AS TraceId, payload AS Payload
            FROM job_events WHERE job_id = @jobId ORDER BY occurred_at, recorded_at, message_id
            """, new { jobId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }

    /// <summary>The other jobs of the same correlation (the original and its re-runs), oldest first.</summary>
    public async Task<IReadOnlyList<Guid>> RelatedJobsAsync(Guid jobId, Guid correlationId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<Guid>(new CommandDefinition("""
            SELECT job_id FROM jobs WHERE correlation_id = @correlationId AND job_id <> @jobId ORDER BY created_at, job_id
            """, new { jobId, correlationId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }

    /// <summary>The changes after <paramref name="afterSequence"/>, in order, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<JobChange>> ChangesAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<JobChange>(new CommandDefinition("""
            SELECT seq AS Sequence, job_id AS JobId, event_type AS EventType, status AS Status,
                   occurred_at AS OccurredAt, recorded_at AS RecordedAt
            FROM job_changes WHERE seq > @afterSequence ORDER BY seq LIMIT @limit
            """, new { afterSequence, limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }

    /// <summary>The sequence of the last change (0 when there is none): where a new live client starts.</summary>
    public async Task<long> LastSequenceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MAX(seq) FROM job_changes", cancellationToken: cancellationToken)).ConfigureAwait(false) ?? 0;
    }

    private const string JobColumns = """
        job_id AS JobId, correlation_id AS CorrelationId, study_instance_uid AS StudyInstanceUid,
        sending_ae AS SendingAe, status AS Status, created_at AS CreatedAt, updated_at AS UpdatedAt, modalities AS Modalities
        """;

    internal sealed record JobRow(
        Guid JobId, Guid CorrelationId, string StudyInstanceUid, string? SendingAe, string Status,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? Modalities)
    {
        public JobSummary ToSummary() =>
            new(JobId, CorrelationId, StudyInstanceUid, SendingAe, Status, CreatedAt, UpdatedAt, JobModalities.Decode(Modalities));
    }
}
