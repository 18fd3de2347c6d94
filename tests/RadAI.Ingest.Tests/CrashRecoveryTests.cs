using RadAI.Dicom;
using RadAI.Dicom.Network;
using RadAI.Ingest.Tests.Support;
using RadAI.Testing;
using Xunit;

namespace RadAI.Ingest.Tests;

/// <summary>
/// The ingest process killed (SIGKILL) in the middle of a study, and between completion and publication:
/// after a restart on the same database, store, vhost and port nothing is lost and StudyReceived is
/// published once (a re-publication carries the same message id, the consumers' dedup key).
/// </summary>
public sealed class CrashRecoveryTests : IAsyncLifetime, IDisposable
{
    private readonly IngestEnvironment _environment = new();

    public Task InitializeAsync() => _environment.InitializeAsync();

    public Task DisposeAsync() => _environment.DisposeAsync();

    public void Dispose() => _environment.Dispose();

    [Fact]
    public async Task Killed_in_the_middle_of_a_study_the_job_resumes_after_restart_and_completes_with_every_instance_once()
    {
        const string sender = "PACS-CRASH";
        var environment = _environment;
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("crash"), SyntheticStudy.MultiModality(ct: 8, mr: 6, dx: 2));
        var firstHalf = study.Series[0].Instances;

        // The first half over an association that is still open when the process dies.
        var client = await DicomClient.ConnectAsync(
            new DicomClientOptions { Host = "127.0.0.1", Port = environment.Ingest.Port, CallingAeTitle = sender, CalledAeTitle = IngestHost.AeTitle },
            [new PresentationContextProposal(1, DicomUids.CTImageStorage, [DicomUids.ExplicitVRLittleEndian])]);
        try
        {
            foreach (var instance in firstHalf)
            {
                var response = await client.StoreFileAsync(instance.Path);
                Assert.True(response.IsSuccess, response.ToString());
            }

            var before = Assert.Single(await environment.Index.ReceptionsAsync(study.StudyInstanceUid));
            Assert.Equal(("receiving", firstHalf.Count, 1L), (before.Status, (int)before.InstanceCount, before.OpenAssociations));

            await environment.Ingest.KillAsync();
        }
        finally
        {
            await client.AbortAsync();
            await client.DisposeAsync();
        }

        // Nothing completed or published by the dead process; what it acknowledged is on disk.
        var pending = Assert.Single(await environment.Index.ReceptionsAsync(study.StudyInstanceUid));
        Assert.Equal("receiving", pending.Status);
        Assert.Empty(await environment.Index.OutboxAsync(pending.JobId));
        Assert.Equal(firstHalf.Count, Dcmtk.FilesBelow(Path.Combine(environment.Ingest.InstancesRoot, study.StudyInstanceUid)).Count);

        environment.Ingest = await environment.Ingest.RestartAsync();
        // The PACS sends the whole study again: the first half a second time, then the rest.
        var resent = await Dcmtk.SendAsync(environment.Ingest.Port, sender, study.Folder);

        Assert.True(resent.ExitCode == 0, Dcmtk.Describe(resent));
        var reception = await ReceptionAssert.CompletedAndPublishedAsync(environment, study.StudyInstanceUid, sender);
        Assert.Equal(pending.JobId, reception.JobId);
        await ReceptionAssert.StudyReceivedOnceAsync(environment, reception, study, sender, duplicates: firstHalf.Count);
        Assert.Single(await environment.Index.ReceptionsAsync(study.StudyInstanceUid));
        Assert.Empty(Dcmtk.FilesBelow(Path.Combine(environment.Ingest.InstancesRoot, ".incoming")));
    }

    [Fact]
    public async Task Index_rows_lost_to_a_power_cut_are_indexed_again_from_the_stored_files_before_the_study_is_announced()
    {
        const string sender = "PACS-LOSTROWS";
        var environment = _environment;
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("lost-rows"), SyntheticStudy.MultiModality(ct: 4, mr: 3, dx: 1));

        // Every instance acknowledged over an association still open when the process dies (so nothing completes).
        var (options, contexts) = await environment.StoreEveryInstanceThenKillAsync(study, sender);

        // The index commits of the last instances are not flushed before their answers (their files are): a power cut
        // can take them. Here: the whole MR series and one CT instance, as if those commits never reached the disk.
        var pending = Assert.Single(await environment.Index.ReceptionsAsync(study.StudyInstanceUid));
        var lost = study.Series[1].Instances.Select(i => i.SopInstanceUid).Append(study.Series[0].Instances[^1].SopInstanceUid).ToList();
        await environment.Index.ForgetInstancesAsync(pending.JobId, lost);
        Assert.Equal(study.InstanceCount - lost.Count, Assert.Single(await environment.Index.ReceptionsAsync(study.StudyInstanceUid)).InstanceCount);

        // After the restart the PACS sends one instance again (one whose row survived) and releases: the study completes
        // with every instance acknowledged, the lost rows rebuilt from the files (series, modality, sizes...).
        await environment.RestartAndStoreAgainAsync(options, contexts, study.Series[0].Instances[0].Path);

        var reception = await ReceptionAssert.CompletedAndPublishedAsync(environment, study.StudyInstanceUid, sender);
        Assert.Equal(pending.JobId, reception.JobId);
        await ReceptionAssert.StudyReceivedOnceAsync(environment, reception, study, sender, duplicates: 1);
        Assert.Contains("\"EventId\":4204", environment.Ingest.Process.Output, StringComparison.Ordinal);
        ReceptionAssert.NoPatientData(environment.Ingest.Process.Output, "the ingest log");
    }

    [Fact]
    public async Task Killed_after_completion_before_publication_the_event_is_published_once_after_restart_with_the_job_id_as_message_id()
    {
        const string sender = "PACS-OUTBOX";
        var environment = _environment;
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("outbox"), SyntheticStudy.MultiModality(ct: 3, mr: 2, dx: 1));

        // Cut the ingest process off the broker: no new connection on the vhost, its own closed.
        await environment.Broker.SetMaxConnectionsAsync(0);
        await Eventually.UntilAsync(async () => await environment.Broker.CloseConnectionsAsync("dicom-ingest") > 0,
            TimeSpan.FromSeconds(30), "the ingest's broker connection to be closed");
        Assert.True((await Dcmtk.SendAsync(environment.Ingest.Port, sender, study.Folder)).ExitCode == 0);

        // Complete in the database, its event in the outbox, not published.
        var complete = await Eventually.ValueAsync(async () =>
            (await environment.Index.ReceptionsAsync(study.StudyInstanceUid)).SingleOrDefault(r => r.Status == "complete"),
            TimeSpan.FromSeconds(60), "the study to be complete");
        var waiting = Assert.Single(await environment.Index.OutboxAsync(complete.JobId));
        Assert.False(waiting.Published);
        await environment.Ingest.KillAsync();
        Assert.Empty(environment.Recorder.ForStudy(study.StudyInstanceUid));
        Assert.False(Assert.Single(await environment.Index.OutboxAsync(complete.JobId)).Published);

        await environment.Broker.SetMaxConnectionsAsync(null);
        environment.Ingest = await environment.Ingest.RestartAsync();

        var reception = await ReceptionAssert.CompletedAndPublishedAsync(environment, study.StudyInstanceUid, sender);
        var received = await ReceptionAssert.StudyReceivedOnceAsync(environment, reception, study, sender);
        var first = Assert.Single(environment.Recorder.ForJob(reception.JobId));
        Assert.Equal(reception.JobId, first.MessageId);
        Assert.Equal(waiting.MessageId, first.MessageId);

        // A crash between publishing and marking it published: the event goes again, with the same message id.
        await environment.Index.MarkUnpublishedAsync(waiting.MessageId);
        await Eventually.UntilAsync(() => Task.FromResult(environment.Recorder.ForJob(reception.JobId).Count == 2),
            TimeSpan.FromSeconds(30), "the event to be published again");
        var deliveries = environment.Recorder.ForJob(reception.JobId);
        Assert.All(deliveries, d => Assert.Equal(reception.JobId, d.MessageId));
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(received), System.Text.Json.JsonSerializer.Serialize(deliveries[1].Message));
        Assert.Single(deliveries.Select(d => d.MessageId).Distinct());
    }
}
