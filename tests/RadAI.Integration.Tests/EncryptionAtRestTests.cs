using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.Hosting.Storage;
using RadAI.Testing;
using Xunit;

namespace RadAI.Integration.Tests;

/// <summary>
/// Encryption at rest, end to end on the standalone host (every service in one process, as a node runs them) with the
/// real PACS stand-in (Orthanc, started by scripts/test.sh): a study whose patient is a distinctive name is pushed by
/// Orthanc, received, analysed, reported and stored back into Orthanc, while no file under the node's data folder holds
/// the patient's name or id in clear, and the store files are sealed (the format's header, with the key id).
/// </summary>
public sealed class EncryptionAtRestTests
{
    /// <summary>Analysis, report and delivery of the synthetic CT on two busy cores, with room to spare.</summary>
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(6);

    private const string KeyId = "it-2026";

    // Distinctive values: found nowhere by chance. DICOM strings here are 8-bit (ISO_IR 6/100/192), so the byte scan is on
    // their ASCII bytes (no UTF-16 form exists in these files).
    private const string PatientName = "ZZCLEARTEXT^PROBE";
    private const string PatientId = "ZZPID-CLEAR-4711";

    /// <summary>The id of RadAI in Orthanc's modalities, unique per run: the test Orthanc is shared by other tests.</summary>
    private readonly string _modality = "radai-enc-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task With_encryption_on_the_report_reaches_orthanc_valid_and_no_stored_file_holds_the_patient_in_clear()
    {
        var (orthancAet, _, orthancPort) = TestEnvironment.OrthancDicomEndpoint;
        using var orthanc = new OrthancClient(TestEnvironment.OrthancHttp);
        using var work = new TemporaryDirectory("radai-encrypted-node");
        var keyFile = Path.Combine(work.Path, "keys", KeyId + ".key");
        Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
        await File.WriteAllTextAsync(keyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(EncryptedFileFormat.KeyBytes)));

        var written = WriteStudyAsync(Path.Combine(work.Path, "study"));
        var data = Path.Combine(work.Path, "data");
        await using var host = await StandaloneHost.StartAsync(data,
            "--pacs", $"{orthancAet}@127.0.0.1:{orthancPort.ToString(CultureInfo.InvariantCulture)}",
            "--Storage:Encryption:Enabled=true",
            $"--Storage:Encryption:ActiveKeyId={KeyId}",
            $"--Storage:Encryption:Keys:{KeyId}={keyFile}");
        var study = await written;

        string? orthancStudy = null;
        try
        {
            orthancStudy = await orthanc.UploadStudyAsync(study.Folder);
            var sourceSeries = Assert.Single(await orthanc.SeriesAsync(orthancStudy));
            await orthanc.PutModalityAsync(_modality, "RADAI", "127.0.0.1", host.DicomPort);
            await orthanc.StoreToModalityAsync(_modality, orthancStudy);

            var job = await host.WaitUntilEndedAsync(study.StudyInstanceUid, JobTimeout);
            var jobId = job.GetProperty("jobId").GetGuid();
            var status = job.GetProperty("status").GetString();
            if (status != "delivered")
            {
                Assert.Fail($"The job ended '{status}', not delivered:\n{await host.LastEventAsync(jobId)}");
            }

            // What pacs-sender sent is plain, valid DICOM: SR, SEG and encapsulated PDF in the very Orthanc study, each clean
            // for dciodvfy, and they name the patient (decrypted from the stored source instances and report objects).
            var series = await OrthancReportChecks.AssertReportInStudyAsync(orthanc, orthancStudy, study.StudyInstanceUid, [sourceSeries.Id], work.Path, TimeSpan.FromSeconds(30));
            var sr = series.First(s => s.Modality == "SR").Instances[0];
            var tags = await orthanc.SimplifiedTagsAsync(sr);
            Assert.Equal(PatientName, tags.GetProperty("PatientName").GetString());
            Assert.Equal(PatientId, tags.GetProperty("PatientID").GetString());

            // The stores: every instance, result and report file is sealed with the configured key. (The steps' stored
            // outcomes, outcome.json, are the bus events kept for redelivery: ids and references, no patient data; plain.)
            var header = EncryptedFileFormat.Header(KeyId, EncryptedFileFormat.DefaultChunkBytes);
            var instances = Directory.GetFiles(Path.Combine(data, StoreNames.Instances), "*.dcm", SearchOption.AllDirectories);
            Assert.Equal(study.Slices, instances.Length);
            foreach (var file in instances
                .Concat(Directory.GetFiles(Path.Combine(data, StoreNames.Results), "*", SearchOption.AllDirectories))
                .Concat(Directory.GetFiles(Path.Combine(data, StoreNames.Reports), "*", SearchOption.AllDirectories))
                .Where(f => Path.GetFileName(f) != "outcome.json"))
            {
                Assert.True(StartsWith(file, header), $"{Path.GetRelativePath(data, file)} does not start with the encrypted-format header of key {KeyId}");
            }

            Assert.Contains(Directory.GetFiles(Path.Combine(data, StoreNames.Reports), "*.dcm", SearchOption.AllDirectories), f => f.Contains($"{Path.DirectorySeparatorChar}sr{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
            Assert.Empty(Directory.GetFiles(Path.Combine(data, StoreNames.Instances, ".incoming")));

            // Through the api, a radiologist downloads the plain objects (decrypted as they are sent, ranges honoured).
            using var radiologist = await RadiologistAsync(host);
            var srBytes = await radiologist.GetByteArrayAsync(new Uri($"/api/jobs/{jobId}/report/sr", UriKind.Relative));
            Assert.Equal("DICM"u8.ToArray(), srBytes[128..132]);
            Assert.True(srBytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(PatientName)) >= 0, "the downloaded SR names the patient");
            var pdf = await radiologist.GetByteArrayAsync(new Uri($"/api/jobs/{jobId}/report/pdf?format=pdf", UriKind.Relative));
            Assert.True(pdf.AsSpan().StartsWith("%PDF-"u8));
            using (var range = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/jobs/{jobId}/report/sr", UriKind.Relative)))
            {
                range.Headers.Range = new RangeHeaderValue(128, 131);
                using var partial = await radiologist.SendAsync(range);
                Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
                Assert.Equal("DICM"u8.ToArray(), await partial.Content.ReadAsByteArrayAsync());
            }

            // The proof of the issue: no file anywhere under the data folder (stores, database, secrets...) holds the patient's
            // name or id in clear, and neither does the log.
            foreach (var file in Directory.GetFiles(data, "*", SearchOption.AllDirectories))
            {
                // Empty files hold nothing; one of them, dicom-ingest's lock file, cannot even be opened while it runs.
                if (new FileInfo(file).Length == 0)
                {
                    continue;
                }

                var bytes = await File.ReadAllBytesAsync(file);
                foreach (var value in new[] { PatientName, "ZZCLEARTEXT", PatientId })
                {
                    Assert.True(bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(value)) < 0, $"{Path.GetRelativePath(data, file)} holds '{value}' in clear");
                }
            }

            Assert.DoesNotContain("ZZCLEARTEXT", host.Process.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(PatientId, host.Process.Output, StringComparison.Ordinal);
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

    /// <summary>The CLI's synthetic CT, its patient renamed to the probe values (every file rewritten in place).</summary>
    private static async Task<SyntheticCtStudy> WriteStudyAsync(string folder)
    {
        var study = await SyntheticCtStudy.WriteAsync(folder);
        foreach (var path in Directory.GetFiles(study.Folder, "*.dcm", SearchOption.AllDirectories))
        {
            var file = await DicomFile.OpenAsync(path);
            file.Dataset.AddOrUpdate(DicomTags.PatientName, DicomVR.PN, PatientName);
            file.Dataset.AddOrUpdate(DicomTags.PatientID, DicomVR.LO, PatientId);
            var renamed = path + ".renamed";
            await file.SaveAsync(renamed);
            File.Move(renamed, path, overwrite: true);
        }

        var sample = await File.ReadAllBytesAsync(Directory.GetFiles(study.Folder, "*.dcm", SearchOption.AllDirectories)[0]);
        Assert.True(sample.AsSpan().IndexOf(Encoding.ASCII.GetBytes(PatientName)) >= 0, "the study sent names the probe patient in clear");
        Assert.True(sample.AsSpan().IndexOf(Encoding.ASCII.GetBytes(SyntheticCtStudy.PatientName)) < 0, "the study sent still names the phantom patient");
        return study;
    }

    /// <summary>An HTTP client of <paramref name="host"/> with a radiologist's API key (report downloads need one).</summary>
    private static async Task<HttpClient> RadiologistAsync(StandaloneHost host)
    {
        var http = new HttpClient { BaseAddress = host.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            ApiAccess.Use(http, await ApiAccess.CreateApiKeyAsync(http, "radiologist"));
            return http;
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    private static bool StartsWith(string path, byte[] prefix)
    {
        using var file = File.OpenRead(path);
        var head = new byte[prefix.Length];
        return file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head.AsSpan().SequenceEqual(prefix);
    }
}
