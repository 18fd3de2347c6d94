using RadAI.Contracts;
using RadAI.Testing;
using Xunit;

namespace RadAI.Ingest.Tests.Support;

/// <summary>The acceptance checks of one received study: the index, the files and the one StudyReceived.</summary>
public static class ReceptionAssert
{
    /// <summary>Waits until the job of (sender, study) is complete and its event published and seen; returns the reception.</summary>
    public static async Task<ReceptionRow> CompletedAndPublishedAsync(IngestEnvironment environment, string studyInstanceUid, string sendingAe, TimeSpan? timeout = null)
    {
        ReceptionRow? reception = null;
        await Eventually.UntilAsync(async () =>
        {
            reception = (await environment.Index.ReceptionsAsync(studyInstanceUid)).SingleOrDefault(r => r.SendingAe == sendingAe && r.Status == "complete");
            return reception is not null
                && (await environment.Index.OutboxAsync(reception.JobId)).Any(o => o.Published)
                && environment.Recorder.ForJob(reception.JobId).Count > 0;
        }, timeout ?? TimeSpan.FromSeconds(60), $"the job of {sendingAe} for study {studyInstanceUid} to be complete, published and consumed");
        return reception!;
    }

    /// <summary>
    /// Asserts what the service must have done for a study it received completely: the index rows, the
    /// files (dataset-equal to what was sent), exactly one outbox row, published, and exactly one
    /// StudyReceived seen by the consumer, with the right series and counts.
    /// </summary>
    public static async Task<StudyReceived> StudyReceivedOnceAsync(
        IngestEnvironment environment, ReceptionRow reception, SyntheticStudy study, string sendingAe, string routingProfile = "default", long duplicates = 0)
    {
        var index = environment.Index;
        var instancesRoot = environment.Ingest.InstancesRoot;

        // The reception.
        Assert.Equal(sendingAe, reception.SendingAe);
        Assert.Equal(IngestHost.AeTitle, reception.CalledAe);
        Assert.Equal(routingProfile, reception.RoutingProfile);
        Assert.Equal("complete", reception.Status);
        Assert.Equal(study.InstanceCount, reception.InstanceCount);
        Assert.Equal(duplicates, reception.DuplicateCount);
        Assert.Equal($"{study.StudyInstanceUid}/{reception.JobId:N}", reception.StoreKey);

        // The instances: one row and one file each, dataset-equal to what was sent.
        var instances = await index.InstancesAsync(reception.JobId);
        Assert.Equal(study.Instances.Select(i => i.SopInstanceUid).Order(StringComparer.Ordinal), instances.Select(i => i.SopInstanceUid));
        var jobFolder = Path.Combine(instancesRoot, study.StudyInstanceUid, reception.JobId.ToString("N"));
        var files = Dcmtk.FilesBelow(jobFolder);
        Assert.Equal(study.InstanceCount, files.Count);
        foreach (var sent in study.Instances)
        {
            var row = Assert.Single(instances, i => i.SopInstanceUid == sent.SopInstanceUid);
            var path = Path.Combine(jobFolder, sent.SeriesInstanceUid, sent.SopInstanceUid + ".dcm");
            Assert.True(File.Exists(path), $"{path} is missing");
            Assert.Equal($"{reception.StoreKey}/{sent.SeriesInstanceUid}/{sent.SopInstanceUid}.dcm", row.StoreKey);
            Assert.Equal(sent.SeriesInstanceUid, row.SeriesInstanceUid);
            Assert.Equal(sent.SopClassUid, row.SopClassUid);
            Assert.Equal(new FileInfo(path).Length, row.SizeBytes);
            await Dcmtk.AssertSameDatasetAsync(sent.Path, path);
        }

        Assert.Equal(instances.Sum(i => i.SizeBytes), reception.TotalBytes);

        // The series.
        var series = await index.SeriesAsync(reception.JobId);
        Assert.Equal(study.Series.Select(s => s.SeriesInstanceUid).Order(StringComparer.Ordinal), series.Select(s => s.SeriesInstanceUid));
        foreach (var sent in study.Series)
        {
            var row = Assert.Single(series, s => s.SeriesInstanceUid == sent.SeriesInstanceUid);
            Assert.Equal(sent.Spec.Modality, row.Modality);
            Assert.Equal(sent.Spec.BodyPart, row.BodyPartExamined);
            Assert.Equal(sent.Spec.Description, row.SeriesDescription);
            Assert.Equal(sent.Spec.SopClassUid, row.SopClassUid);
            Assert.Equal(sent.Instances.Count, row.InstanceCount);
            Assert.Equal(instances.Where(i => i.SeriesInstanceUid == sent.SeriesInstanceUid).Sum(i => i.SizeBytes), row.TotalBytes);
        }

        // Exactly one event: one outbox row, published, and one delivery to the consumer.
        var outbox = Assert.Single(await index.OutboxAsync(reception.JobId));
        Assert.True(outbox.Published);
        Assert.Equal(nameof(StudyReceived), outbox.MessageType);
        var delivery = Assert.Single(environment.Recorder.ForJob(reception.JobId));
        Assert.Equal(outbox.MessageId, delivery.MessageId);
        Assert.Single(environment.Recorder.ForStudy(study.StudyInstanceUid), e => e.Message.SendingAeTitle == sendingAe && e.Message.JobId == reception.JobId);

        var received = delivery.Message;
        Assert.Equal(reception.JobId, received.JobId);
        Assert.Equal(reception.JobId, received.CorrelationId);
        Assert.Equal(study.StudyInstanceUid, received.StudyInstanceUid);
        Assert.Equal(sendingAe, received.SendingAeTitle);
        Assert.Equal(IngestHost.AeTitle, received.CalledAeTitle);
        Assert.Equal(routingProfile, received.RoutingProfile);
        Assert.Equal(new StorageReference("instances", reception.StoreKey), received.Location);
        Assert.Equal(study.Series.Count, received.Series.Count);
        foreach (var sent in study.Series)
        {
            var announced = Assert.Single(received.Series, s => s.SeriesInstanceUid == sent.SeriesInstanceUid);
            var row = series.Single(s => s.SeriesInstanceUid == sent.SeriesInstanceUid);
            Assert.Equal(sent.Spec.Modality, announced.Modality);
            Assert.Equal(sent.Spec.SopClassUid, announced.SopClassUid);
            Assert.Equal(sent.Instances.Count, announced.InstanceCount);
            Assert.Equal(row.TotalBytes, announced.TotalBytes);
            Assert.Equal(sent.Spec.BodyPart, announced.BodyPartExamined);
            Assert.Equal(sent.Spec.Description, announced.SeriesDescription);
            Assert.Equal(new StorageReference("instances", $"{reception.StoreKey}/{sent.SeriesInstanceUid}"), announced.Location);
            // The reference resolves to the folder holding the series' files.
            Assert.Equal(sent.Instances.Count, Directory.GetFiles(Path.Combine(instancesRoot, announced.Location.Key)).Length);
        }

        // No patient data in the event.
        NoPatientData(System.Text.Json.JsonSerializer.Serialize(received), "the StudyReceived event");
        NoPatientData(outbox.Payload, "the outbox payload");
        return received;
    }

    /// <summary>Asserts that none of the synthetic patient's identifiers appears in a text (logs, events).</summary>
    public static void NoPatientData(string text, string where)
    {
        foreach (var identifier in new[] { SyntheticStudy.PatientName, "ZZTESTPATIENT", SyntheticStudy.PatientId, SyntheticStudy.PatientBirthDate })
        {
            Assert.False(text.Contains(identifier, StringComparison.OrdinalIgnoreCase), $"{where} contains patient data ({identifier}).");
        }
    }
}
