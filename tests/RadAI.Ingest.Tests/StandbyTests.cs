using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RadAI.Contracts;
using RadAI.Data;
using RadAI.Dicom;
using RadAI.Dicom.Network;
using RadAI.DicomIngest.Receptions;
using RadAI.Hosting;
using RadAI.Ingest.Tests.Support;
using RadAI.Testing;
using Xunit;

namespace RadAI.Ingest.Tests;

/// <summary>
/// One dicom-ingest listens per database. A second instance started beside a listening one (a rolling update, a scaling
/// mistake, two standalones on one data folder) waits on standby, leaves the first one's receptions alone (its start
/// would otherwise count their open associations as ended and complete them early: a split study), and listens once the
/// first is gone.
/// </summary>
public sealed class StandbyTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["DicomIngest:InstanceLockInterval"] = "00:00:00.200",
        // Completion by the association's release only.
        ["DicomIngest:StableTimeout"] = "01:00:00",
    };

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_second_instance_waits_on_standby_without_touching_the_study_in_progress_and_listens_once_the_first_is_gone(DatabaseProvider provider)
    {
        using var work = new TemporaryDirectory("radai-ingest-standby");
        await using var database = provider == DatabaseProvider.Postgres ? await PostgresTestDatabase.CreateAsync() : null;
        var study = await SyntheticStudy.WriteAsync(Path.Combine(work.Path, "study"), SyntheticStudy.MultiModality(ct: 4, mr: 0, dx: 0));
        InProcessIngest? first = await InProcessIngest.StartAsync(work.Path, provider, Settings, database);
        InProcessIngest? second = null;
        try
        {
            // Half the study over an association the sender keeps open.
            var contexts = new List<PresentationContextProposal> { new(1, study.Instances.First().SopClassUid, [DicomUids.ExplicitVRLittleEndian]) };
            await using var association = await DicomClient.ConnectAsync(
                new DicomClientOptions { Host = "127.0.0.1", Port = first.Port, CallingAeTitle = "MODALITY", CalledAeTitle = IngestHost.AeTitle }, contexts);
            foreach (var instance in study.Instances.Take(2))
            {
                Assert.True((await association.StoreFileAsync(instance.Path)).IsSuccess);
            }

            second = await InProcessIngest.StartAsync(work.Path, provider, Settings, database);
            Assert.Null(second.Listener.LocalEndPoint);
            var standby = await ReadinessAsync(second);
            Assert.Equal(HealthStatus.Unhealthy, standby.Status);
            Assert.Contains("on standby", standby.Description, StringComparison.Ordinal);
            Assert.Equal(HealthStatus.Healthy, (await ReadinessAsync(first)).Status);
            // The first one's association still counts: the reception is not due.
            var reception = Assert.Single(await second.Services.GetRequiredService<ReceptionRepository>().PendingAsync(CancellationToken.None));
            Assert.Equal((study.StudyInstanceUid, 1L, 2L), (reception.StudyInstanceUid, reception.OpenAssociations, reception.InstanceCount));

            foreach (var instance in study.Instances.Skip(2))
            {
                Assert.True((await association.StoreFileAsync(instance.Path)).IsSuccess);
            }

            await association.ReleaseAsync();
            var received = await first.StudyReceivedAsync(study.StudyInstanceUid);
            Assert.Equal(study.Instances.Count(), received.Series.Sum(s => s.InstanceCount));

            // The first instance stops: the second takes the lock and listens, and receives the study again as a new job.
            await first.DisposeAsync();
            first = null;
            await Eventually.UntilAsync(() => Task.FromResult(second.Listener.LocalEndPoint is not null), Deadline, "the standby instance listening");
            Assert.Equal(HealthStatus.Healthy, (await ReadinessAsync(second)).Status);
            var result = await Dcmtk.StoreAsync(second.Port, "MODALITY", [.. study.Instances.Select(i => i.Path)]);
            Assert.True(Dcmtk.StoreStatuses(result).All(s => s == 0), Dcmtk.Describe(result));
            // (The first job's StudyReceived may come again from the outbox, with its message id: consumers drop it.)
            var again = await Eventually.ValueAsync(
                () => Task.FromResult(second.Harness.Published.Select<StudyReceived>().Select(m => m.Context.Message).FirstOrDefault(m => m.JobId != received.JobId)),
                Deadline, "StudyReceived of the new job");
            Assert.Equal(study.StudyInstanceUid, again.StudyInstanceUid);
            Assert.Equal(study.Instances.Count(), again.Series.Sum(s => s.InstanceCount));
        }
        finally
        {
            if (first is not null)
            {
                await first.DisposeAsync();
            }

            if (second is not null)
            {
                await second.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task The_listening_instance_that_loses_its_PostgreSQL_session_stops_listening_and_takes_the_lock_again_when_it_can()
    {
        using var work = new TemporaryDirectory("radai-ingest-lock-lost");
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var ingest = await InProcessIngest.StartAsync(work.Path, DatabaseProvider.Postgres, Settings, database);
        Assert.NotNull(ingest.Listener.LocalEndPoint);

        // The session holding the lock ends (the server restarted, the connection broke): another instance may listen
        // now, so this one stops, then takes the lock again (nobody else wanted it) and listens again.
        Assert.Equal(1L, await database.EndAdvisoryLockSessionsAsync());

        await Eventually.UntilAsync(() => Task.FromResult(ingest.Listener.LocalEndPoint is null), Deadline, "listening stopped");
        await Eventually.UntilAsync(() => Task.FromResult(ingest.Listener.LocalEndPoint is not null), Deadline, "listening again");
        var echo = await Dcmtk.EchoAsync(ingest.Port, "MODALITY");
        Assert.True(echo.ExitCode == 0, echo.Error);
    }

    private static async Task<HealthReportEntry> ReadinessAsync(InProcessIngest ingest)
    {
        var report = await ingest.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Tags.Contains(HealthTags.Ready));
        return report.Entries["dicom-listener"];
    }
}
