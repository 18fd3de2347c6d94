using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using RadAI.Contracts;
using RadAI.Data;
using RadAI.PacsSender.Delivery;
using RadAI.PacsSender.Tests.Support;
using RadAI.Testing;
using Xunit;

namespace RadAI.PacsSender.Tests;

/// <summary>
/// JobDataErased consumed by pacs-sender (its module on the in-memory bus, its tables on both engines): retention deletes
/// the rows of the jobs listed, erasure every job of the studies; a pending delivery goes with them (no further attempt);
/// a second delivery, or a job never seen, deletes nothing.
/// </summary>
public sealed class ErasureTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private const string OtherStudyUid = "1.2.826.0.1.3680043.8.498.3";

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Purged_and_erased_jobs_lose_their_delivery_rows_pending_deliveries_included(DatabaseProvider provider)
    {
        await using var store = await ReportStore.CreateAsync(provider);
        var outcomes = new Outcomes();
        // The study's sender is a destination where nothing listens: deliveries stay pending, retried in an hour.
        await using var host = await SenderHost.StartAsync(store, outcomes, new Dictionary<string, string?>
        {
            ["PacsSender:EchoOnStart"] = "false",
            ["PacsSender:Destinations:0:AeTitle"] = "PACS",
            ["PacsSender:Destinations:0:Host"] = "127.0.0.1",
            ["PacsSender:Destinations:0:Port"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["PacsSender:InitialBackoff"] = "01:00:00",
            ["PacsSender:MaxBackoff"] = "01:00:00",
            ["PacsSender:MaxAttempts"] = "5",
        });
        var (purged, erased, other) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        foreach (var job in new[] { purged, erased })
        {
            await host.PublishAsync(ReportStore.StudyFrom(job, "PACS"));
            await Eventually.UntilAsync(async () => await host.Deliveries.FindSenderAsync(job, CancellationToken.None) == "PACS", Deadline, "the study's sender recorded");
            await host.PublishAsync(await store.WriteReportAsync(job));
            await Eventually.UntilAsync(async () => (await host.Deliveries.DeliveriesOfJobAsync(job, CancellationToken.None)) is [{ Status: DeliveryStatus.Pending, Attempts: >= 1 }],
                Deadline, "a first attempt failed, the next one due in an hour");
        }

        await host.Deliveries.RecordSenderAsync(other, "PACS", OtherStudyUid, DateTimeOffset.UtcNow, CancellationToken.None);
        var full = await RowsAsync(host, erased);
        Assert.True(full is { Senders: 1, Jobs: 1, Objects: > 0, Deliveries: 1, DeliveryObjects: > 0 }, full.ToString());

        // Retention: the listed job only, though its study is named (another job of that study is kept).
        await host.PublishAsync(new JobDataErased([purged], [ReportStore.StudyUid], ErasureReason.Retention, DateTimeOffset.UtcNow));
        await Eventually.UntilAsync(async () => (await RowsAsync(host, purged)).Total == 0, Deadline, "the purged job's rows deleted");
        Assert.Equal(full, await RowsAsync(host, erased));

        // Erasure by study: every job of it, not the other study's.
        await host.PublishAsync(new JobDataErased([], [ReportStore.StudyUid], ErasureReason.Erasure, DateTimeOffset.UtcNow));
        await Eventually.UntilAsync(async () => (await RowsAsync(host, erased)).Total == 0, Deadline, "the erased study's rows deleted");
        Assert.Equal(1, (await RowsAsync(host, other)).Total);
        Assert.Null(await host.Deliveries.NextDueAsync(CancellationToken.None));

        // Again, with a job never seen: nothing to delete.
        var again = await host.Deliveries.EraseAsync([erased, Guid.NewGuid()], [ReportStore.StudyUid], byStudy: true, CancellationToken.None);
        Assert.Empty(again.JobIds);
        Assert.Equal(1, (await RowsAsync(host, other)).Total);
    }

    private sealed record JobRows(long Senders, long Jobs, long Objects, long Deliveries, long DeliveryObjects, long Outbox)
    {
        public long Total => Senders + Jobs + Objects + Deliveries + DeliveryObjects + Outbox;
    }

    private static async Task<JobRows> RowsAsync(SenderHost host, Guid jobId)
    {
        await using var connection = await host.Services.GetRequiredService<IDbConnectionFactory>().OpenConnectionAsync(CancellationToken.None);
        async Task<long> CountAsync(string table) => await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE job_id = @jobId", new { jobId });
        return new JobRows(await CountAsync("pacs_job_senders"), await CountAsync("pacs_jobs"), await CountAsync("pacs_job_objects"),
            await CountAsync("pacs_deliveries"), await CountAsync("pacs_delivery_objects"), await CountAsync("pacs_outbox"));
    }
}
