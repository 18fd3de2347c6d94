using Dapper;
using Npgsql;

namespace RadAI.Ingest.Tests.Support;

/// <summary>A row of ingest_receptions.</summary>
public sealed record ReceptionRow(
    Guid JobId, string SendingAe, string CalledAe, string StudyInstanceUid, string RoutingProfile, string Status,
    long StableTimeoutMs, long OpenAssociations, long InstanceCount, long DuplicateCount, long TotalBytes, string StoreKey);

/// <summary>A row of ingest_series.</summary>
public sealed record SeriesIndexRow(
    string SeriesInstanceUid, string Modality, string? BodyPartExamined, string? SeriesDescription, string SopClassUid, long InstanceCount, long TotalBytes);

/// <summary>A row of ingest_instances.</summary>
public sealed record InstanceIndexRow(
    string SopInstanceUid, string SeriesInstanceUid, string SopClassUid, string TransferSyntaxUid, long SizeBytes, string StoreKey);

/// <summary>A row of ingest_outbox.</summary>
public sealed record OutboxRow(Guid MessageId, Guid JobId, string MessageType, string Payload, bool Published);

/// <summary>Reads the ingest tables of a test database (what the service indexed), and pokes at them for crash scenarios.</summary>
public sealed class IngestIndex(string connectionString)
{
    public async Task<IReadOnlyList<ReceptionRow>> ReceptionsAsync(string studyInstanceUid)
    {
        await using var connection = await OpenAsync();
        return [.. await connection.QueryAsync<ReceptionRow>("""
            SELECT job_id AS JobId, sending_ae AS SendingAe, called_ae AS CalledAe, study_instance_uid AS StudyInstanceUid,
                   routing_profile AS RoutingProfile, status AS Status, stable_timeout_ms AS StableTimeoutMs, open_associations AS OpenAssociations,
                   instance_count AS InstanceCount, duplicate_count AS DuplicateCount, total_bytes AS TotalBytes, store_key AS StoreKey
            FROM ingest_receptions WHERE study_instance_uid = @studyInstanceUid ORDER BY first_instance_at, job_id
            """, new { studyInstanceUid })];
    }

    public async Task<IReadOnlyList<SeriesIndexRow>> SeriesAsync(Guid jobId)
    {
        await using var connection = await OpenAsync();
        return [.. await connection.QueryAsync<SeriesIndexRow>("""
            SELECT series_instance_uid AS SeriesInstanceUid, modality AS Modality, body_part_examined AS BodyPartExamined,
                   series_description AS SeriesDescription, sop_class_uid AS SopClassUid, instance_count AS InstanceCount, total_bytes AS TotalBytes
            FROM ingest_series WHERE job_id = @jobId ORDER BY series_instance_uid
            """, new { jobId })];
    }

    public async Task<IReadOnlyList<InstanceIndexRow>> InstancesAsync(Guid jobId)
    {
        await using var connection = await OpenAsync();
        return [.. await connection.QueryAsync<InstanceIndexRow>("""
            SELECT sop_instance_uid AS SopInstanceUid, series_instance_uid AS SeriesInstanceUid, sop_class_uid AS SopClassUid,
                   transfer_syntax_uid AS TransferSyntaxUid, size_bytes AS SizeBytes, store_key AS StoreKey
            FROM ingest_instances WHERE job_id = @jobId ORDER BY sop_instance_uid
            """, new { jobId })];
    }

    public async Task<IReadOnlyList<OutboxRow>> OutboxAsync(Guid jobId)
    {
        await using var connection = await OpenAsync();
        return [.. await connection.QueryAsync<OutboxRow>("""
            SELECT message_id AS MessageId, job_id AS JobId, message_type AS MessageType, payload AS Payload, published_at IS NOT NULL AS Published
            FROM ingest_outbox WHERE job_id = @jobId ORDER BY created_at
            """, new { jobId })];
    }

    /// <summary>Every reception, whatever the study.</summary>
    public async Task<long> ReceptionCountAsync()
    {
        await using var connection = await OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM ingest_receptions");
    }

    /// <summary>What a crash between publishing and marking published leaves: the event published but not marked.</summary>
    public async Task MarkUnpublishedAsync(Guid messageId)
    {
        await using var connection = await OpenAsync();
        await connection.ExecuteAsync("UPDATE ingest_outbox SET published_at = NULL WHERE message_id = @messageId", new { messageId });
    }

    /// <summary>
    /// What a power cut (or a database crash) leaves after the last unflushed commits of a reception were lost:
    /// these instances' rows gone, and the series and reception counts those of the rows that remain.
    /// </summary>
    public async Task ForgetInstancesAsync(Guid jobId, IEnumerable<string> sopInstanceUids)
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(
            "DELETE FROM ingest_instances WHERE job_id = @jobId AND sop_instance_uid = ANY(@uids)",
            new { jobId, uids = sopInstanceUids.ToArray() }, transaction);
        await connection.ExecuteAsync("""
            DELETE FROM ingest_series s WHERE job_id = @jobId
              AND NOT EXISTS (SELECT 1 FROM ingest_instances i WHERE i.job_id = s.job_id AND i.series_instance_uid = s.series_instance_uid);
            UPDATE ingest_series s SET
                instance_count = (SELECT count(*) FROM ingest_instances i WHERE i.job_id = s.job_id AND i.series_instance_uid = s.series_instance_uid),
                total_bytes = (SELECT sum(size_bytes) FROM ingest_instances i WHERE i.job_id = s.job_id AND i.series_instance_uid = s.series_instance_uid)
            WHERE job_id = @jobId;
            UPDATE ingest_receptions r SET
                instance_count = (SELECT count(*) FROM ingest_instances i WHERE i.job_id = r.job_id),
                total_bytes = (SELECT coalesce(sum(size_bytes), 0) FROM ingest_instances i WHERE i.job_id = r.job_id)
            WHERE job_id = @jobId;
            """, new { jobId }, transaction);
        await transaction.CommitAsync();
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }
}
