using RadAI.Dicom;
using RadAI.Dicom.Network;
using RadAI.Ingest.Tests.Support;
using RadAI.Testing;
using Xunit;

namespace RadAI.Ingest.Tests;

/// <summary>One ingest process on the real PostgreSQL and RabbitMQ, with the default settings, shared by the tests of <see cref="ReceptionTests"/>.</summary>
public sealed class DefaultIngest : IngestEnvironment;

/// <summary>
/// Studies received from real senders (DCMTK's dcmsend and storescu, Orthanc): stored, indexed, and
/// announced once; one job per (sender, study, reception window); duplicates kept once.
/// </summary>
public sealed class ReceptionTests(DefaultIngest environment) : IClassFixture<DefaultIngest>
{
    [Fact]
    public async Task A_multi_series_study_sent_by_dcmsend_is_stored_indexed_and_announced_once()
    {
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("dcmsend"), SyntheticStudy.MultiModality(ct: 8, mr: 5, dx: 2));

        var sent = await Dcmtk.SendAsync(environment.Ingest.Port, "MODALITY1", study.Folder);

        Assert.True(sent.ExitCode == 0, Dcmtk.Describe(sent));
        Assert.Contains("with status SUCCESS  : 15", sent.Output + sent.Error, StringComparison.Ordinal);
        var reception = await ReceptionAssert.CompletedAndPublishedAsync(environment, study.StudyInstanceUid, "MODALITY1");
        await ReceptionAssert.StudyReceivedOnceAsync(environment, reception, study, "MODALITY1");
        // No patient name, id or birth date in what the service logged.
        ReceptionAssert.NoPatientData(environment.Ingest.Process.Output, "the ingest log");
    }

    [Fact]
    public async Task Instances_whose_header_outgrows_what_is_kept_in_memory_are_indexed_from_the_stored_file()
    {
        // 100 KB of private data before the study and series UIDs: the data set's first bytes, kept as they stream
        // through, stop inside it, so the header is read from the stored file instead.
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("long-header"),
            [new SeriesSpec("CT", DicomUids.CTImageStorage, "CHEST", "Long header", 3, PrivateBytes: 100_000)]);

        var sent = await Dcmtk.SendAsync(environment.Ingest.Port, "MODALITY4", study.Folder);

        Assert.True(sent.ExitCode == 0, Dcmtk.Describe(sent));
        var reception = await ReceptionAssert.CompletedAndPublishedAsync(environment, study.StudyInstanceUid, "MODALITY4");
        await ReceptionAssert.StudyReceivedOnceAsync(environment, reception, study, "MODALITY4");
    }

    [Fact]
    public async Task A_study_pushed_by_Orthanc_is_stored_indexed_and_announced_once()
    {
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("orthanc"), SyntheticStudy.MultiModality(ct: 5, mr: 3, dx: 1));
        using var orthanc = new OrthancClient(TestEnvironment.OrthancHttp);
        var orthancAe = TestEnvironment.OrthancDicomEndpoint.AeTitle;
        var modality = $"radai-{Guid.NewGuid():N}";
        string? orthancStudy = null;
        try
        {
            foreach (var instance in study.Instances)
            {
                orthancStudy = await orthanc.UploadAsync(instance.Path);
            }

            await orthanc.PutModalityAsync(modality, IngestHost.AeTitle, "127.0.0.1", environment.Ingest.Port);

            var answer = await orthanc.StoreToModalityAsync(modality, orthancStudy!);

            Assert.Equal(study.InstanceCount, answer.GetProperty("InstancesCount").GetInt32());
            Assert.Equal(0, answer.GetProperty("FailedInstancesCount").GetInt32());
            var reception = await ReceptionAssert.CompletedAndPublishedAsync(environment, study.StudyInstanceUid, orthancAe);
            await ReceptionAssert.StudyReceivedOnceAsync(environment, reception, study, orthancAe);
        }
        finally
        {
            await orthanc.DeleteModalityAsync(modality);
            if (orthancStudy is not null)
            {
                await orthanc.DeleteStudyAsync(orthancStudy);
            }
        }
    }

    [Fact]
    public async Task The_same_study_from_two_senders_makes_two_jobs()
    {
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("two-senders"), SyntheticStudy.MultiModality(ct: 3, mr: 2, dx: 1));

        // Both at once: two associations carrying the same study UID in parallel.
        var sends = await Task.WhenAll(Dcmtk.SendAsync(environment.Ingest.Port, "PACS-NORTH", study.Folder), Dcmtk.SendAsync(environment.Ingest.Port, "PACS-SOUTH", study.Folder));

        Assert.All(sends, s => Assert.True(s.ExitCode == 0, Dcmtk.Describe(s)));
        var north = await ReceptionAssert.CompletedAndPublishedAsync(environment, study.StudyInstanceUid, "PACS-NORTH");
        var south = await ReceptionAssert.CompletedAndPublishedAsync(environment, study.StudyInstanceUid, "PACS-SOUTH");
        Assert.NotEqual(north.JobId, south.JobId);
        Assert.Equal(2, (await environment.Index.ReceptionsAsync(study.StudyInstanceUid)).Count);
        await ReceptionAssert.StudyReceivedOnceAsync(environment, north, study, "PACS-NORTH");
        await ReceptionAssert.StudyReceivedOnceAsync(environment, south, study, "PACS-SOUTH");
        Assert.Equal(2, environment.Recorder.ForStudy(study.StudyInstanceUid).Count);
    }

    [Fact]
    public async Task A_study_sent_again_after_completion_is_a_new_job()
    {
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("resend"), SyntheticStudy.MultiModality(ct: 3, mr: 2, dx: 1));
        Assert.Equal(0, (await Dcmtk.SendAsync(environment.Ingest.Port, "PACS-AGAIN", study.Folder)).ExitCode);
        var first = await ReceptionAssert.CompletedAndPublishedAsync(environment, study.StudyInstanceUid, "PACS-AGAIN");

        var again = await Dcmtk.SendAsync(environment.Ingest.Port, "PACS-AGAIN", study.Folder);

        Assert.True(again.ExitCode == 0, Dcmtk.Describe(again));
        ReceptionRow? second = null;
        await Eventually.UntilAsync(async () =>
        {
            second = (await environment.Index.ReceptionsAsync(study.StudyInstanceUid)).SingleOrDefault(r => r.JobId != first.JobId && r.Status == "complete");
            return second is not null && (await environment.Index.OutboxAsync(second.JobId)).Any(o => o.Published) && environment.Recorder.ForJob(second.JobId).Count > 0;
        }, TimeSpan.FromSeconds(60), "a second job for the re-sent study");
        await ReceptionAssert.StudyReceivedOnceAsync(environment, first, study, "PACS-AGAIN");
        await ReceptionAssert.StudyReceivedOnceAsync(environment, second!, study, "PACS-AGAIN");
        Assert.Equal(2, environment.Recorder.ForStudy(study.StudyInstanceUid).Count);
    }

    [Fact]
    public async Task An_instance_sent_twice_in_one_association_is_stored_once_counted_and_answered_success()
    {
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("duplicate"), [new("CT", RadAI.Dicom.DicomUids.CTImageStorage, "ABDOMEN", "Venous", 3)]);
        var files = study.Instances.Select(i => i.Path).ToList();

        var stored = await Dcmtk.StoreAsync(environment.Ingest.Port, "PACS-DUP", [files[0], files[1], files[0], files[2], files[0]]);

        Assert.True(stored.ExitCode == 0, Dcmtk.Describe(stored));
        Assert.Equal([0, 0, 0, 0, 0], Dcmtk.StoreStatuses(stored));
        var reception = await ReceptionAssert.CompletedAndPublishedAsync(environment, study.StudyInstanceUid, "PACS-DUP");
        await ReceptionAssert.StudyReceivedOnceAsync(environment, reception, study, "PACS-DUP", duplicates: 2);
    }

    [Fact]
    public async Task A_study_carried_by_two_associations_completes_only_when_both_are_released()
    {
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("two-associations"), SyntheticStudy.MultiModality(ct: 4, mr: 3, dx: 0));
        var control = await SyntheticStudy.WriteAsync(environment.NewFolder("control"), SyntheticStudy.MultiModality(ct: 1, mr: 0, dx: 0));
        await using var first = await DicomClient.ConnectAsync(
            new DicomClientOptions { Host = "127.0.0.1", Port = environment.Ingest.Port, CallingAeTitle = "PACS-MULTI", CalledAeTitle = IngestHost.AeTitle },
            [new PresentationContextProposal(1, DicomUids.CTImageStorage, [DicomUids.ExplicitVRLittleEndian])]);
        foreach (var instance in study.Series[0].Instances)
        {
            Assert.True((await first.StoreFileAsync(instance.Path)).IsSuccess);
        }

        // A second association carries the MR series and is released while the first stays open; then a
        // control study from another sender is released too, after it.
        Assert.Equal(0, (await Dcmtk.SendAsync(environment.Ingest.Port, "PACS-MULTI", Path.GetDirectoryName(study.Series[1].Instances[0].Path)!)).ExitCode);
        Assert.Equal(0, (await Dcmtk.SendAsync(environment.Ingest.Port, "PACS-CONTROL", control.Folder)).ExitCode);

        // The control study completed after its release and grace period: the study whose first association
        // is still open, released earlier, did not.
        await ReceptionAssert.CompletedAndPublishedAsync(environment, control.StudyInstanceUid, "PACS-CONTROL");
        var pending = Assert.Single(await environment.Index.ReceptionsAsync(study.StudyInstanceUid));
        Assert.Equal(("receiving", 1L, (long)study.InstanceCount), (pending.Status, pending.OpenAssociations, pending.InstanceCount));
        Assert.Empty(environment.Recorder.ForStudy(study.StudyInstanceUid));

        await first.ReleaseAsync();

        var reception = await ReceptionAssert.CompletedAndPublishedAsync(environment, study.StudyInstanceUid, "PACS-MULTI");
        Assert.Equal(pending.JobId, reception.JobId);
        await ReceptionAssert.StudyReceivedOnceAsync(environment, reception, study, "PACS-MULTI");
    }
}
