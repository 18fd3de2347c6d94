using System.Data;
using System.Data.Common;
using Dapper;
using RadAI.Contracts;
using RadAI.Data;
using RadAI.PacsSender.Destinations;

namespace RadAI.PacsSender.Delivery;

/// <summary>What accepting a ReportReady did.</summary>
/// <param name="AlreadyAccepted">The job was recorded before (a redelivered ReportReady): nothing changed.</param>
/// <param name="Destinations">The destinations a delivery was scheduled for.</param>
/// <param name="FailureReason">Why no delivery could be scheduled (a DeliveryFailed is in the outbox), else null.</param>
public sealed record AcceptedReport(bool AlreadyAccepted, IReadOnlyList<string> Destinations, string? FailureReason);

/// <summary>What a resend did.</summary>
/// <param name="JobKnown">False when pacs-sender never received the job's ReportReady (nothing to resend).</param>
/// <param name="Rescheduled">Deliveries set to start again (a new round), by destination.</param>
/// <param name="Unchanged">Deliveries this same request had already restarted (a redelivered command), by destination.</param>
/// <param name="Problem">Why the request was not applied (unknown or disabled destination), else null.</param>
public sealed record ResendOutcome(bool JobKnown, IReadOnlyList<string> Rescheduled, IReadOnlyList<string> Unchanged, string? Problem);

/// <summary>What an erasure removed from pacs-sender's tables.</summary>
/// <param name="JobIds">The jobs that had rows here (and have none now).</param>
/// <param name="Deliveries">Deliveries deleted (one per job and destination).</param>
public sealed record ErasedDeliveries(IReadOnlyList<Guid> JobIds, long Deliveries);

/// <summary>
/// The delivery state in the database: jobs and their objects (from ReportReady), one delivery per (job, destination)
/// with its schedule, per-object statuses, and the outbox of outcome events. Attempts are claimed by compare-and-set
/// on (round, attempts), so two replicas never send the same attempt, and a result that arrives after a resend started a
/// new round is discarded.
/// </summary>
public sealed class DeliveryRepository(IDbConnectionFactory connections)
{
    private const string DeliveryColumns = """
        job_id AS JobId, destination_ae AS DestinationAe, status AS Status, round AS Round, attempts AS Attempts,
        next_attempt_at AS NextAttemptAt, last_attempt_at AS LastAttemptAt, last_error AS LastError, completed_at AS CompletedAt,
        last_request_id AS LastRequestId, created_at AS CreatedAt
        """;

    private const string ObjectColumns = """
        sop_instance_uid AS SopInstanceUid, ordinal AS Ordinal, kind AS Kind, sop_class_uid AS SopClassUid, store AS Store, storage_key AS StorageKey
        """;

    /// <summary>Records the sender of a job's study (from StudyReceived); a job already recorded keeps its first row.</summary>
    public async Task RecordSenderAsync(Guid jobId, string sendingAeTitle, string studyInstanceUid, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO pacs_job_senders (job_id, sending_ae_title, study_instance_uid, received_at)
            VALUES (@JobId, @SendingAeTitle, @StudyInstanceUid, @ReceivedAt)
            ON CONFLICT (job_id) DO NOTHING
            """, new { JobId = jobId, SendingAeTitle = sendingAeTitle, StudyInstanceUid = studyInstanceUid, ReceivedAt = receivedAt },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The AE title that sent a job's study, or null when pacs-sender did not see its StudyReceived.</summary>
    public async Task<string?> FindSenderAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT sending_ae_title FROM pacs_job_senders WHERE job_id = @JobId", new { JobId = jobId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Records a ReportReady and schedules one delivery (due now) per destination that takes it: by default the sender of
    /// the study, plus every destination that takes all reports; only destinations that take at least one of its object
    /// kinds. With none, a DeliveryFailed goes into the outbox. A job recorded before is left as it is.
    /// </summary>
    public async Task<AcceptedReport> AcceptAsync(ReportReady report, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var inserted = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO pacs_jobs (job_id, correlation_id, study_instance_uid, report_ready_at, recorded_at)
            VALUES (@JobId, @CorrelationId, @StudyInstanceUid, @ReportReadyAt, @Now)
            ON CONFLICT (job_id) DO NOTHING
            """, new { report.JobId, report.CorrelationId, report.StudyInstanceUid, ReportReadyAt = report.OccurredAt, Now = now },
            transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (inserted == 0)
        {
            return new AcceptedReport(true, [], null);
        }

        var ordinal = 0L;
        foreach (var item in report.Objects)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO pacs_job_objects (job_id, sop_instance_uid, ordinal, kind, sop_class_uid, store, storage_key)
                VALUES (@JobId, @SopInstanceUid, @Ordinal, @Kind, @SopClassUid, @Store, @StorageKey)
                ON CONFLICT (job_id, sop_instance_uid) DO NOTHING
                """, new { report.JobId, item.SopInstanceUid, Ordinal = ordinal++, item.Kind, item.SopClassUid, item.Location.Store, StorageKey = item.Location.Key },
                transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        var objects = await ObjectsOfJobAsync(connection, transaction, report.JobId, cancellationToken).ConfigureAwait(false);
        var (sender, targets) = await DefaultTargetsAsync(connection, transaction, report.JobId, objects, cancellationToken).ConfigureAwait(false);
        foreach (var destination in targets)
        {
            await CreateDeliveryAsync(connection, transaction, report.JobId, destination, objects, now, requestId: null, cancellationToken).ConfigureAwait(false);
        }

        string? reason = null;
        if (targets.Count == 0)
        {
            reason = objects.Count == 0 ? "The report lists no objects to deliver."
                : sender is null
                ? "No destination: the study's sender is unknown to pacs-sender (its StudyReceived was not seen) and no destination takes every report."
                : $"No destination: the study's sender {sender} is not an enabled destination taking these objects, and no destination takes every report.";
            var failedAe = sender ?? "";
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO pacs_deliveries (job_id, destination_ae, status, round, attempts, next_attempt_at, last_error, completed_at, created_at)
                VALUES (@JobId, @Ae, 'failed', 0, 0, @Now, @Reason, @Now, @Now)
                """, new { report.JobId, Ae = failedAe, Now = now, Reason = reason }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            var failed = new DeliveryFailed(report.JobId, report.CorrelationId, now, report.StudyInstanceUid, failedAe, reason, 0,
                [.. objects.Select(o => new ObjectDelivery(o.SopInstanceUid, -1, "not sent: no destination"))]);
            await InsertOutboxAsync(connection, transaction, DeliveryOutcomes.ToOutbox(failed, failedAe, 0, now), cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new AcceptedReport(false, [.. targets.Select(t => t.AeTitle)], reason);
    }

    /// <summary>
    /// Starts the deliveries of a job again (a new round: attempts from zero, every object sent again, due now): to
    /// <paramref name="destinationAe"/>, or else to the destinations it was delivered to and those the default rule gives now.
    /// A request already applied (same <paramref name="requestId"/>) changes nothing.
    /// </summary>
    public async Task<ResendOutcome> ResendAsync(Guid jobId, Guid requestId, string? destinationAe, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var known = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM pacs_jobs WHERE job_id = @JobId", new { JobId = jobId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (known == 0)
        {
            return new ResendOutcome(false, [], [], "pacs-sender never received this job's report.");
        }

        var objects = await ObjectsOfJobAsync(connection, transaction, jobId, cancellationToken).ConfigureAwait(false);
        var destinations = (await connection.QueryAsync<Destination>(new CommandDefinition(
            $"SELECT {DestinationRepository.Columns} FROM pacs_destinations WHERE enabled = @Enabled ORDER BY ae_title", new { Enabled = true },
            transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        List<Destination> targets;
        if (destinationAe is not null)
        {
            var destination = destinations.FirstOrDefault(d => d.AeTitle == destinationAe);
            if (destination is null)
            {
                return new ResendOutcome(true, [], [], $"Destination {destinationAe} is unknown or disabled.");
            }

            targets = [destination];
        }
        else
        {
            var previous = (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT destination_ae FROM pacs_deliveries WHERE job_id = @JobId", new { JobId = jobId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
                .ToHashSet(StringComparer.Ordinal);
            var (_, defaults) = await DefaultTargetsAsync(connection, transaction, jobId, objects, cancellationToken).ConfigureAwait(false);
            targets = [.. destinations.Where(d => (previous.Contains(d.AeTitle) || defaults.Any(t => t.AeTitle == d.AeTitle)) && objects.Any(o => d.Takes(o.Kind)))];
            if (targets.Count == 0)
            {
                return new ResendOutcome(true, [], [], "No enabled destination takes this job's report.");
            }
        }

        var rescheduled = new List<string>();
        var unchanged = new List<string>();
        foreach (var destination in targets)
        {
            var existing = await connection.QuerySingleOrDefaultAsync<DeliveryRecord>(new CommandDefinition(
                $"SELECT {DeliveryColumns} FROM pacs_deliveries WHERE job_id = @JobId AND destination_ae = @Ae", new { JobId = jobId, Ae = destination.AeTitle },
                transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (existing is null)
            {
                await CreateDeliveryAsync(connection, transaction, jobId, destination, objects, now, requestId, cancellationToken).ConfigureAwait(false);
                rescheduled.Add(destination.AeTitle);
                continue;
            }

            if (existing.LastRequestId == requestId)
            {
                unchanged.Add(destination.AeTitle);
                continue;
            }

            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE pacs_deliveries SET status = 'pending', round = round + 1, attempts = 0, next_attempt_at = @Now, last_error = NULL,
                    completed_at = NULL, last_request_id = @RequestId
                WHERE job_id = @JobId AND destination_ae = @Ae
                """, new { JobId = jobId, Ae = destination.AeTitle, Now = now, RequestId = requestId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM pacs_delivery_objects WHERE job_id = @JobId AND destination_ae = @Ae", new { JobId = jobId, Ae = destination.AeTitle },
                transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await InsertDeliveryObjectsAsync(connection, transaction, jobId, destination, objects, now, cancellationToken).ConfigureAwait(false);
            rescheduled.Add(destination.AeTitle);
        }

        if (rescheduled.Count > 0)
        {
            // A "no destination" failure recorded earlier is superseded by the real deliveries.
            await connection.ExecuteAsync(new CommandDefinition("""
                DELETE FROM pacs_deliveries WHERE job_id = @JobId AND status = 'failed' AND attempts = 0
                    AND destination_ae NOT IN (SELECT ae_title FROM pacs_destinations)
                """, new { JobId = jobId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ResendOutcome(true, rescheduled, unchanged, null);
    }

    /// <summary>When the next pending delivery is due (or its attempt's lease ends); null when none is pending.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var next = await connection.QueryFirstOrDefaultAsync<DeliveryRecord>(new CommandDefinition(
            $"SELECT {DeliveryColumns} FROM pacs_deliveries WHERE status = 'pending' ORDER BY next_attempt_at LIMIT 1", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return next?.NextAttemptAt;
    }

    /// <summary>
    /// Takes up to <paramref name="limit"/> due deliveries for an attempt each: the attempt is counted and the delivery's due
    /// time moved to <paramref name="leaseUntil"/>, so that a process that dies while sending leaves it to be taken again then.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedAttempt>> ClaimDueAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var due = (await connection.QueryAsync<DeliveryRecord>(new CommandDefinition(
            $"SELECT {DeliveryColumns} FROM pacs_deliveries WHERE status = 'pending' AND next_attempt_at <= @Now ORDER BY next_attempt_at LIMIT @Limit",
            new { Now = now, Limit = limit }, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        var claimed = new List<ClaimedAttempt>();
        foreach (var delivery in due)
        {
            var taken = await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE pacs_deliveries SET attempts = attempts + 1, next_attempt_at = @LeaseUntil, last_attempt_at = @Now
                WHERE job_id = @JobId AND destination_ae = @Ae AND status = 'pending' AND round = @Round AND attempts = @Attempts
                """, new { delivery.JobId, Ae = delivery.DestinationAe, delivery.Round, delivery.Attempts, Now = now, LeaseUntil = leaseUntil },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (taken == 1)
            {
                claimed.Add(new ClaimedAttempt(delivery.JobId, delivery.DestinationAe, delivery.Round, delivery.Attempts + 1));
            }
        }

        return claimed;
    }

    /// <summary>The job of a delivery, or null.</summary>
    public async Task<DeliveryJob?> FindJobAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<DeliveryJob>(new CommandDefinition(
            "SELECT job_id AS JobId, correlation_id AS CorrelationId, study_instance_uid AS StudyInstanceUid, report_ready_at AS ReportReadyAt FROM pacs_jobs WHERE job_id = @JobId",
            new { JobId = jobId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The objects of a delivery with their current status there, in the report's order.</summary>
    public async Task<IReadOnlyList<(JobObject Object, DeliveryObjectRecord Status)>> ObjectsOfDeliveryAsync(Guid jobId, string destinationAe, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var objects = (await ObjectsOfJobAsync(connection, null, jobId, cancellationToken).ConfigureAwait(false)).ToDictionary(o => o.SopInstanceUid, StringComparer.Ordinal);
        var statuses = await ObjectStatusesAsync(connection, jobId, destinationAe, cancellationToken).ConfigureAwait(false);
        return [.. statuses.Where(s => objects.ContainsKey(s.SopInstanceUid)).Select(s => (objects[s.SopInstanceUid], s)).OrderBy(p => p.Item1.Ordinal)];
    }

    /// <summary>
    /// Records the result of an attempt: per-object statuses, the delivery's new state and, when it ended, its outcome in
    /// the outbox, in one transaction. False (nothing written) when the attempt is no longer current: a resend started a
    /// new round, or its lease ran out and another attempt took it.
    /// </summary>
    public async Task<bool> CompleteAttemptAsync(
        ClaimedAttempt attempt, IReadOnlyList<ObjectResult> results, string status, DateTimeOffset nextAttemptAt, string? lastError,
        OutboxMessage? outcome, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var updated = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE pacs_deliveries SET status = @Status, next_attempt_at = @NextAttemptAt, last_error = @LastError,
                completed_at = @CompletedAt
            WHERE job_id = @JobId AND destination_ae = @Ae AND status = 'pending' AND round = @Round AND attempts = @Attempt
            """, new { attempt.JobId, Ae = attempt.DestinationAe, attempt.Round, attempt.Attempt, Status = status, NextAttemptAt = nextAttemptAt, LastError = lastError, CompletedAt = status == DeliveryStatus.Pending ? (DateTimeOffset?)null : now },
            transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (updated == 0)
        {
            return false;
        }

        foreach (var result in results)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE pacs_delivery_objects SET status = @Status, error = @Error, updated_at = @Now
                WHERE job_id = @JobId AND destination_ae = @Ae AND sop_instance_uid = @SopInstanceUid
                """, new { attempt.JobId, Ae = attempt.DestinationAe, result.SopInstanceUid, Status = (long)result.Status, result.Error, Now = now },
                transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        if (outcome is not null)
        {
            await InsertOutboxAsync(connection, transaction, outcome, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Gives back an attempt interrupted by a shutdown: it does not count, and the delivery is due again at once (for the
    /// next start, or another replica) instead of at the end of its lease.
    /// </summary>
    public async Task ReleaseAsync(ClaimedAttempt attempt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE pacs_deliveries SET attempts = attempts - 1, next_attempt_at = @Now
            WHERE job_id = @JobId AND destination_ae = @Ae AND status = 'pending' AND round = @Round AND attempts = @Attempt
            """, new { attempt.JobId, Ae = attempt.DestinationAe, attempt.Round, attempt.Attempt, Now = now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Outcome events not yet published, oldest first.</summary>
    public async Task<IReadOnlyList<OutboxMessage>> UnpublishedAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<OutboxMessage>(new CommandDefinition("""
            SELECT message_id AS MessageId, job_id AS JobId, message_type AS MessageType, payload AS Payload, created_at AS CreatedAt
            FROM pacs_outbox WHERE published_at IS NULL ORDER BY created_at, message_id LIMIT @Limit
            """, new { Limit = limit }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    public async Task MarkPublishedAsync(Guid messageId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE pacs_outbox SET published_at = @At WHERE message_id = @MessageId", new { MessageId = messageId, At = at }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The deliveries of a job (for the API and the tests).</summary>
    public async Task<IReadOnlyList<DeliveryRecord>> DeliveriesOfJobAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<DeliveryRecord>(new CommandDefinition(
            $"SELECT {DeliveryColumns} FROM pacs_deliveries WHERE job_id = @JobId ORDER BY destination_ae", new { JobId = jobId }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    /// <summary>The per-object statuses of a job's delivery to a destination.</summary>
    public async Task<IReadOnlyList<DeliveryObjectRecord>> ObjectStatusesAsync(Guid jobId, string destinationAe, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ObjectStatusesAsync(connection, jobId, destinationAe, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<DeliveryObjectRecord>> ObjectStatusesAsync(DbConnection connection, Guid jobId, string destinationAe, CancellationToken cancellationToken) =>
        [.. await connection.QueryAsync<DeliveryObjectRecord>(new CommandDefinition("""
            SELECT destination_ae AS DestinationAe, sop_instance_uid AS SopInstanceUid, status AS Status, error AS Error, updated_at AS UpdatedAt
            FROM pacs_delivery_objects WHERE job_id = @JobId AND destination_ae = @Ae ORDER BY sop_instance_uid
            """, new { JobId = jobId, Ae = destinationAe }, cancellationToken: cancellationToken)).ConfigureAwait(false)];

    /// <summary>SQLite: BEGIN IMMEDIATE (a transaction that reads then writes must hold the write lock from the start, or WAL
    /// fails it when another writer committed in between); PostgreSQL: read committed, the updates compare-and-set.</summary>
    /// <summary>
    /// Deletes everything pacs-sender keeps of erased jobs (<see cref="JobDataErased"/>): their sender row, job row, report
    /// objects, deliveries (pending ones included: no further attempt), per-object statuses and outbox rows, in one
    /// transaction; with <paramref name="byStudy"/> every job of <paramref name="studyInstanceUids"/> too. An attempt in
    /// progress finds its delivery gone and records nothing. Idempotent: a job already deleted, or never seen, is skipped.
    /// </summary>
    public async Task<ErasedDeliveries> EraseAsync(
        IReadOnlyCollection<Guid> jobIds, IReadOnlyCollection<string> studyInstanceUids, bool byStudy, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var jobs = new HashSet<Guid>(jobIds);
        if (byStudy)
        {
            // One query per UID: portable (Npgsql takes a list as one array parameter, SQLite as expanded ones).
            foreach (var studyInstanceUid in studyInstanceUids)
            {
                jobs.UnionWith(await connection.QueryAsync<Guid>(new CommandDefinition("""
                    SELECT job_id FROM pacs_jobs WHERE study_instance_uid = @studyInstanceUid
                    UNION SELECT job_id FROM pacs_job_senders WHERE study_instance_uid = @studyInstanceUid
                    """, new { studyInstanceUid }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false));
            }
        }

        var erased = new List<Guid>();
        long deliveries = 0;
        foreach (var jobId in jobs)
        {
            var parameters = new { jobId };
            var rows = await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM pacs_delivery_objects WHERE job_id = @jobId", parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            var jobDeliveries = await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM pacs_deliveries WHERE job_id = @jobId", parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            rows += jobDeliveries;
            rows += await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM pacs_job_objects WHERE job_id = @jobId", parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            rows += await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM pacs_jobs WHERE job_id = @jobId", parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            rows += await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM pacs_job_senders WHERE job_id = @jobId", parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            rows += await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM pacs_outbox WHERE job_id = @jobId", parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (rows > 0)
            {
                erased.Add(jobId);
                deliveries += jobDeliveries;
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ErasedDeliveries(erased, deliveries);
    }

    private async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(
            connections.Dialect.Provider == DatabaseProvider.Sqlite ? IsolationLevel.Serializable : IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);

    private static async Task<List<JobObject>> ObjectsOfJobAsync(DbConnection connection, DbTransaction? transaction, Guid jobId, CancellationToken cancellationToken) =>
        [.. await connection.QueryAsync<JobObject>(new CommandDefinition(
            $"SELECT {ObjectColumns} FROM pacs_job_objects WHERE job_id = @JobId ORDER BY ordinal", new { JobId = jobId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)];

    /// <summary>The default rule: the enabled destination whose AE title sent the study, and those taking every report; each only if it takes one of the objects.</summary>
    private static async Task<(string? Sender, List<Destination> Targets)> DefaultTargetsAsync(
        DbConnection connection, DbTransaction transaction, Guid jobId, IReadOnlyList<JobObject> objects, CancellationToken cancellationToken)
    {
        var sender = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT sending_ae_title FROM pacs_job_senders WHERE job_id = @JobId", new { JobId = jobId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var destinations = await connection.QueryAsync<Destination>(new CommandDefinition(
            $"SELECT {DestinationRepository.Columns} FROM pacs_destinations WHERE enabled = @Enabled ORDER BY ae_title", new { Enabled = true },
            transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return (sender, [.. destinations.Where(d => (d.AllReports || d.AeTitle == sender) && objects.Any(o => d.Takes(o.Kind)))]);
    }

    private static async Task CreateDeliveryAsync(
        DbConnection connection, DbTransaction transaction, Guid jobId, Destination destination, IReadOnlyList<JobObject> objects, DateTimeOffset now, Guid? requestId, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO pacs_deliveries (job_id, destination_ae, status, round, attempts, next_attempt_at, last_request_id, created_at)
            VALUES (@JobId, @Ae, 'pending', 0, 0, @Now, @RequestId, @Now)
            """, new { JobId = jobId, Ae = destination.AeTitle, Now = now, RequestId = requestId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await InsertDeliveryObjectsAsync(connection, transaction, jobId, destination, objects, now, cancellationToken).ConfigureAwait(false);
    }

    private static async Task InsertDeliveryObjectsAsync(
        DbConnection connection, DbTransaction transaction, Guid jobId, Destination destination, IReadOnlyList<JobObject> objects, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var item in objects.Where(o => destination.Takes(o.Kind)))
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO pacs_delivery_objects (job_id, destination_ae, sop_instance_uid, status, updated_at)
                VALUES (@JobId, @Ae, @SopInstanceUid, -1, @Now)
                """, new { JobId = jobId, Ae = destination.AeTitle, item.SopInstanceUid, Now = now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    private static Task InsertOutboxAsync(DbConnection connection, DbTransaction transaction, OutboxMessage message, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO pacs_outbox (message_id, job_id, message_type, payload, created_at)
            VALUES (@MessageId, @JobId, @MessageType, @Payload, @CreatedAt)
            ON CONFLICT (message_id) DO NOTHING
            """, message, transaction, cancellationToken: cancellationToken));
}
