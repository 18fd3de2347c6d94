using RadAI.Dicom;
using RadAI.Dicom.Network;
using RadAI.Ingest.Tests.Support;
using Xunit;

namespace RadAI.Ingest.Tests;

/// <summary>Completion by the sender's stable timeout: no instance for that long completes the study, its association still open.</summary>
public sealed class StableTimeoutTests(LimitedIngest environment) : IClassFixture<LimitedIngest>
{
    [Fact]
    public async Task A_study_completes_after_the_senders_stable_timeout_while_its_association_stays_open()
    {
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("stable"), SyntheticStudy.MultiModality(ct: 3, mr: 0, dx: 0));
        await using var client = await DicomClient.ConnectAsync(
            new DicomClientOptions { Host = "127.0.0.1", Port = environment.Ingest.Port, CallingAeTitle = "MODALITY-OPEN", CalledAeTitle = IngestHost.AeTitle },
            [new PresentationContextProposal(1, DicomUids.CTImageStorage, [DicomUids.ExplicitVRLittleEndian])]);
        foreach (var instance in study.Instances)
        {
            Assert.True((await client.StoreFileAsync(instance.Path)).IsSuccess);
        }

        var reception = await ReceptionAssert.CompletedAndPublishedAsync(environment, study.StudyInstanceUid, "MODALITY-OPEN", TimeSpan.FromSeconds(30));

        Assert.Equal(3_000, reception.StableTimeoutMs);
        Assert.Equal(1, reception.OpenAssociations);
        await ReceptionAssert.StudyReceivedOnceAsync(environment, reception, study, "MODALITY-OPEN");
        await environment.Ingest.Process.WaitForLineAsync(l => l.Contains($"Job {reception.JobId}", StringComparison.Ordinal) && l.Contains("stable timeout", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the completion by stable timeout in the log");
        await client.ReleaseAsync();
    }
}
