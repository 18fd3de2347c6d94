using System.Text.Json;
using RadAI.Testing;
using Xunit;

namespace RadAI.EndToEnd.Tests;

/// <summary>
/// The hospital's path through the five services as separate processes: a study uploaded to Orthanc is pushed by
/// Orthanc (REST <c>/modalities/radai/store</c>) to dicom-ingest; inference, report-builder and pacs-sender follow
/// over RabbitMQ; the report objects come back into the same Orthanc study; the api shows the job.
/// </summary>
[Collection(HospitalCollection.Name)]
public sealed class PacsRoundTripTests(HospitalFixture hospital)
{
    /// <summary>pydicom's own test files (python3-pydicom).</summary>
    private const string PydicomTestFiles = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

    /// <summary>The Python that has pydicom.</summary>
    private const string Python = "/usr/bin/python3";

    private PipelineCluster Cluster => hospital.Cluster;

    [Fact]
    public Task A_synthetic_ct_orthanc_sends_comes_back_into_the_same_orthanc_study_as_sr_seg_and_pdf() => hospital.RunAsync(async () =>
    {
        // The fixture's CT (also read through the gateway by GatewayTlsTests): sent once, followed to its end.
        var (ct, orthancStudy, sourceSeries, job) = await hospital.DeliveredCtAsync();
        var jobId = job.GetProperty("jobId").GetGuid();
        Assert.True(job.GetProperty("status").GetString() == "delivered",
            $"The job ended '{job.GetProperty("status")}', not delivered. Timeline: {(await Cluster.JobDetailAsync(jobId)).GetProperty("timeline")}");
        Assert.Equal(hospital.Pacs.AeTitle, job.GetProperty("sendingAe").GetString());

        var series = await OrthancReportChecks.AssertReportInStudyAsync(
            hospital.Pacs.Client, orthancStudy, ct.StudyInstanceUid, sourceSeries, hospital.WorkFolder("round-trip-ct-orthanc"), TimeSpan.FromSeconds(30));
        Assert.Equal(ct.Slices, Assert.Single(series, s => s.Modality == "CT").Instances.Count);

        // The api's timeline: each step once, in order, delivered once.
        Assert.Equal(["StudyReceived", "AnalysisDone", "ReportReady", "ReportDelivered"], await Cluster.TimelineAsync(jobId));

        hospital.AssertNoPatientIdentifierLogged(SyntheticCtStudy.PatientIdentifiers);
    });

    /// <summary>
    /// pydicom's CT_small and MR_small (one slice each): no default package applies to either (the lung package needs
    /// 40 CT slices, the nodule package 20; the brain package a T1 series description and 100 slices). The designed
    /// outcome: the job of each ends "skipped" in the api with the reason and each package's decision, nothing is
    /// reported, and Orthanc's study stays as it was.
    /// </summary>
    [Theory]
    [InlineData("CT_small.dcm", new[] { "radai.ct.lung-quant: 1 slices, fewer than 40", "radai.ct.nodule-demo: 1 slices, fewer than 20", "radai.mr.brain-icv: modality CT not in [MR]" })]
    [InlineData("MR_small.dcm", new[] { "radai.ct.lung-quant: modality MR not in [CT]", "radai.mr.brain-icv: series description '' does not match (?i)(t1|mprage|spgr|bravo|tfe|tfl)" })]
    public Task A_pydicom_test_file_orthanc_sends_is_skipped_with_each_package_s_reason_and_nothing_is_reported(string file, string[] decisions) => hospital.RunAsync(async () =>
    {
        var folder = hospital.WorkFolder("pydicom-" + Path.GetFileNameWithoutExtension(file));
        var path = Path.Combine(folder, file);
        File.Copy(Path.Combine(PydicomTestFiles, file), path);
        var studyUid = (await ExternalTool.RunAsync(Python, "-c", "import sys, pydicom; print(pydicom.dcmread(sys.argv[1]).StudyInstanceUID)", path))
            .EnsureSuccess("pydicom").Output.Trim();
        var (orthancStudy, sourceSeries) = await hospital.SendThroughPacsAsync(folder);

        var job = await Cluster.WaitUntilEndedAsync(studyUid, HospitalFixture.JobTimeout);
        Assert.Equal("skipped", job.GetProperty("status").GetString());
        var detail = await Cluster.JobDetailAsync(job.GetProperty("jobId").GetGuid());
        var timeline = detail.GetProperty("timeline").EnumerateArray().ToList();
        Assert.Equal(["StudyReceived", "StudySkipped"], timeline.Select(e => e.GetProperty("eventType").GetString()));
        using var skipped = JsonDocument.Parse(timeline[1].GetProperty("payload").GetString()!);
        Assert.Equal("No model package applies to the 1 series of the study.", skipped.RootElement.GetProperty("reason").GetString());
        var packageDecisions = skipped.RootElement.GetProperty("decisions").EnumerateArray().ToList();
        Assert.Equal(5, packageDecisions.Count);
        Assert.All(packageDecisions, d => Assert.False(d.GetProperty("selected").GetBoolean()));
        var reasons = packageDecisions.Select(d => $"{d.GetProperty("modelId").GetString()}: {d.GetProperty("reason").GetString()}").ToList();
        foreach (var decision in decisions)
        {
            Assert.Contains(decision, reasons);
        }

        // Nothing was reported: the study in Orthanc is still the one series (one instance) it sent.
        var series = await hospital.Pacs.Client.SeriesAsync(orthancStudy);
        Assert.Equal(sourceSeries, series.Select(s => s.Id));
        Assert.Single(Assert.Single(series).Instances);

        // Patient's Name CompressedSamples^CT1 or ^MR1, Patient ID 1CT1 or 4MR1 (CT_small also names 2 other patient IDs).
        hospital.AssertNoPatientIdentifierLogged(["CompressedSamples", "1CT1", "4MR1", "ABCD1234", "1234ABCD"]);
    });
}
