using Dapper;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using RadAI.Contracts;
using RadAI.Data;
using RadAI.DicomIngest.Receptions;
using RadAI.Ingest.Tests.Support;
using RadAI.Testing;
using Xunit;

namespace RadAI.Ingest.Tests;

/// <summary>
/// JobDataErased consumed by dicom-ingest (its consumer on the MassTransit test harness, its tables on both engines,
/// studies received by DICOM): erasure deletes every complete reception of the studies with its series, instances and
/// outbox rows, retention only the jobs listed; a reception still receiving is left alone; a second delivery is a no-op.
/// </summary>
public sealed class ErasureTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Erased_and_purged_jobs_lose_their_ingest_rows_while_a_reception_in_progress_and_other_jobs_keep_theirs(DatabaseProvider provider)
    {
        using var work = new TemporaryDirectory("radai-ingest-erasure");
        await using var ingest = await InProcessIngest.StartAsync(work.Path, provider);
        var erased = await SyntheticStudy.WriteAsync(Path.Combine(work.Path, "erased"), SyntheticStudy.MultiModality(ct: 2, mr: 0, dx: 0));
        var purged = await SyntheticStudy.WriteAsync(Path.Combine(work.Path, "purged"), SyntheticStudy.MultiModality(ct: 1, mr: 0, dx: 0));

        // The erased study received once; the other study twice (two jobs): the first one is purged by retention.
        await StoreAsync(ingest, "MODALITY", erased);
        var erasedJob = (await ingest.StudyReceivedAsync(erased.StudyInstanceUid)).JobId;
        await StoreAsync(ingest, "MODALITY", purged);
        var oldJob = (await ingest.StudyReceivedAsync(purged.StudyInstanceUid)).JobId;
        await StoreAsync(ingest, "MODALITY", purged);
        await Eventually.UntilAsync(() => Task.FromResult(JobsOf(ingest, purged.StudyInstanceUid).Count == 2), Deadline, "the second job of the study");
        var newJob = JobsOf(ingest, purged.StudyInstanceUid).Single(j => j != oldJob);
        Assert.Equal((1L, 1L, 2L, 1L), await RowsAsync(ingest, erasedJob));

        // Another sender is sending the erased study at the time (a reception in progress, due in an hour).
        var inProgress = await ingest.Services.GetRequiredService<ReceptionRepository>().OpenReceptionAsync("LATE-PACS", IngestHost.AeTitle, erased.StudyInstanceUid,
            "default", TimeSpan.FromHours(1), DateTimeOffset.UtcNow, CancellationToken.None);

        // Erasure by study (no job id: a reception the api never saw goes too), then retention of the old job only.
        await ConsumeAsync(ingest, new JobDataErased([], [erased.StudyInstanceUid], ErasureReason.Erasure, DateTimeOffset.UtcNow), 1);
        Assert.Equal((0L, 0L, 0L, 0L), await RowsAsync(ingest, erasedJob));
        Assert.Equal("receiving", await StatusAsync(ingest, inProgress.JobId));
        Assert.Equal((1L, 1L, 1L, 1L), await RowsAsync(ingest, oldJob));

        await ConsumeAsync(ingest, new JobDataErased([oldJob], [purged.StudyInstanceUid], ErasureReason.Retention, DateTimeOffset.UtcNow), 2);
        Assert.Equal((0L, 0L, 0L, 0L), await RowsAsync(ingest, oldJob));
        Assert.Equal((1L, 1L, 1L, 1L), await RowsAsync(ingest, newJob));

        // Delivered again, with a job dicom-ingest never had: nothing changes, nothing fails.
        await ConsumeAsync(ingest, new JobDataErased([erasedJob, Guid.NewGuid()], [erased.StudyInstanceUid], ErasureReason.Erasure, DateTimeOffset.UtcNow), 3);
        Assert.Equal("receiving", await StatusAsync(ingest, inProgress.JobId));
        Assert.Equal((1L, 1L, 1L, 1L), await RowsAsync(ingest, newJob));
        Assert.False(await ingest.Harness.Published.Any<Fault<JobDataErased>>());
    }

    private static async Task StoreAsync(InProcessIngest ingest, string callingAe, SyntheticStudy study)
    {
        var result = await Dcmtk.StoreAsync(ingest.Port, callingAe, [.. study.Instances.Select(i => i.Path)]);
        Assert.True(Dcmtk.StoreStatuses(result).All(s => s == 0), Dcmtk.Describe(result));
    }

    private static List<Guid> JobsOf(InProcessIngest ingest, string studyInstanceUid) =>
        [.. ingest.Harness.Published.Select<StudyReceived>().Where(m => m.Context.Message.StudyInstanceUid == studyInstanceUid).Select(m => m.Context.Message.JobId).Distinct()];

    /// <summary>Publishes the event and waits until the consumer has consumed <paramref name="count"/> of them.</summary>
    private static async Task ConsumeAsync(InProcessIngest ingest, JobDataErased message, int count)
    {
        await ingest.Harness.Bus.Publish(message);
        await Eventually.UntilAsync(() => Task.FromResult(ingest.Harness.Consumed.Select<JobDataErased>().Count() >= count), Deadline, $"JobDataErased #{count} consumed");
    }

    /// <summary>Rows of a job: (receptions, series, instances, outbox).</summary>
    private static async Task<(long Receptions, long Series, long Instances, long Outbox)> RowsAsync(InProcessIngest ingest, Guid jobId)
    {
        await using var connection = await ingest.Services.GetRequiredService<IDbConnectionFactory>().OpenConnectionAsync(CancellationToken.None);
        async Task<long> CountAsync(string table) => await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE job_id = @jobId", new { jobId });
        return (await CountAsync("ingest_receptions"), await CountAsync("ingest_series"), await CountAsync("ingest_instances"), await CountAsync("ingest_outbox"));
    }

    private static async Task<string?> StatusAsync(InProcessIngest ingest, Guid jobId)
    {
        await using var connection = await ingest.Services.GetRequiredService<IDbConnectionFactory>().OpenConnectionAsync(CancellationToken.None);
        return await connection.QuerySingleOrDefaultAsync<string>("SELECT status FROM ingest_receptions WHERE job_id = @jobId", new { jobId });
    }
}
