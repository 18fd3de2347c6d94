using System.Globalization;
using System.Text.Json;
using RadAI.Testing;
using Xunit;

namespace RadAI.Deployment.Tests;

/// <summary>
/// The demo PACS of docker-compose (deploy/orthanc: its configuration and its auto-forward script), run by
/// PrivateOrthanc with a DCMTK storescp standing in for RadAI's DICOM port: stable studies reach RadAI without any
/// REST push, RadAI's own objects never go back to it, and a study goes again when new images arrive.
/// </summary>
public sealed class DemoPacsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_stable_study_goes_to_RadAI_by_itself_and_RadAIs_objects_never_go_back()
    {
        using var work = new TemporaryDirectory("radai-demo-pacs");
        var study = await SyntheticCtStudy.WriteAsync(Path.Combine(work.Path, "study"), slices: 5, size: 64);
        var files = Directory.GetFiles(study.Folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(5, files.Count);
        await using var radai = await Storescp.StartAsync(Path.Combine(work.Path, "radai"), FreePort.Next(), "+uf");
        await using var pacs = new PrivateOrthanc("DEMO-PACS", autoForward: true);
        await pacs.AddModalityAsync("radai", Storescp.AeTitle, "127.0.0.1", radai.Port);
        await pacs.StartAsync();

        try
        {
            // Images arrive in the PACS (here through REST): once the study is stable, the script sends it.
            foreach (var file in files.Take(3))
            {
                await pacs.Client.UploadAsync(file);
            }

            await Eventually.UntilAsync(() => Task.FromResult(radai.Files().Count >= 3), Timeout, "the stable study to reach RadAI");
            await WaitForStoreJobsAsync(pacs, 1);

            // RadAI stores an object into the study (calling AE title: RadAI's), then the modality adds an image.
            var radaiObject = files[3];
            (await ExternalTool.RunAsync("storescu", "-aet", Storescp.AeTitle, "-aec", pacs.AeTitle, "127.0.0.1", pacs.DicomPort.ToString(CultureInfo.InvariantCulture), radaiObject))
                .EnsureSuccess("storescu into Orthanc");
            await pacs.Client.UploadAsync(files[4]);

            // The study is sent again, with its new image, without RadAI's object.
            await Eventually.UntilAsync(() => Task.FromResult(radai.Files().Count >= 7), Timeout, "the changed study to reach RadAI again");
            await WaitForStoreJobsAsync(pacs, 2);
            var received = await radai.ReceivedSopInstanceUidsAsync();
            var expected = new List<string>();
            foreach (var file in files.Take(3).Concat([files[4]]))
            {
                expected.Add(await SopInstanceUidAsync(file));
            }

            Assert.Equal(7, received.Count);
            Assert.DoesNotContain(await SopInstanceUidAsync(radaiObject), received);
            Assert.Equal(expected.Order(), received.Distinct().Order());
            Assert.Equal(files.Take(3).Count(), received.GroupBy(u => u).Count(g => g.Count() == 2));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidOperationException($"{e.Message}\n--- Orthanc:\n{string.Join('\n', pacs.Output.Split('\n').TakeLast(20))}", e);
        }
    }

    // Orthanc's store jobs (what the script started) are all done, and there are this many.
    private static async Task WaitForStoreJobsAsync(PrivateOrthanc pacs, int count) =>
        await Eventually.UntilAsync(
            async () =>
            {
                using var jobs = JsonDocument.Parse(await pacs.Client.Http.GetStringAsync(new Uri("/jobs?expand", UriKind.Relative)));
                var store = jobs.RootElement.EnumerateArray().Where(j => j.GetProperty("Type").GetString() == "DicomModalityStore").ToList();
                if (store.Any(j => j.GetProperty("State").GetString() == "Failure"))
                {
                    throw new InvalidOperationException($"An Orthanc store job failed: {jobs.RootElement}");
                }

                return store.Count == count && store.All(j => j.GetProperty("State").GetString() == "Success");
            },
            Timeout,
            $"{count} store job(s) to succeed in Orthanc");

    private static async Task<string> SopInstanceUidAsync(string file)
    {
        var dump = (await ExternalTool.RunAsync("dcmdump", "-q", "+P", "0008,0018", file)).EnsureSuccess($"dcmdump {file}");
        return dump.Output.Split('[', ']')[1];
    }
}
