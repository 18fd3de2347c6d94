using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using RadAI.Testing;
using Xunit;

namespace RadAI.ReportBuilder.Tests.Support;

/// <summary>
/// One standalone host (deploy/standalone, CPU only, in a fresh data folder) with DCMTK's storescp as its PACS
/// (<c>--pacs</c>: studies come from it, reports go back to it), and the synthetic studies of every default package,
/// written while it starts: shared by the tests of a class, each of which sends its own study and follows its own
/// job (found by Study Instance UID), so that the tests stay independent.
/// </summary>
public sealed partial class StandaloneNode : IAsyncLifetime, IDisposable
{
    /// <summary>Statuses that come after analysis: the job was analysed, and maybe reported and delivered since.</summary>
    public static IReadOnlyList<string> AnalysedOrLater { get; } = ["analysed", "report-ready", "delivered", "delivery-failed"];

    private readonly TemporaryDirectory _work = new("radai-default-models");
    private ServiceProcess? _process;
    private Storescp? _pacs;
    private HttpClient? _http;
    private Dictionary<string, SampleStudy> _studies = [];
    private string _port = "";

    /// <summary>The host's data folder (results/, reports/, ...).</summary>
    public string DataFolder => Path.Combine(_work.Path, "data");

    /// <summary>The host's process: its output is everything it logged.</summary>
    public ServiceProcess Process => _process ?? throw new InvalidOperationException("The node is not started.");

    /// <summary>The PACS the studies come from and the reports go back to.</summary>
    public Storescp Pacs => _pacs ?? throw new InvalidOperationException("The node is not started.");

    /// <summary>The studies, by key (ct, mr, mg, dx, synth-ct).</summary>
    public IReadOnlyDictionary<string, SampleStudy> Studies => _studies;

    public async Task InitializeAsync()
    {
        // Both take tens of seconds: write the studies while the host starts.
        var written = WriteStudiesAsync();
        _pacs = await Storescp.StartAsync(Path.Combine(_work.Path, "pacs"), FreePort.Next());
        _process = ServiceProcess.StartDll(RepositoryPaths.SiblingBuiltAssembly("RadAI.Standalone"), new Dictionary<string, string?>
        {
            ["DicomIngest__StableTimeout"] = "00:00:30",
            ["DicomIngest__ReleaseGracePeriod"] = "00:00:00.200",
            ["DicomIngest__CompletionPollInterval"] = "00:00:00.100",
            ["Inference__UseCuda"] = "false",
        }, "--dicom-port", "0", "--http-port", "0", "--data", DataFolder, "--pacs", $"{Storescp.AeTitle}@127.0.0.1:{_pacs.Port}");
        var web = Web().Match(await _process.WaitForLineAsync(l => Web().IsMatch(l), TimeSpan.FromSeconds(120), "the web address")).Groups["url"].Value;
        _port = Dicom().Match(await _process.WaitForLineAsync(l => Dicom().IsMatch(l), TimeSpan.FromSeconds(30), "the DICOM port")).Groups["port"].Value;
        _http = new HttpClient { BaseAddress = new Uri(web), Timeout = TimeSpan.FromSeconds(30) };
        _studies = (await written).ToDictionary(s => s.Key);
    }

    /// <summary>Sends the files of <paramref name="study"/> with <c>radai send</c>.</summary>
    public async Task SendAsync(SampleStudy study)
    {
        var radai = RepositoryPaths.SiblingBuiltAssembly("RadAI.Cli", "radai");
        (await ExternalTool.RunAsync("dotnet", [radai, "send", "127.0.0.1", _port, study.Folder, "--aec", "RADAI", "--aet", Storescp.AeTitle, "--quiet"],
            TimeSpan.FromMinutes(3))).EnsureSuccess($"radai send {study.Key}");
    }

    /// <summary>
    /// Waits until the job of <paramref name="studyInstanceUid"/> (GET /api/jobs) has left "received", and returns it:
    /// analysed, failed, skipped, or any status after analysed.
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

    private async Task<JsonElement> WaitForJobAsync(string studyInstanceUid, Func<string?, bool> reached, TimeSpan timeout, string what)
    {
        var http = _http ?? throw new InvalidOperationException("The node is not started.");
        return (JsonElement)await Eventually.ValueAsync(async () =>
        {
            var jobs = await http.GetFromJsonAsync<JsonElement>(new Uri("/api/jobs?limit=500", UriKind.Relative));
            return jobs.EnumerateArray().FirstOrDefault(j => j.GetProperty("studyInstanceUid").GetString() == studyInstanceUid
                && reached(j.GetProperty("status").GetString())) is { ValueKind: JsonValueKind.Object } job
                ? (object)job
                : null;
        }, timeout, $"the job of study {studyInstanceUid} {what}");
    }

    /// <summary>The payload of the latest event of a job (GET /api/jobs/{id}): why it was skipped or failed.</summary>
    public async Task<string> LastEventAsync(Guid jobId)
    {
        var http = _http ?? throw new InvalidOperationException("The node is not started.");
        var detail = await http.GetFromJsonAsync<JsonElement>(new Uri($"/api/jobs/{jobId}", UriKind.Relative));
        return detail.GetProperty("timeline").EnumerateArray().LastOrDefault() is { ValueKind: JsonValueKind.Object } last
            ? $"{last.GetProperty("eventType").GetString()}: {last.GetProperty("payload").GetString()}"
            : "(no event)";
    }

    /// <summary>The findings document of a job: results/&lt;jobId:N&gt;/findings.json in the data folder.</summary>
    public async Task<JsonDocument> FindingsAsync(Guid jobId) =>
        JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(DataFolder, "results", jobId.ToString("N"), "findings.json")));

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        if (_pacs is not null)
        {
            await _pacs.DisposeAsync();
        }

        Dispose();
    }

    /// <summary>The synchronous part of <see cref="DisposeAsync"/> (the folders; the process needs <see cref="DisposeAsync"/>).</summary>
    public void Dispose()
    {
        _http?.Dispose();
        _work.Dispose();
    }

    private async Task<List<SampleStudy>> WriteStudiesAsync()
    {
        var studies = Path.Combine(_work.Path, "studies");
        var fromScript = SampleStudies.WriteAsync(studies, seed: 11);
        var synthCt = SampleStudies.SyntheticCtAsync(Path.Combine(_work.Path, "synth-ct"));
        return [.. await fromScript, await synthCt];
    }

    [GeneratedRegex(@"RadAI standalone listening on (?<url>http://[^\s]+)")]
    private static partial Regex Web();

    [GeneratedRegex(@"RadAI DICOM: AE title \S+ on port (?<port>\d+)")]
    private static partial Regex Dicom();
}
