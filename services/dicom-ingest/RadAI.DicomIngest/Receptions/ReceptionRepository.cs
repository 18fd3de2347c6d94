using Dapper;
using RadAI.Data;

namespace RadAI.DicomIngest.Receptions;

/// <summary>An open reception: the job that collects a sender's instances of one study.</summary>
public sealed record ReceptionRef(Guid JobId, string StoreKey);

/// <summary>A reception not yet complete, with what completion depends on.</summary>
public sealed record PendingReception(
    Guid JobId,
    string SendingAe,
    string CalledAe,
    string StudyInstanceUid,
    string RoutingProfile,
    long StableTimeoutMs,
    DateTimeOffset FirstInstanceAt,
    DateTimeOffset LastInstanceAt,
    long OpenAssociations,
    DateTimeOffset? LastReleaseAt,
    long InstanceCount,
    string StoreKey);

/// <summary>One series of a reception.</summary>
public sealed record SeriesRow(
    string SeriesInstanceUid,
    string Modality,
    string? BodyPartExamined,
    string? SeriesDescription,
    string SopClassUid,
    long InstanceCount,
    long TotalBytes);

/// <summary>An instance written to the store, to index.</summary>
public sealed record InstanceRecord(
    Guid JobId,
    string SopInstanceUid,
    string SeriesInstanceUid,
    string SopClassUid,
    string TransferSyntaxUid,
    long SizeBytes,
    string StoreKey,
    DateTimeOffset ReceivedAt,
    string Modality,
    string? BodyPartExamined,
    string? SeriesDescription);

/// <summary>What became of an instance to index.</summary>
public enum RecordOutcome
{
    /// <summary>New to its reception: filed and indexed.</summary>
    Stored,

    /// <summary>Already in its reception: counted as a duplicate, the stored file kept.</summary>
    Duplicate,

    /// <summary>The reception was completed meanwhile: nothing done.</summary>
    ReceptionClosed,

    /// <summary>The instance would take the reception past the study-size limit: nothing done.</summary>
    StudyTooLarge,
}

/// <summary>An event waiting in the outbox.</summary>
public sealed record OutboxMessage(Guid MessageId, Guid JobId, string MessageType, string Payload, DateTimeOffset CreatedAt, DateTimeOffset LastInstanceAt);

/// <summary>The ingest tables, on PostgreSQL or SQLite (portable SQL; time arithmetic done in C#).</summary>
public sealed class ReceptionRepository(IDbConnectionFactory connections)
{
    /// <summary>The open reception of (sender, study), created when there is none.</summary>
    public async Task<ReceptionRef> OpenReceptionAsync(string sendingAe, string calledAe, string studyUid, string routingProfile, TimeSpan stableTimeout, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var jobId = Guid.NewGuid();
        // Concurrent associations of the same sender and study meet here: the partial unique index lets one insert win.
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ingest_receptions (job_id, sending_ae, called_ae, study_instance_uid, routing_profile, status, stable_timeout_ms,
                                           first_instance_at, last_instance_at, store_key)
            VALUES (@jobId, @sendingAe, @calledAe, @studyUid, @routingProfile, 'receiving', @stableTimeoutMs, @now, @now, @storeKey)
            ON CONFLICT (sending_ae, study_instance_uid) WHERE status = 'receiving' DO NOTHING
            """, new { jobId, sendingAe, calledAe, studyUid, routingProfile, stableTimeoutMs = (long)stableTimeout.TotalMilliseconds, now, storeKey = $"{studyUid}/{jobId:N}" },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return await connection.QuerySingleAsync<ReceptionRef>(new CommandDefinition("""
            SELECT job_id AS JobId, store_key AS StoreKey FROM ingest_receptions
            WHERE sending_ae = @sendingAe AND study_instance_uid = @studyUid AND status = 'receiving'
            """, new { sendingAe, studyUid }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Files and indexes an instance in one transaction that first takes the reception's row: while it is
    /// held, the reception cannot be declared complete, so an instance is never indexed into a job whose
    /// StudyReceived already left. <paramref name="placeFile"/> moves the instance into the store (and makes
    /// that durable) inside the transaction, only when the instance is new to the reception: the index
    /// never names a file that is not there, and a duplicate keeps the file already stored.
    /// <paramref name="joinAssociation"/> counts the association as carrying the reception (its first instance of it).
    /// The study-size limit is checked under the same lock: an instance that would take the reception past
    /// <paramref name="maxStudyBytes"/> changes nothing.
    /// <para>
    /// The commit is not flushed to disk before this returns (SQLite <c>synchronous=NORMAL</c> for this
    /// transaction, PostgreSQL <c>synchronous_commit=off</c>), but for an association's first instance of the
    /// reception (<paramref name="joinAssociation"/>: the count of open associations decides when the reception
    /// may complete), flushed once per association. The others are visible at once, survive a crash of this
    /// process, and the next flushed commit of the database (the association's release, a reception's opening
    /// or completion, SQLite's checkpoint, PostgreSQL's WAL writer) makes them durable with everything before. What a power cut or a database crash can take is the last few such rows, never their files
    /// (made durable by <paramref name="placeFile"/> before the commit), and completion indexes again, from the
    /// files, whatever its reception's folder holds that the index lost (<see cref="IndexRecoveredAsync"/>):
    /// the file, its path and its meta header carry everything the row holds.
    /// </para>
    /// </summary>
    /// <returns>
    /// <see cref="RecordOutcome.Stored"/>, <see cref="RecordOutcome.Duplicate"/> (already indexed in this
    /// reception: counted, nothing else changes), <see cref="RecordOutcome.ReceptionClosed"/> (completed
    /// meanwhile: nothing was done; open a new reception) or <see cref="RecordOutcome.StudyTooLarge"/>.
    /// </returns>
    public async Task<RecordOutcome> RecordInstanceAsync(InstanceRecord record, bool joinAssociation, long maxStudyBytes, Action placeFile, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var sqlite = connections.Dialect.Provider == DatabaseProvider.Sqlite;
        var deferFlush = !joinAssociation;
        if (sqlite && deferFlush)
        {
            // Per connection: the dialect sets FULL again whenever a pooled connection is opened.
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA synchronous=NORMAL", cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!sqlite && deferFlush)
        {
            await connection.ExecuteAsync(new CommandDefinition("SET LOCAL synchronous_commit TO OFF", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        // Row lock first (PostgreSQL; SQLite's transaction holds the database lock): completion waits, or has already won.
        var open = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE ingest_receptions SET last_instance_at = @ReceivedAt, open_associations = open_associations + @join
            WHERE job_id = @JobId AND status = 'receiving' AND total_bytes + @SizeBytes <= @maxStudyBytes
            """, new { record.JobId, record.ReceivedAt, record.SizeBytes, maxStudyBytes, join = joinAssociation ? 1L : 0L }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (open == 0)
        {
            // Closed, or too large: which one (the transaction still holds the lock, if any).
            var receiving = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM ingest_receptions WHERE job_id = @JobId AND status = 'receiving'",
                record, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return receiving == 0 ? RecordOutcome.ReceptionClosed : RecordOutcome.StudyTooLarge;
        }

        var inserted = await InsertInstanceAsync(connection, transaction, record, placeFile, cancellationToken).ConfigureAwait(false);
        if (!inserted)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE ingest_receptions SET duplicate_count = duplicate_count + 1 WHERE job_id = @JobId",
                record, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return inserted ? RecordOutcome.Stored : RecordOutcome.Duplicate;
    }

    /// <summary>
    /// Indexes an instance found in its reception's folder that the index does not name (its row lost to a
    /// power cut or a database crash, see <see cref="RecordInstanceAsync"/>), with a flushed commit. Nothing
    /// is done when the reception is no longer receiving or the instance is indexed already.
    /// </summary>
    /// <returns>True when the instance was indexed.</returns>
    public async Task<bool> IndexRecoveredAsync(InstanceRecord record, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var open = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE ingest_receptions SET open_associations = open_associations WHERE job_id = @JobId AND status = 'receiving'",
            record, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var inserted = open == 1 && await InsertInstanceAsync(connection, transaction, record, static () => { }, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return inserted;
    }

    /// <summary>The store keys of a reception's indexed instances.</summary>
    public async Task<IReadOnlySet<string>> IndexedStoreKeysAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var keys = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT store_key FROM ingest_instances WHERE job_id = @jobId", new { jobId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return keys.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Inserts the instance's row, places its file, counts it in its series and reception; false when it was indexed already.</summary>
    private static async Task<bool> InsertInstanceAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, InstanceRecord record, Action placeFile, CancellationToken cancellationToken)
    {
        var inserted = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ingest_instances (job_id, sop_instance_uid, series_instance_uid, sop_class_uid, transfer_syntax_uid, size_bytes, store_key, received_at)
            VALUES (@JobId, @SopInstanceUid, @SeriesInstanceUid, @SopClassUid, @TransferSyntaxUid, @SizeBytes, @StoreKey, @ReceivedAt)
            ON CONFLICT (job_id, sop_instance_uid) DO NOTHING
            """, record, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (inserted != 1)
        {
            return false;
        }

        placeFile();
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ingest_series (job_id, series_instance_uid, modality, body_part_examined, series_description, sop_class_uid, instance_count, total_bytes)
            VALUES (@JobId, @SeriesInstanceUid, @Modality, @BodyPartExamined, @SeriesDescription, @SopClassUid, 1, @SizeBytes)
            ON CONFLICT (job_id, series_instance_uid) DO UPDATE SET
                instance_count = ingest_series.instance_count + 1,
                total_bytes = ingest_series.total_bytes + excluded.total_bytes
            """, record, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE ingest_receptions SET instance_count = instance_count + 1, total_bytes = total_bytes + @SizeBytes WHERE job_id = @JobId
            """, record, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return true;
    }

    /// <summary>An association that carried instances of these receptions ended.</summary>
    public async Task AssociationsEndedAsync(IEnumerable<Guid> jobIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var jobId in jobIds)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE ingest_receptions SET open_associations = CASE WHEN open_associations > 0 THEN open_associations - 1 ELSE 0 END, last_release_at = @now
                WHERE job_id = @jobId AND status = 'receiving'
                """, new { jobId, now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>At start: no association of a previous run is still open (they died with it).</summary>
    public async Task ResetOpenAssociationsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE ingest_receptions SET open_associations = 0 WHERE status = 'receiving' AND open_associations <> 0",
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The receptions still receiving.</summary>
    public async Task<IReadOnlyList<PendingReception>> PendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<PendingReception>(new CommandDefinition("""
            SELECT job_id AS JobId, sending_ae AS SendingAe, called_ae AS CalledAe, study_instance_uid AS StudyInstanceUid,
                   routing_profile AS RoutingProfile, stable_timeout_ms AS StableTimeoutMs, first_instance_at AS FirstInstanceAt,
                   last_instance_at AS LastInstanceAt, open_associations AS OpenAssociations, last_release_at AS LastReleaseAt,
                   instance_count AS InstanceCount, store_key AS StoreKey
            FROM ingest_receptions WHERE status = 'receiving'
            """, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }

    /// <summary>The series of a reception.</summary>
    public async Task<IReadOnlyList<SeriesRow>> SeriesAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<SeriesRow>(new CommandDefinition("""
            SELECT series_instance_uid AS SeriesInstanceUid, modality AS Modality, body_part_examined AS BodyPartExamined,
                   series_description AS SeriesDescription, sop_class_uid AS SopClassUid, instance_count AS InstanceCount, total_bytes AS TotalBytes
            FROM ingest_series WHERE job_id = @jobId ORDER BY series_instance_uid
            """, new { jobId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }

    /// <summary>
    /// Declares a reception complete and queues its event, in one transaction. Returns false when the
    /// reception changed meanwhile (a new instance arrived, or another replica completed it first).
    /// </summary>
    public async Task<bool> CompleteAsync(PendingReception reception, DateTimeOffset now, OutboxMessage message, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var updated = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE ingest_receptions SET status = 'complete', completed_at = @now
            WHERE job_id = @JobId AND status = 'receiving' AND last_instance_at = @LastInstanceAt AND instance_count = @InstanceCount
            """, new { reception.JobId, reception.LastInstanceAt, reception.InstanceCount, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (updated == 0)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ingest_outbox (message_id, job_id, message_type, payload, created_at, last_instance_at) VALUES (@MessageId, @JobId, @MessageType, @Payload, @CreatedAt, @LastInstanceAt)
            """, message, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Forgets a reception that never got an instance (all refused: too large, not indexed...), unless one
    /// arrived meanwhile. Returns true when it was dropped: there is nothing to announce.
    /// </summary>
    public async Task<bool> DropEmptyAsync(PendingReception reception, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var deleted = await connection.ExecuteAsync(new CommandDefinition("""
            DELETE FROM ingest_receptions
            WHERE job_id = @JobId AND status = 'receiving' AND instance_count = 0 AND last_instance_at = @LastInstanceAt
              AND NOT EXISTS (SELECT 1 FROM ingest_instances i WHERE i.job_id = ingest_receptions.job_id)
            """, new { reception.JobId, reception.LastInstanceAt }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return deleted == 1;
    }

    /// <summary>Events not yet published, oldest first.</summary>
    public async Task<IReadOnlyList<OutboxMessage>> UnpublishedAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<OutboxMessage>(new CommandDefinition("""
            SELECT message_id AS MessageId, job_id AS JobId, message_type AS MessageType, payload AS Payload, created_at AS CreatedAt, last_instance_at AS LastInstanceAt
            FROM ingest_outbox WHERE published_at IS NULL ORDER BY created_at LIMIT @limit
            """, new { limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }

    public async Task MarkPublishedAsync(Guid messageId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE ingest_outbox SET published_at = @now WHERE message_id = @messageId", new { messageId, now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
