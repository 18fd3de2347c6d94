using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RadAI.ReportBuilder.Tests.Dicom;
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

    /// <summary>What the report builder's objects are in Orthanc: structured report, segmentation, encapsulated PDF.</summary>
    private static readonly string[] ReportModalities = ["SR", "SEG", "DOC"];

    /// <summary>The id of RadAI in Orthanc's modalities, unique per run: the test Orthanc is shared by other tests.</summary>
    private readonly string _modality = "radai-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_study_orthanc_sends_comes_back_into_the_same_orthanc_study_as_sr_seg_and_pdf()
    {
        var (orthancAet, _, orthancPort) = TestEnvironment.OrthancDicomEndpoint;
        using var orthanc = new HttpClient { BaseAddress = TestEnvironment.OrthancHttp, Timeout = TimeSpan.FromMinutes(3) };
        using var work = new TemporaryDirectory("radai-orthanc-round-trip");

        var written = SampleStudies.SyntheticCtAsync(Path.Combine(work.Path, "synth-ct"));
        await using var host = await StandaloneHost.StartAsync(Path.Combine(work.Path, "data"),
            "--pacs", $"{orthancAet}@127.0.0.1:{orthancPort.ToString(CultureInfo.InvariantCulture)}");
        var study = await written;

        string? orthancStudy = null;
        try
        {
            // The study in the PACS, and RadAI a modality of it.
            foreach (var file in Directory.GetFiles(study.Folder, "*.dcm").Order(StringComparer.Ordinal))
            {
                using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file));
                using var upload = await orthanc.PostAsync(new Uri("/instances", UriKind.Relative), content);
                Assert.True(upload.IsSuccessStatusCode, $"POST /instances {Path.GetFileName(file)}: {upload.StatusCode} {await upload.Content.ReadAsStringAsync()}");
                var stored = await upload.Content.ReadFromJsonAsync<JsonElement>();
                orthancStudy ??= stored.GetProperty("ParentStudy").GetString();
            }

            Assert.NotNull(orthancStudy);
            var sourceSeries = await SeriesAsync(orthanc, orthancStudy);
            Assert.Equal("CT", Assert.Single(sourceSeries).Modality);

            using (var put = await orthanc.PutAsync(new Uri($"/modalities/{_modality}", UriKind.Relative),
                JsonContent.Create(new Dictionary<string, object> { ["AET"] = "RADAI", ["Host"] = "127.0.0.1", ["Port"] = host.DicomPort })))
            {
                Assert.True(put.IsSuccessStatusCode, $"PUT /modalities/{_modality}: {put.StatusCode} {await put.Content.ReadAsStringAsync()}");
            }

            // Orthanc pushes the study to RadAI (C-STORE, calling AE title ORTHANC: a sender --pacs accepts).
            using (var store = await orthanc.PostAsync(new Uri($"/modalities/{_modality}/store", UriKind.Relative), new StringContent(orthancStudy, Encoding.UTF8, "text/plain")))
            {
                Assert.True(store.IsSuccessStatusCode, $"POST /modalities/{_modality}/store: {store.StatusCode} {await store.Content.ReadAsStringAsync()}");
            }

            // The job ends delivered: reported and stored back into Orthanc.
            var job = await host.WaitUntilEndedAsync(study.StudyInstanceUid, JobTimeout);
            var status = job.GetProperty("status").GetString();
            if (status != "delivered")
            {
                Assert.Fail($"{study}: the job ended '{status}', not delivered:\n{await host.LastEventAsync(job.GetProperty("jobId").GetGuid())}");
            }

            // Orthanc holds SR, SEG and the encapsulated PDF (DOC) in the very study it sent: same Orthanc study, same Study Instance UID.
            var series = await Eventually.ValueAsync(async () =>
            {
                var now = await SeriesAsync(orthanc, orthancStudy);
                return ReportModalities.All(m => now.Any(s => s.Modality == m)) ? now : null;
            }, TimeSpan.FromSeconds(30), $"series SR, SEG and DOC in Orthanc study {orthancStudy}");
            var studyTags = await orthanc.GetFromJsonAsync<JsonElement>(new Uri($"/studies/{orthancStudy}", UriKind.Relative));
            Assert.Equal(study.StudyInstanceUid, studyTags.GetProperty("MainDicomTags").GetProperty("StudyInstanceUID").GetString());
            using (var find = await orthanc.PostAsync(new Uri("/tools/find", UriKind.Relative), JsonContent.Create(new Dictionary<string, object>
            {
                // Dictionary keys: JsonContent's web defaults would write an anonymous object's properties in camelCase, which Orthanc rejects.
                ["Level"] = "Study",
                ["Query"] = new Dictionary<string, string> { ["StudyInstanceUID"] = study.StudyInstanceUid },
            })))
            {
                find.EnsureSuccessStatusCode();
                var studies = await find.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal(orthancStudy, Assert.Single(studies.EnumerateArray()).GetString());
            }

            // Each of Orthanc's copies of the new objects passes dciodvfy.
            var reported = series.Where(s => s.Modality != "CT").ToList();
            foreach (var modality in ReportModalities)
            {
                Assert.Contains(reported, s => s.Modality == modality);
            }

            foreach (var (modality, instances) in reported)
            {
                foreach (var instance in instances)
                {
                    var tags = await orthanc.GetFromJsonAsync<JsonElement>(new Uri($"/instances/{instance}/simplified-tags", UriKind.Relative));
                    Assert.Equal(study.StudyInstanceUid, tags.GetProperty("StudyInstanceUID").GetString());
                    var file = Path.Combine(work.Path, $"{modality}-{instance}.dcm");
                    await File.WriteAllBytesAsync(file, await orthanc.GetByteArrayAsync(new Uri($"/instances/{instance}/file", UriKind.Relative)));
                    var (iod, errors, _) = await ReportObjectsFixture.DciodvfyAsync(file);
                    Assert.True(errors.Count == 0, $"dciodvfy of Orthanc's {modality} instance {instance} ({iod}):\n{string.Join('\n', errors)}");
                }
            }

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
                using var deleted = await orthanc.DeleteAsync(new Uri($"/studies/{orthancStudy}", UriKind.Relative));
            }

            using var removed = await orthanc.DeleteAsync(new Uri($"/modalities/{_modality}", UriKind.Relative));
        }
    }

    /// <summary>The series of an Orthanc study: modality and Orthanc instance ids of each.</summary>
    private static async Task<List<(string Modality, List<string> Instances)>> SeriesAsync(HttpClient orthanc, string orthancStudy)
    {
        var series = await orthanc.GetFromJsonAsync<JsonElement>(new Uri($"/studies/{orthancStudy}/series", UriKind.Relative));
        return [.. series.EnumerateArray().Select(s => (
            s.GetProperty("MainDicomTags").TryGetProperty("Modality", out var m) ? m.GetString() ?? "" : "",
            s.GetProperty("Instances").EnumerateArray().Select(i => i.GetString()!).ToList()))];
    }
}
