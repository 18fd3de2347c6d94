using System.Globalization;
using RadAI.ReportBuilder.Tests.Support;
using RadAI.Testing;
using Xunit;

namespace RadAI.ReportBuilder.Tests.EndToEnd;

/// <summary>
/// The hospital's path through the standalone host, with the real PACS stand-in (Orthanc, started by scripts/test.sh):
/// a study uploaded to Orthanc is pushed by Orthanc itself (REST <c>/modalities/radai/store</c>) to one standalone host
/// (<c>--pacs ORTHANC@...</c>: Orthanc is both an accepted sender and where reports go), which analyses it and stores
/// SR, SEG and encapsulated PDF back into the same Orthanc study; Orthanc's copies pass dciodvfy.
/// </summary>
public sealed class OrthancRoundTripTests
{
    /// <summary>Analysis, report and delivery of the synthetic CT on two busy cores, with room to spare.</summary>
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(6);

    /// <summary>The id of RadAI in Orthanc's modalities, unique per run: the test Orthanc is shared by other tests.</summary>
    private readonly string _modality = "radai-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_study_orthanc_sends_comes_back_into_the_same_orthanc_study_as_sr_seg_and_pdf()
    {
        var (orthancAet, _, orthancPort) = TestEnvironment.OrthancDicomEndpoint;
        using var orthanc = new OrthancClient(TestEnvironment.OrthancHttp);
        using var work = new TemporaryDirectory("radai-orthanc-round-trip");

        var written = SampleStudies.SyntheticCtAsync(Path.Combine(work.Path, "synth-ct"));
        await using var host = await StandaloneHost.StartAsync(Path.Combine(work.Path, "data"),
            "--pacs", $"{orthancAet}@127.0.0.1:{orthancPort.ToString(CultureInfo.InvariantCulture)}");
        var study = await written;

        string? orthancStudy = null;
        try
        {
            // The study in the PACS, and RadAI a modality of it.
            orthancStudy = await orthanc.UploadStudyAsync(study.Folder);
            var sourceSeries = Assert.Single(await orthanc.SeriesAsync(orthancStudy));
            Assert.Equal("CT", sourceSeries.Modality);
            await orthanc.PutModalityAsync(_modality, "RADAI", "127.0.0.1", host.DicomPort);

            // Orthanc pushes the study to RadAI (C-STORE, calling AE title ORTHANC: a sender --pacs accepts).
            await orthanc.StoreToModalityAsync(_modality, orthancStudy);

            // The job ends delivered: reported and stored back into Orthanc.
            var job = await host.WaitUntilEndedAsync(study.StudyInstanceUid, JobTimeout);
            var status = job.GetProperty("status").GetString();
            if (status != "delivered")
            {
                Assert.Fail($"{study}: the job ended '{status}', not delivered:\n{await host.LastEventAsync(job.GetProperty("jobId").GetGuid())}");
            }

            // Orthanc holds SR, SEG and the encapsulated PDF (DOC) in the very study it sent, and each of its copies
            // of the new objects passes dciodvfy.
            await OrthancReportChecks.AssertReportInStudyAsync(orthanc, orthancStudy, study.StudyInstanceUid, [sourceSeries.Id], work.Path, TimeSpan.FromSeconds(30));

            // The synthetic patient never reaches the log.
            var output = host.Process.Output;
            foreach (var identifier in study.PatientIdentifiers)
            {
                Assert.DoesNotContain(identifier, output, StringComparison.Ordinal);
            }
        }
        finally
        {
            if (orthancStudy is not null)
            {
                await orthanc.DeleteStudyAsync(orthancStudy);
            }

            await orthanc.DeleteModalityAsync(_modality);
        }
    }
}
