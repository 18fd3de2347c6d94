using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using RadAI.Ingest.Tests.Support;
using RadAI.Testing;
using Xunit;

namespace RadAI.Ingest.Tests;

/// <summary>The same reception in the standalone host (SQLite, in-memory bus): sent with <c>radai send</c>, seen through the gateway's API.</summary>
public sealed partial class StandaloneTests
{
    [Fact]
    public async Task A_study_sent_with_radai_send_to_the_standalone_host_becomes_a_job()
    {
        using var work = new TemporaryDirectory("radai-ingest-standalone");
        var data = Path.Combine(work.Path, "data");
        var study = await SyntheticStudy.WriteAsync(Path.Combine(work.Path, "study"), SyntheticStudy.MultiModality(ct: 4, mr: 3, dx: 1));
        var environment = new Dictionary<string, string?>
        {
            ["DicomIngest__BindAddress"] = "127.0.0.1",
            ["DicomIngest__StableTimeout"] = "00:01:00",
            ["DicomIngest__ReleaseGracePeriod"] = "00:00:00.300",
            ["DicomIngest__CompletionPollInterval"] = "00:00:00.100",
            ["DicomIngest__InstanceLockInterval"] = "00:00:00.500",
            ["Api__Security__InitialAdminPasswordFile"] = ApiAccess.WriteAdminPasswordFile(Path.Combine(work.Path, "secrets")),
        };
        var process = ServiceProcess.StartDll(RepositoryPaths.SiblingBuiltAssembly("RadAI.Standalone"), environment, "--dicom-port", "0", "--http-port", "0", "--data", data);
        await using var _ = process;
        var web = Web().Match(await process.WaitForLineAsync(l => Web().IsMatch(l), TimeSpan.FromSeconds(90), "the web address")).Groups["url"].Value;
        var port = int.Parse(Dicom().Match(await process.WaitForLineAsync(l => Dicom().IsMatch(l), TimeSpan.FromSeconds(30), "the DICOM port")).Groups["port"].Value, CultureInfo.InvariantCulture);
        using var http = new HttpClient { BaseAddress = new Uri(web), Timeout = TimeSpan.FromSeconds(30) };
        await ApiAccess.SignInAsync(http);

        var sent = await ExternalTool.RunAsync("dotnet", [RepositoryPaths.SiblingBuiltAssembly("RadAI.Cli", "radai"), "send", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture),
            study.Folder, "--aec", IngestHost.AeTitle, "--aet", "STANDALONE-PACS"]);

        Assert.True(sent.ExitCode == 0, Dcmtk.Describe(sent));
        var job = await Eventually.ValueAsync(async () =>
        {
            var jobs = await http.GetFromJsonAsync<JsonElement>(new Uri("/api/jobs", UriKind.Relative));
            return jobs.EnumerateArray().Where(j => j.GetProperty("studyInstanceUid").GetString() == study.StudyInstanceUid)
                .Select(j => (JsonElement?)j).SingleOrDefault() is { } found ? (object)found : null;
        }, TimeSpan.FromSeconds(60), "the job to be listed");
        var summary = (JsonElement)job;
        // Received, or already further along: the standalone host analyses in-process right away.
        Assert.NotEqual("analysis-failed", summary.GetProperty("status").GetString());
        Assert.Equal("STANDALONE-PACS", summary.GetProperty("sendingAe").GetString());
        var jobId = summary.GetProperty("jobId").GetGuid();

        // The job's StudyReceived: once, with the series and their counts; the files where it says.
        using var detailResponse = await http.GetAsync(new Uri($"/api/jobs/{jobId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, detailResponse.StatusCode);
        var detail = await detailResponse.Content.ReadFromJsonAsync<JsonElement>();
        var received = Assert.Single(detail.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("eventType").GetString() == "StudyReceived");
        using var payload = JsonDocument.Parse(received.GetProperty("payload").GetString()!);
        var series = payload.RootElement.GetProperty("series").EnumerateArray().ToList();
        Assert.Equal(study.Series.Count, series.Count);
        foreach (var sentSeries in study.Series)
        {
            var announced = Assert.Single(series, s => s.GetProperty("seriesInstanceUid").GetString() == sentSeries.SeriesInstanceUid);
            Assert.Equal(sentSeries.Spec.Modality, announced.GetProperty("modality").GetString());
            Assert.Equal(sentSeries.Instances.Count, announced.GetProperty("instanceCount").GetInt32());
        }

        var jobFolder = Path.Combine(data, "instances", study.StudyInstanceUid, jobId.ToString("N"));
        Assert.Equal(study.InstanceCount, Dcmtk.FilesBelow(jobFolder).Count);
        foreach (var instance in study.Instances)
        {
            await Dcmtk.AssertSameDatasetAsync(instance.Path, Path.Combine(jobFolder, instance.SeriesInstanceUid, instance.SopInstanceUid + ".dcm"));
        }

        // A second node on the same data folder says it is on standby while this one runs, and listens once it stopped.
        var second = ServiceProcess.StartDll(RepositoryPaths.SiblingBuiltAssembly("RadAI.Standalone"), environment, "--dicom-port", "0", "--http-port", "0", "--data", data);
        await using var __ = second;
        await second.WaitForLineAsync(l => l.StartsWith("RadAI DICOM: on standby, not listening", StringComparison.Ordinal), TimeSpan.FromSeconds(90), "the standby line");

        ReceptionAssert.NoPatientData(process.Output, "the standalone log");
        await process.StopAsync();
        Assert.Equal(0, process.ExitCode);

        var takenOver = TakenOver().Match(await second.WaitForLineAsync(l => TakenOver().IsMatch(l), TimeSpan.FromSeconds(60), "the second node listening"));
        var echo = await Dcmtk.EchoAsync(int.Parse(takenOver.Groups["port"].Value, CultureInfo.InvariantCulture), "STANDALONE-PACS");
        Assert.True(echo.ExitCode == 0, Dcmtk.Describe(echo));
        await second.StopAsync();
        Assert.Equal(0, second.ExitCode);
    }

    [GeneratedRegex(@"dicom-ingest: RADAI listening on [0-9.]+:(?<port>[0-9]+)")]
    private static partial Regex TakenOver();

    [GeneratedRegex(@"RadAI standalone listening on (?<url>http://[^\s]+)")]
    private static partial Regex Web();

    [GeneratedRegex(@"RadAI DICOM: AE title \S+ on port (?<port>\d+)")]
    private static partial Regex Dicom();
}
