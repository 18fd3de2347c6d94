using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using RadAI.Api.Apis;
using RadAI.Api.DataLifecycle;
using RadAI.Api.Jobs;
using RadAI.Api.Security;
using RadAI.Data;
using RadAI.Data.Audit;
using RadAI.Testing;
using Xunit;

namespace RadAI.Api.Tests;

/// <summary>Retention (on a clock the test moves), erasure of a patient's studies and the audit export, on both engines.</summary>
public sealed class DataLifecycleTests : IDisposable
{
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
            ["Retention:Days"] = retentionDays.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

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
        var retention = new RetentionService(api.Services.GetRequiredService<JobDataEraser>(), api.Services.GetRequiredService<IAuditLog>(),
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

        // Two days later the recent job is past the limit too; the purged one is not purged again.
        clock.Now = now.AddDays(2);
        Assert.Equal([recent], (await retention.PurgeOnceAsync(CancellationToken.None)).JobIds);
        Assert.Empty((await retention.PurgeOnceAsync(CancellationToken.None)).JobIds);
        Assert.Equal(2, (await AuditAsync(db)).Count(e => e.Action == "retention.purge"));

        // Off (0 days): nothing, whatever the age.
        var offService = new RetentionService(api.Services.GetRequiredService<JobDataEraser>(), api.Services.GetRequiredService<IAuditLog>(),
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
}
