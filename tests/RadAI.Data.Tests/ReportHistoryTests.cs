using Dapper;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RadAI.Contracts;
using RadAI.ReportBuilder;
using RadAI.ReportBuilder.History;
using RadAI.ReportBuilder.Pipeline;
using RadAI.Testing;
using Xunit;

namespace RadAI.Data.Tests;

/// <summary>report-builder's history of SRs, which decides the Predecessor Documents Sequence: same SQL on both engines.</summary>
public sealed class ReportHistoryTests
{
    private const string Study = "1.2.826.0.1.3680043.8.498.77";
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    private static async Task<(TestDatabase Db, ReportHistory History)> CreateAsync(DatabaseProvider provider)
    {
        var db = await TestDatabase.CreateAsync(provider);
        await new MigrationRunner(db.Connections, [new MigrationSource("report", typeof(ReportBuilderModule).Assembly)], NullLogger<MigrationRunner>.Instance)
            .MigrateAsync(CancellationToken.None);
        return (db, new ReportHistory(db.Connections));
    }

    private static ReportDocument Sr(Guid jobId, int n, DateTimeOffset at, Guid? predecessor = null, string study = Study) =>
        new(jobId, study, $"2.25.{n}1", "1.2.840.10008.5.1.4.1.1.88.22", $"2.25.{n}2", predecessor, at);

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task A_new_report_points_to_the_latest_earlier_report_of_the_same_study(DatabaseProvider provider)
    {
        var (db, history) = await CreateAsync(provider);
        await using var _ = db;
        var (first, second, third, otherStudy) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        Assert.Null(await history.FindPredecessorAsync(first, Study, CancellationToken.None));
        await history.RecordAsync(Sr(first, 1, T0), CancellationToken.None);
        await history.RecordAsync(Sr(otherStudy, 9, T0.AddHours(2), study: "1.2.826.0.1.3680043.8.498.78"), CancellationToken.None);

        var forSecond = await history.FindPredecessorAsync(second, Study, CancellationToken.None);
        Assert.Equal(Sr(first, 1, T0), forSecond);
        await history.RecordAsync(Sr(second, 2, T0.AddHours(1), first), CancellationToken.None);

        var forThird = await history.FindPredecessorAsync(third, Study, CancellationToken.None);
        Assert.Equal(second, forThird?.JobId);
        Assert.Equal("2.25.22", forThird?.SopInstanceUid);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task A_job_built_again_points_to_the_same_predecessor_and_keeps_its_first_row(DatabaseProvider provider)
    {
        var (db, history) = await CreateAsync(provider);
        await using var _ = db;
        var (first, second, later) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await history.RecordAsync(Sr(first, 1, T0), CancellationToken.None);
        await history.RecordAsync(Sr(second, 2, T0.AddHours(1), first), CancellationToken.None);
        await history.RecordAsync(Sr(later, 3, T0.AddHours(2), second), CancellationToken.None);

        // The second job again (redelivery, rebuild): still its first predecessor, not the later report.
        Assert.Equal(first, (await history.FindPredecessorAsync(second, Study, CancellationToken.None))?.JobId);
        // The first job again: it had none, and the later reports do not become its predecessor.
        Assert.Null(await history.FindPredecessorAsync(first, Study, CancellationToken.None));

        await history.RecordAsync(Sr(second, 5, T0.AddHours(3)), CancellationToken.None);
        Assert.Equal(first, (await history.FindPredecessorAsync(second, Study, CancellationToken.None))?.JobId);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task JobDataErased_deletes_the_rows_of_purged_jobs_and_erased_studies_and_no_report_points_to_them_any_more(DatabaseProvider provider)
    {
        var (db, history) = await CreateAsync(provider);
        await using var _ = db;
        const string otherStudy = "1.2.826.0.1.3680043.8.498.78";
        var (first, second, third, other) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await history.RecordAsync(Sr(first, 1, T0), CancellationToken.None);
        await history.RecordAsync(Sr(second, 2, T0.AddHours(1), first), CancellationToken.None);
        await history.RecordAsync(Sr(other, 9, T0.AddHours(2), study: otherStudy), CancellationToken.None);
        await history.RecordAsync(Sr(third, 3, T0.AddHours(3), other, study: otherStudy), CancellationToken.None);

        // report-builder's consumer, on the MassTransit test harness, as the service registers it.
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(history)
            .AddMassTransitTestHarness(bus => bus.AddConsumer<JobDataErasedConsumer, JobDataErasedConsumerDefinition>())
            .BuildServiceProvider(true);
        var harness = services.GetRequiredService<ITestHarness>();
        await harness.Start();

        // Retention of the first job: its row goes, the second report no longer points to it; the study's other rows stay.
        await ConsumeAsync(harness, new JobDataErased([first], [Study], ErasureReason.Retention, T0.AddDays(31)), 1);
        Assert.Equal(new[] { second, third, other }.Order(), (await JobsAsync(db)).Order());
        Assert.Equal(0, await WithPredecessorAsync(db, second));
        Assert.Null(await history.FindPredecessorAsync(second, Study, CancellationToken.None));

        // Erasure of the other study: every row of it, with no job id named; the first study's row stays.
        await ConsumeAsync(harness, new JobDataErased([], [otherStudy], ErasureReason.Erasure, T0.AddDays(32)), 2);
        Assert.Equal([second], await JobsAsync(db));

        // Again, with a job never seen: nothing changes, nothing fails.
        await ConsumeAsync(harness, new JobDataErased([third, Guid.NewGuid()], [otherStudy], ErasureReason.Erasure, T0.AddDays(32)), 3);
        Assert.Equal([second], await JobsAsync(db));
        Assert.False(await harness.Published.Any<Fault<JobDataErased>>());
        await harness.Stop();
    }

    private static async Task ConsumeAsync(ITestHarness harness, JobDataErased message, int count)
    {
        await harness.Bus.Publish(message);
        await Eventually.UntilAsync(() => Task.FromResult(harness.Consumed.Select<JobDataErased>().Count() >= count), TimeSpan.FromSeconds(60), $"JobDataErased #{count} consumed");
    }

    private static async Task<List<Guid>> JobsAsync(TestDatabase db)
    {
        await using var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None);
        return [.. await connection.QueryAsync<Guid>("SELECT job_id FROM report_documents")];
    }

    private static async Task<long> WithPredecessorAsync(TestDatabase db, Guid jobId)
    {
        await using var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM report_documents WHERE job_id = @jobId AND predecessor_job_id IS NOT NULL", new { jobId });
    }
}
