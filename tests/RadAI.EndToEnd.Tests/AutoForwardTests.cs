using RadAI.Testing;
using Xunit;

namespace RadAI.EndToEnd.Tests;

/// <summary>
/// The demo PACS of docker-compose (deploy/orthanc: the shared configuration and the auto-forward script) in front of
/// the five services: a study uploaded to it reaches RadAI with no REST push, as a hospital's routing rule would send it.
/// </summary>
[Collection(HospitalCollection.Name)]
public sealed class AutoForwardTests(HospitalFixture hospital)
{
    [Fact]
    public Task A_study_uploaded_to_the_demo_PACS_reaches_RadAI_through_its_auto_forward_script_once() => hospital.RunAsync(async () =>
    {
        // Too few slices for any package: the job ends quickly (skipped), which is all this test needs.
        var study = await SyntheticCtStudy.WriteAsync(hospital.WorkFolder("auto-forward"), slices: 6, size: 64);
        // The hospital's AE title: the services accept only the senders they know (a second Orthanc of the same PACS).
        await using var pacs = new PrivateOrthanc(hospital.Pacs.AeTitle, autoForward: true);
        await pacs.AddModalityAsync(HospitalFixture.RadaiModality, "RADAI", "127.0.0.1", hospital.Cluster.DicomPort);
        await pacs.StartAsync();

        try
        {
            // Uploaded only: nothing asks Orthanc to send it (the other tests push through REST).
            await pacs.Client.UploadStudyAsync(study.Folder);

            var job = await hospital.Cluster.WaitUntilEndedAsync(study.StudyInstanceUid, HospitalFixture.JobTimeout);
            Assert.Equal(hospital.Pacs.AeTitle, job.GetProperty("sendingAe").GetString());
            Assert.Equal("skipped", job.GetProperty("status").GetString());
            Assert.Single(await hospital.Cluster.JobsOfStudyAsync(study.StudyInstanceUid));
            Assert.Contains("RadAI auto-forward: study", pacs.Output, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidOperationException($"{e.Message}\n--- auto-forwarding Orthanc:\n{string.Join('\n', pacs.Output.Split('\n').TakeLast(15))}", e);
        }
    });
}
