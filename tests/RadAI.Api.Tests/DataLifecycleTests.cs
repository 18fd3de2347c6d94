using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using RadAI.Api.Apis;
using RadAI.Api.DataLifecycle;
using RadAI.Api.Jobs;
using RadAI.Api.Security;
using RadAI.Contracts;
using RadAI.Data;
using RadAI.Data.Audit;
using RadAI.DicomIngest;
using RadAI.DicomIngest.Listening;
using RadAI.DicomIngest.Receptions;
using RadAI.Hosting.Messaging;
using RadAI.PacsSender;
using RadAI.PacsSender.Delivery;
using RadAI.Testing;
using Xunit;

namespace RadAI.Api.Tests;

/// <summary>
/// Retention (on a clock the test moves), erasure of a patient's studies and the audit export, on both engines; the api
/// hosted with dicom-ingest and pacs-sender on the in-memory bus and one database (as the standalone node hosts them), so
/// that the rows those services keep of erased jobs are seen to go (JobDataErased).
/// </summary>
public sealed class DataLifecycleTests : IDisposable
{
    private const string IngestAeTitle = "RADAI-ERASE";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly TemporaryDirectory _stores = new("radai-lifecycle-stores");

    public void Dispose() => _stores.Dispose();

    private sealed class JobRowView
    {
        public string StudyUid { get; init; } = "";

        public DateTimeOffset? PurgedAt { get; init; }
    }

    /// <summary>A clock the test sets.</summary>
    private sealed class SettableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private async Task<ApiTestHost> StartAsync(TestDatabase db, int retentionDays = 0) =>
        await ApiTestHost.StartAsync(db, new Dictionary<string, string?>
        {
            ["Storage:Root"] = _stores.Path,
            ["Retention:Days"] = retentionDays.ToString(CultureInfo.InvariantCulture),
            ["Messaging:Transport"] = "InMemory",
            ["PacsSender:EchoOnStart"] = "false",
            ["DicomIngest:AeTitle"] = IngestAeTitle,
            ["DicomIngest:Port"] = "0",
            ["DicomIngest:BindAddress"] = "127.0.0.1",
            ["DicomIngest:ReleaseGracePeriod"] = "00:00:00.200",
            ["DicomIngest:CompletionPollInterval"] = "00:00:00.100",
        }, configure: builder =>
        {
            builder.AddRadAIMessaging(bus =>
            {
                bus.AddApiConsumers();
                bus.AddDicomIngestConsumers();
                bus.AddPacsSenderConsumers();
            });
            builder.AddDicomIngest();
            builder.AddPacsSender();
        });

    private static async Task<long> CountAsync(TestDatabase db, string sql, object parameters)
    {
        await using var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>(sql, parameters);
    }

    /// <summary>Rows pacs-sender keeps of a job, all its tables together.</summary>
    private static Task<long> PacsRowsAsync(TestDatabase db, Guid jobId) => CountAsync(db, """
        SELECT (SELECT COUNT(*) FROM pacs_job_senders WHERE job_id = @jobId) + (SELECT COUNT(*) FROM pacs_jobs WHERE job_id = @jobId)
             + (SELECT COUNT(*) FROM pacs_job_objects WHERE job_id = @jobId) + (SELECT COUNT(*) FROM pacs_deliveries WHERE job_id = @jobId)
             + (SELECT COUNT(*) FROM pacs_delivery_objects WHERE job_id = @jobId) + (SELECT COUNT(*) FROM pacs_outbox WHERE job_id = @jobId)
        """, new { jobId });

    /// <summary>Rows dicom-ingest keeps of a job, all its tables together.</summary>
    private static Task<long> IngestRowsAsync(TestDatabase db, Guid jobId) => CountAsync(db, """
        SELECT (SELECT COUNT(*) FROM ingest_receptions WHERE job_id = @jobId) + (SELECT COUNT(*) FROM ingest_series WHERE job_id = @jobId)
             + (SELECT COUNT(*) FROM ingest_instances WHERE job_id = @jobId) + (SELECT COUNT(*) FROM ingest_outbox WHERE job_id = @jobId)
        """, new { jobId });

    /// <summary>A job as the api records it from the events, with the files dicom-ingest, inference and report-builder leave.</summary>
    private async Task<Guid> JobWithFilesAsync(ApiTestHost api, string studyUid, DateTimeOffset createdAt)
    {
        var jobId = Guid.NewGuid();
        await api.Services.GetRequiredService<JobRepository>().RecordAsync(new JobEventRecord(Guid.NewGuid(), jobId, jobId, studyUid, "MODALITY",
            "StudyReceived", "received", 1, createdAt, createdAt, null, "{}"), CancellationToken.None);
        var key = jobId.ToString("N");
        foreach (var file in new[] { Path.Combine("instances", studyUid, key, "1.2.3", "1.2.3.4.dcm"), Path.Combine("results", key, "findings.json"), Path.Combine("reports", key, "report.pdf") })
        {
            var path = Path.Combine(_stores.Path, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, "data");
        }

        return jobId;
    }

    private static async Task<IReadOnlyList<string>> PayloadsAsync(TestDatabase db, Guid jobId)
    {
        await using var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None);
        return [.. await connection.QueryAsync<string>("SELECT payload FROM job_events WHERE job_id = @jobId", new { jobId })];
    }

    private bool HasFiles(string studyUid, Guid jobId)
    {
        var key = jobId.ToString("N");
        return Directory.Exists(Path.Combine(_stores.Path, "instances", studyUid, key))
            || Directory.Exists(Path.Combine(_stores.Path, "results", key))
            || Directory.Exists(Path.Combine(_stores.Path, "reports", key));
    }

    private static async Task<(string StudyUid, DateTimeOffset? PurgedAt)> RowAsync(TestDatabase db, Guid jobId)
    {
        await using var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None);
        var row = await connection.QuerySingleAsync<JobRowView>(
            "SELECT study_instance_uid AS StudyUid, purged_at AS PurgedAt FROM jobs WHERE job_id = @jobId", new { jobId });
        return (row.StudyUid, row.PurgedAt);
    }

    private static async Task<IReadOnlyList<AuditEntry>> AuditAsync(TestDatabase db)
    {
        await using var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None);
        return [.. (await AuditChain.ListAsync(connection, null, 500, CancellationToken.None)).Reverse()];
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Retention_purges_the_files_of_jobs_older_than_the_policy_keeps_the_anonymous_row_and_audits_it(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var api = await StartAsync(db);
        var now = new DateTimeOffset(2026, 11, 26, 6, 0, 0, TimeSpan.Zero);
        var old = await JobWithFilesAsync(api, "1.2.826.0.1.1", now.AddDays(-31));
        var recent = await JobWithFilesAsync(api, "1.2.826.0.1.2", now.AddDays(-29));
        var clock = new SettableClock(now);
        // pacs-sender knows both jobs, and a newer job of the old one's study that the api never saw: retention goes by job, not by study.
        var deliveries = api.Services.GetRequiredService<DeliveryRepository>();
        var sameStudy = Guid.NewGuid();
        foreach (var (job, study) in new[] { (old, "1.2.826.0.1.1"), (recent, "1.2.826.0.1.2"), (sameStudy, "1.2.826.0.1.1") })
        {
            await deliveries.RecordSenderAsync(job, "MODALITY", study, now.AddDays(-31), CancellationToken.None);
        }

        var retention = new RetentionService(api.Services.GetRequiredService<JobDataEraser>(), api.Services.GetRequiredService<IServiceScopeFactory>(), api.Services.GetRequiredService<IAuditLog>(),
            Microsoft.Extensions.Options.Options.Create(new RetentionOptions { Days = 30 }), clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<RetentionService>.Instance);

        var purged = await retention.PurgeOnceAsync(CancellationToken.None);

        Assert.Equal([old], purged.JobIds);
        Assert.False(HasFiles("1.2.826.0.1.1", old));
        Assert.True(HasFiles("1.2.826.0.1.2", recent));
        var (studyUid, purgedAt) = await RowAsync(db, old);
        Assert.Equal("", studyUid);
        Assert.Equal(now, purgedAt);
        Assert.Equal("1.2.826.0.1.2", (await RowAsync(db, recent)).StudyUid);
        var entry = Assert.Single(await AuditAsync(db), e => e.Action == "retention.purge");
        Assert.Equal(AuditActors.System, entry.Actor);
        Assert.Contains(old.ToString(), entry.Details, StringComparison.Ordinal);
        Assert.DoesNotContain("1.2.826.0.1.1", entry.Details, StringComparison.Ordinal);
        await Eventually.UntilAsync(async () => await PacsRowsAsync(db, old) == 0, Deadline, "pacs-sender's rows of the purged job deleted");
        Assert.Equal(1, await PacsRowsAsync(db, recent));
        Assert.Equal(1, await PacsRowsAsync(db, sameStudy));

        // Two days later the recent job is past the limit too; the purged one is not purged again.
        clock.Now = now.AddDays(2);
        Assert.Equal([recent], (await retention.PurgeOnceAsync(CancellationToken.None)).JobIds);
        Assert.Empty((await retention.PurgeOnceAsync(CancellationToken.None)).JobIds);
        Assert.Equal(2, (await AuditAsync(db)).Count(e => e.Action == "retention.purge"));

        // Off (0 days): nothing, whatever the age.
        var offService = new RetentionService(api.Services.GetRequiredService<JobDataEraser>(), api.Services.GetRequiredService<IServiceScopeFactory>(), api.Services.GetRequiredService<IAuditLog>(),
            Microsoft.Extensions.Options.Options.Create(new RetentionOptions()), clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<RetentionService>.Instance);
        var kept = await JobWithFilesAsync(api, "1.2.826.0.1.3", now.AddDays(-400));
        Assert.Empty((await offService.PurgeOnceAsync(CancellationToken.None)).JobIds);
        Assert.True(HasFiles("1.2.826.0.1.3", kept));
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task An_admin_erases_a_patients_studies_audited_with_ids_and_exports_the_audit_log_as_ndjson(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var api = await StartAsync(db);
        var now = DateTimeOffset.UtcNow;
        var first = await JobWithFilesAsync(api, "1.2.826.0.2.1", now);
        var again = await JobWithFilesAsync(api, "1.2.826.0.2.1", now);
        var other = await JobWithFilesAsync(api, "1.2.826.0.2.2", now);
        var admin = (await api.LoginAsync("admin", ApiTestHost.AdminPassword)).AccessToken;
        var viewer = await api.CreateUserAndLoginAsync("viewer1", Roles.Viewer);

        using (var refused = await api.SendAsync(HttpMethod.Post, "/api/patients/erase", viewer, new DataLifecycleApi.EraseRequest(["1.2.826.0.2.1"])))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var invalid = await api.SendAsync(HttpMethod.Post, "/api/patients/erase", admin, new DataLifecycleApi.EraseRequest(["../reports"])))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        }

        Assert.True(HasFiles("1.2.826.0.2.1", first));
        using (var erased = await api.SendAsync(HttpMethod.Post, "/api/patients/erase", admin, new DataLifecycleApi.EraseRequest(["1.2.826.0.2.1"])))
        {
            Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
            var result = (await erased.Content.ReadFromJsonAsync<DataLifecycleApi.EraseResult>())!;
            Assert.Equal(new[] { first, again }.Order(), result.JobIds.Order());
        }

        Assert.False(HasFiles("1.2.826.0.2.1", first));
        Assert.False(HasFiles("1.2.826.0.2.1", again));
        Assert.False(Directory.Exists(Path.Combine(_stores.Path, "instances", "1.2.826.0.2.1")));
        Assert.True(HasFiles("1.2.826.0.2.2", other));
        Assert.Equal("", (await RowAsync(db, first)).StudyUid);
        var erasure = Assert.Single(await AuditAsync(db), e => e.Action == "patient.erase");
        Assert.StartsWith("user:", erasure.Actor, StringComparison.Ordinal);
        Assert.Contains(first.ToString(), erasure.Details, StringComparison.Ordinal);

        using (var refused = await api.SendAsync(HttpMethod.Get, "/api/audit/export", viewer))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using var export = await api.SendAsync(HttpMethod.Get, "/api/audit/export", admin);
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("application/x-ndjson", export.Content.Headers.ContentType?.MediaType);
        var lines = (await export.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var exported = lines.Select(l => JsonSerializer.Deserialize<AuditEntry>(l, JsonSerializerOptions.Web)!).ToList();
        var stored = await AuditAsync(db);
        Assert.Equal(stored.Select(e => e.Sequence), exported.Select(e => e.Sequence));
        Assert.Equal(stored.Select(e => e.EntryHash), exported.Select(e => e.EntryHash));
        Assert.Equal("audit.export", exported[^1].Action);
        Assert.Contains(exported, e => e.Action == "patient.erase");
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Erasure_removes_the_rows_dicom_ingest_and_pacs_sender_keep_of_the_study_and_leaves_a_reception_in_progress_alone(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var api = await StartAsync(db);
        var admin = (await api.LoginAsync("admin", ApiTestHost.AdminPassword)).AccessToken;
        var port = api.Services.GetRequiredService<DicomListenerService>().LocalEndPoint!.Port;

        // Two studies received by DICOM, announced (StudyReceived): the api, dicom-ingest and pacs-sender each hold rows of them.
        using var work = new TemporaryDirectory("radai-lifecycle-studies");
        var erased = await SyntheticCtStudy.WriteAsync(Path.Combine(work.Path, "erased"), slices: 2, size: 32);
        var kept = await SyntheticCtStudy.WriteAsync(Path.Combine(work.Path, "kept"), seed: 6, slices: 2, size: 32);
        foreach (var study in new[] { erased, kept })
        {
            (await ExternalTool.RunAsync("dcmsend", ["-aet", "MODALITY", "-aec", IngestAeTitle, "+sd", "+r", "-nuc", "127.0.0.1",
                port.ToString(CultureInfo.InvariantCulture), study.Folder])).EnsureSuccess("dcmsend");
        }

        async Task<Guid> AnnouncedJobAsync(string studyUid)
        {
            await Eventually.UntilAsync(async () => await CountAsync(db, "SELECT COUNT(*) FROM jobs WHERE study_instance_uid = @studyUid", new { studyUid }) == 1
                && await CountAsync(db, "SELECT COUNT(*) FROM pacs_job_senders WHERE study_instance_uid = @studyUid", new { studyUid }) == 1,
                Deadline, $"the job of {studyUid} known to the api and pacs-sender");
            await using var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None);
            return await connection.QuerySingleAsync<Guid>("SELECT job_id FROM ingest_receptions WHERE study_instance_uid = @studyUid", new { studyUid });
        }

        var erasedJob = await AnnouncedJobAsync(erased.StudyInstanceUid);
        var keptJob = await AnnouncedJobAsync(kept.StudyInstanceUid);
        Assert.Equal(2, await CountAsync(db, "SELECT COUNT(*) FROM ingest_instances WHERE job_id = @erasedJob", new { erasedJob }));

        // The erased job's report reached pacs-sender (no destination takes it: a failed delivery and its DeliveryFailed).
        await api.Services.GetRequiredService<DeliveryRepository>().AcceptAsync(new ReportReady(erasedJob, erasedJob, DateTimeOffset.UtcNow, erased.StudyInstanceUid,
            [new ReportObject("SR", "1.2.840.10008.5.1.4.1.1.88.33", erased.StudyInstanceUid + ".9.1", erased.StudyInstanceUid + ".9",
                new StorageReference("reports", $"{erasedJob:N}/sr.dcm"), 100)], "fr", null, "MODALITY"), DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.True(await PacsRowsAsync(db, erasedJob) >= 5);

        // Another sender is still sending the same study (a reception in progress, due in an hour).
        string[] erasedUids;
        await using (var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None))
        {
            erasedUids = [erased.StudyInstanceUid, .. await connection.QueryAsync<string>("SELECT series_instance_uid FROM ingest_series WHERE job_id = @erasedJob", new { erasedJob })];
        }

        Assert.Contains(await PayloadsAsync(db, erasedJob), p => p.Contains(erasedUids[1], StringComparison.Ordinal));
        var inProgress = await api.Services.GetRequiredService<ReceptionRepository>().OpenReceptionAsync("LATE-PACS", IngestAeTitle, erased.StudyInstanceUid, "default",
            TimeSpan.FromHours(1), DateTimeOffset.UtcNow, CancellationToken.None);

        using (var response = await api.SendAsync(HttpMethod.Post, "/api/patients/erase", admin, new DataLifecycleApi.EraseRequest([erased.StudyInstanceUid])))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal([erasedJob], (await response.Content.ReadFromJsonAsync<DataLifecycleApi.EraseResult>())!.JobIds);
        }

        await Eventually.UntilAsync(async () => await IngestRowsAsync(db, erasedJob) == 0 && await PacsRowsAsync(db, erasedJob) == 0,
            Deadline, "dicom-ingest's and pacs-sender's rows of the erased job deleted");
        Assert.Equal(0, await CountAsync(db, "SELECT COUNT(*) FROM pacs_job_senders WHERE study_instance_uid = @uid", new { uid = erased.StudyInstanceUid }));
        Assert.Equal(1, await CountAsync(db, "SELECT COUNT(*) FROM ingest_receptions WHERE job_id = @job AND status = 'receiving'", new { job = inProgress.JobId }));
        Assert.Equal(0, await CountAsync(db, "SELECT COUNT(*) FROM ingest_receptions WHERE study_instance_uid = @uid AND status = 'complete'", new { uid = erased.StudyInstanceUid }));
        Assert.Equal(2, await CountAsync(db, "SELECT COUNT(*) FROM ingest_instances WHERE job_id = @keptJob", new { keptJob }));
        Assert.Equal(1, await PacsRowsAsync(db, keptJob));
        Assert.Equal(kept.StudyInstanceUid, (await RowAsync(db, keptJob)).StudyUid);

        // The api's timeline of the erased job says what happened, not to whom: no UID of the study in any payload (a
        // delivery outcome recorded after the erasure included); the other study's timeline is untouched.
        var purgedPayloads = await PayloadsAsync(db, erasedJob);
        Assert.Contains(purgedPayloads, p => p.Contains("\"modality\":\"CT\"", StringComparison.Ordinal));
        foreach (var uid in erasedUids)
        {
            Assert.DoesNotContain(purgedPayloads, p => p.Contains(uid, StringComparison.Ordinal));
        }

        Assert.Contains(await PayloadsAsync(db, keptJob), p => p.Contains(kept.StudyInstanceUid, StringComparison.Ordinal));
        using (var detail = await api.SendAsync(HttpMethod.Get, $"/api/jobs/{erasedJob}", admin))
        {
            Assert.Equal(HttpStatusCode.OK, detail.StatusCode);
            var text = await detail.Content.ReadAsStringAsync();
            Assert.DoesNotContain(erased.StudyInstanceUid, text, StringComparison.Ordinal);
        }

        // Asked again: nothing left to delete, the reception in progress still alone; the services' log lines carry ids and counts only.
        using (var again = await api.SendAsync(HttpMethod.Post, "/api/patients/erase", admin, new DataLifecycleApi.EraseRequest([erased.StudyInstanceUid])))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Empty((await again.Content.ReadFromJsonAsync<DataLifecycleApi.EraseResult>())!.JobIds);
        }

        await Eventually.UntilAsync(() => Task.FromResult(api.Logs.Lines.Any(l => l.Contains("Erasure: deleted 0 receptions (0 instance rows), kept 1 still receiving", StringComparison.Ordinal))
            && api.Logs.Lines.Any(l => l.Contains("Erasure: deleted the rows of 0 jobs", StringComparison.Ordinal))), Deadline, "the second erasure consumed, deleting nothing");
        Assert.Contains(api.Logs.Lines, l => l.Contains($"Erasure: deleted 1 receptions (2 instance rows), kept 1 still receiving; jobs [{erasedJob}]", StringComparison.Ordinal));
        Assert.Contains(api.Logs.Lines, l => l.Contains($"Erasure: deleted the rows of 1 jobs (1 deliveries); jobs [{erasedJob}]", StringComparison.Ordinal));
        Assert.Equal(1, await CountAsync(db, "SELECT COUNT(*) FROM ingest_receptions WHERE job_id = @job AND status = 'receiving'", new { job = inProgress.JobId }));
        Assert.Equal(2, await CountAsync(db, "SELECT COUNT(*) FROM ingest_instances WHERE job_id = @keptJob", new { keptJob }));
        foreach (var identifier in SyntheticCtStudy.PatientIdentifiers)
        {
            Assert.DoesNotContain(api.Logs.Lines, l => l.Contains(identifier, StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public void Retention_sends_its_jobs_500_a_message_with_their_studies_and_an_erasure_one_message_with_every_study()
    {
        var at = new DateTimeOffset(2026, 11, 26, 6, 0, 0, TimeSpan.Zero);
        var jobs = Enumerable.Range(0, 1201).Select(i => (Guid.NewGuid(), $"1.2.826.0.3.{i / 2}")).ToList();

        var retention = JobDataEraser.Notices(jobs, [], ErasureReason.Retention, at).ToList();
        Assert.Equal([500, 500, 201], retention.Select(m => m.JobIds.Count));
        Assert.Equal(jobs.Select(j => j.Item1), retention.SelectMany(m => m.JobIds));
        Assert.Equal([250, 250, 101], retention.Select(m => m.StudyInstanceUids.Count));
        Assert.All(retention, m => Assert.Equal((ErasureReason.Retention, at), (m.Reason, m.ErasedAt)));

        var erasure = Assert.Single(JobDataEraser.Notices(jobs[..3], ["1.2.826.0.3.0", "1.2.826.0.3.1", "1.2.826.0.3.9"], ErasureReason.Erasure, at));
        Assert.Equal(jobs[..3].Select(j => j.Item1), erasure.JobIds);
        Assert.Equal(["1.2.826.0.3.0", "1.2.826.0.3.1", "1.2.826.0.3.9"], erasure.StudyInstanceUids);
        Assert.Equal(ErasureReason.Erasure, erasure.Reason);
    }
}
