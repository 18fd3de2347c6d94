using Microsoft.Extensions.Logging.Abstractions;
using RadAI.Api;
using RadAI.Api.Jobs;
using Xunit;

namespace RadAI.Data.Tests;

/// <summary>The api's job read model: same repository, same SQL, on both engines.</summary>
public sealed class JobRepositoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 8, 30, 0, 123, TimeSpan.Zero);

    private static async Task<(TestDatabase Db, JobRepository Jobs)> CreateAsync(DatabaseProvider provider)
    {
        var db = await TestDatabase.CreateAsync(provider);
        await new MigrationRunner(db.Connections, [new MigrationSource(ApiModule.ServiceName, typeof(ApiModule).Assembly)], NullLogger<MigrationRunner>.Instance)
            .MigrateAsync(CancellationToken.None);
        return (db, new JobRepository(db.Connections));
    }

    private static JobEventRecord Event(Guid jobId, string type, string status, int rank, DateTimeOffset at, string? sendingAe = null) =>
        new(Guid.NewGuid(), jobId, jobId, "1.2.826.0.1.3680043.8.498.1", sendingAe, type, status, rank, at, at.AddMilliseconds(5), "4bf92f3577b34da6a3ce929d0e0e4736", "{}");

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Round_trips_a_job_and_its_timeline(DatabaseProvider provider)
    {
        var (db, jobs) = await CreateAsync(provider);
        await using var _ = db;
        var jobId = Guid.NewGuid();

        Assert.True(await jobs.RecordAsync(Event(jobId, "StudyReceived", JobStatus.Received, 10, T0, "ORTHANC"), CancellationToken.None));
        Assert.True(await jobs.RecordAsync(Event(jobId, "AnalysisDone", JobStatus.Analysed, 30, T0.AddSeconds(40)), CancellationToken.None));

        var job = await jobs.FindAsync(jobId, CancellationToken.None);
        Assert.NotNull(job);
        Assert.Equal(jobId, job.JobId);
        Assert.Equal(jobId, job.CorrelationId);
        Assert.Equal("1.2.826.0.1.3680043.8.498.1", job.StudyInstanceUid);
        Assert.Equal("ORTHANC", job.SendingAe);
        Assert.Equal(JobStatus.Analysed, job.Status);
        Assert.Equal(T0, job.CreatedAt);
        Assert.Equal(T0.AddSeconds(40), job.UpdatedAt);

        var timeline = await jobs.TimelineAsync(jobId, CancellationToken.None);
        Assert.Equal(["StudyReceived", "AnalysisDone"], timeline.Select(e => e.EventType));
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", timeline[0].TraceId);
        Assert.Null(await jobs.FindAsync(Guid.NewGuid(), CancellationToken.None));
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task A_redelivered_event_is_recorded_once(DatabaseProvider provider)
    {
        var (db, jobs) = await CreateAsync(provider);
        await using var _ = db;
        var received = Event(Guid.NewGuid(), "StudyReceived", JobStatus.Received, 10, T0);

        Assert.True(await jobs.RecordAsync(received, CancellationToken.None));
        Assert.False(await jobs.RecordAsync(received, CancellationToken.None));

        Assert.Single(await jobs.TimelineAsync(received.JobId, CancellationToken.None));
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Events_out_of_order_never_move_a_job_back(DatabaseProvider provider)
    {
        var (db, jobs) = await CreateAsync(provider);
        await using var _ = db;
        var jobId = Guid.NewGuid();

        // ReportReady overtakes StudyReceived (different queues): the job is created from it...
        await jobs.RecordAsync(Event(jobId, "ReportReady", JobStatus.ReportReady, 40, T0.AddMinutes(2)), CancellationToken.None);
        // ...and the late StudyReceived fills what it knows without lowering the status.
        await jobs.RecordAsync(Event(jobId, "StudyReceived", JobStatus.Received, 10, T0, "PACS1"), CancellationToken.None);

        var job = await jobs.FindAsync(jobId, CancellationToken.None);
        Assert.NotNull(job);
        Assert.Equal(JobStatus.ReportReady, job.Status);
        Assert.Equal("PACS1", job.SendingAe);
        Assert.Equal(T0, job.CreatedAt);
        Assert.Equal(T0.AddMinutes(2), job.UpdatedAt);
        Assert.Equal(["StudyReceived", "ReportReady"], (await jobs.TimelineAsync(jobId, CancellationToken.None)).Select(e => e.EventType));
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Lists_most_recent_first_with_status_filter_and_paging(DatabaseProvider provider)
    {
        var (db, jobs) = await CreateAsync(provider);
        await using var _ = db;
        var ids = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();
        for (var i = 0; i < ids.Count; i++)
        {
            var (status, rank) = i % 2 == 0 ? (JobStatus.Received, 10) : (JobStatus.Delivered, 60);
            await jobs.RecordAsync(Event(ids[i], "E", status, rank, T0.AddMinutes(i)), CancellationToken.None);
        }

        var all = await jobs.ListAsync(null, 10, 0, CancellationToken.None);
        var delivered = await jobs.ListAsync(JobStatus.Delivered, 10, 0, CancellationToken.None);
        var page = await jobs.ListAsync(null, 2, 1, CancellationToken.None);

        Assert.Equal(ids.AsEnumerable().Reverse(), all.Select(j => j.JobId));
        Assert.Equal([ids[3], ids[1]], delivered.Select(j => j.JobId));
        Assert.Equal([ids[3], ids[2]], page.Select(j => j.JobId));
    }
}
