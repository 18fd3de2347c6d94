using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RadAI.Testing;

/// <summary>
/// The standalone host (deploy/standalone) as a process: CPU only, studies complete 0.2 s after their association is
/// released, DICOM and HTTP on free ports; its web API, its DICOM port, and the jobs it shows (GET /api/jobs).
/// </summary>
public sealed partial class StandaloneHost : IAsyncDisposable
{
    private StandaloneHost(ServiceProcess process, HttpClient http, int dicomPort)
    {
        Process = process;
        Http = http;
        DicomPort = dicomPort;
    }

    /// <summary>The host's process: its output is everything it logged.</summary>
    public ServiceProcess Process { get; }

    /// <summary>The web API (through the host's gateway).</summary>
    public HttpClient Http { get; }

    /// <summary>The port dicom-ingest listens on (AE title RADAI).</summary>
    public int DicomPort { get; }

    /// <summary>Starts a host keeping its data in <paramref name="dataFolder"/>; <paramref name="arguments"/> are more switches (e.g. <c>--pacs</c>).</summary>
    public static async Task<StandaloneHost> StartAsync(string dataFolder, params string[] arguments)
    {
        var process = ServiceProcess.StartDll(RepositoryPaths.SiblingBuiltAssembly("RadAI.Standalone"), new Dictionary<string, string?>
        {
            ["DicomIngest__StableTimeout"] = "00:00:30",
            ["DicomIngest__ReleaseGracePeriod"] = "00:00:00.200",
            ["DicomIngest__CompletionPollInterval"] = "00:00:00.100",
            ["Inference__UseCuda"] = "false",
            // The first administrator, who gives the test its API key: the job endpoints need a signed-in caller.
            ["Api__Security__InitialAdminPasswordFile"] = ApiAccess.WriteAdminPasswordFile(Path.Combine(dataFolder, "test-secrets")),
        }, ["--dicom-port", "0", "--http-port", "0", "--data", dataFolder, .. arguments]);
        try
        {
            var web = Web().Match(await process.WaitForLineAsync(l => Web().IsMatch(l), TimeSpan.FromSeconds(120), "the web address")).Groups["url"].Value;
            var port = Dicom().Match(await process.WaitForLineAsync(l => Dicom().IsMatch(l), TimeSpan.FromSeconds(30), "the DICOM port")).Groups["port"].Value;
            var http = new HttpClient { BaseAddress = new Uri(web), Timeout = TimeSpan.FromSeconds(30) };
            await ApiAccess.SignInAsync(http);
            return new StandaloneHost(process, http, int.Parse(port, CultureInfo.InvariantCulture));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Waits until the job of <paramref name="studyInstanceUid"/> has left "received", and returns it: analysed, failed,
    /// skipped, or any status after analysed.
    /// </summary>
    public Task<JsonElement> WaitUntilAnalysedAsync(string studyInstanceUid, TimeSpan timeout) =>
        WaitForJobAsync(studyInstanceUid, status => status != "received", timeout, "to leave 'received'");

    /// <summary>
    /// Waits until the job of <paramref name="studyInstanceUid"/> is past the report step: report-ready or later, or
    /// stopped before it (failed, skipped).
    /// </summary>
    public Task<JsonElement> WaitUntilReportedAsync(string studyInstanceUid, TimeSpan timeout) =>
        WaitForJobAsync(studyInstanceUid, status => status is not ("received" or "analysed"), timeout, "to pass the report step");

    /// <summary>Waits until the job of <paramref name="studyInstanceUid"/> has ended: delivered, or failed or skipped at any step.</summary>
    public Task<JsonElement> WaitUntilEndedAsync(string studyInstanceUid, TimeSpan timeout) =>
        WaitForJobAsync(studyInstanceUid, status => status is not ("received" or "analysed" or "report-ready"), timeout, "to end");

    /// <summary>The payload of the latest event of a job (GET /api/jobs/{id}): why it was skipped or failed.</summary>
    public async Task<string> LastEventAsync(Guid jobId)
    {
        var detail = await Http.GetFromJsonAsync<JsonElement>(new Uri($"/api/jobs/{jobId}", UriKind.Relative));
        return detail.GetProperty("timeline").EnumerateArray().LastOrDefault() is { ValueKind: JsonValueKind.Object } last
            ? $"{last.GetProperty("eventType").GetString()}: {last.GetProperty("payload").GetString()}"
            : "(no event)";
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Process.DisposeAsync();
    }

    private async Task<JsonElement> WaitForJobAsync(string studyInstanceUid, Func<string?, bool> reached, TimeSpan timeout, string what) =>
        (JsonElement)await Eventually.ValueAsync(async () =>
        {
            var jobs = await Http.GetFromJsonAsync<JsonElement>(new Uri("/api/jobs?limit=500", UriKind.Relative));
            return jobs.EnumerateArray().FirstOrDefault(j => j.GetProperty("studyInstanceUid").GetString() == studyInstanceUid
                && reached(j.GetProperty("status").GetString())) is { ValueKind: JsonValueKind.Object } job
                ? (object)job
                : null;
        }, timeout, $"the job of study {studyInstanceUid} {what}");

    [GeneratedRegex(@"RadAI standalone listening on (?<url>http://[^\s]+)")]
    private static partial Regex Web();

    [GeneratedRegex(@"RadAI DICOM: AE title \S+ on port (?<port>\d+)")]
    private static partial Regex Dicom();
}
