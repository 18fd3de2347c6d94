using System.Text.Json;
using RadAI.Testing;
using Xunit;

namespace RadAI.ReportBuilder.Tests.Support;

/// <summary>
/// One standalone host (deploy/standalone, CPU only, in a fresh data folder) with DCMTK's storescp as its PACS
/// (<c>--pacs</c>: studies come from it, reports go back to it), and the synthetic studies of every default package,
/// written while it starts: shared by the tests of a class, each of which sends its own study and follows its own
/// job (found by Study Instance UID), so that the tests stay independent.
/// </summary>
public sealed class StandaloneNode : IAsyncLifetime, IDisposable
{
    /// <summary>Statuses that come after analysis: the job was analysed, and maybe reported and delivered since.</summary>
    public static IReadOnlyList<string> AnalysedOrLater { get; } = ["analysed", "report-ready", "delivered", "delivery-failed"];

    private readonly TemporaryDirectory _work = new("radai-default-models");
    private StandaloneHost? _host;
    private Storescp? _pacs;
    private Dictionary<string, SampleStudy> _studies = [];

    /// <summary>The host's data folder (results/, reports/, ...).</summary>
    public string DataFolder => Path.Combine(_work.Path, "data");

    /// <summary>The host: its process, web API and jobs.</summary>
    public StandaloneHost Host => _host ?? throw new InvalidOperationException("The node is not started.");

    /// <summary>The PACS the studies come from and the reports go back to.</summary>
    public Storescp Pacs => _pacs ?? throw new InvalidOperationException("The node is not started.");

    /// <summary>The studies, by key (ct, mr, mg, dx, synth-ct).</summary>
    public IReadOnlyDictionary<string, SampleStudy> Studies => _studies;

    public async Task InitializeAsync()
    {
        // Both take tens of seconds: write the studies while the host starts.
        var written = WriteStudiesAsync();
        _pacs = await Storescp.StartAsync(Path.Combine(_work.Path, "pacs"), FreePort.Next());
        _host = await StandaloneHost.StartAsync(DataFolder, "--pacs", $"{Storescp.AeTitle}@127.0.0.1:{_pacs.Port}");
        _studies = (await written).ToDictionary(s => s.Key);
    }

    /// <summary>Sends the files of <paramref name="study"/> with <c>radai send</c>, from the PACS's AE title.</summary>
    public async Task SendAsync(SampleStudy study)
    {
        var radai = RepositoryPaths.SiblingBuiltAssembly("RadAI.Cli", "radai");
        (await ExternalTool.RunAsync("dotnet", [radai, "send", "127.0.0.1", Host.DicomPort.ToString(System.Globalization.CultureInfo.InvariantCulture), study.Folder,
            "--aec", "RADAI", "--aet", Storescp.AeTitle, "--quiet"], TimeSpan.FromMinutes(3))).EnsureSuccess($"radai send {study.Key}");
    }

    /// <summary>The findings document of a job: results/&lt;jobId:N&gt;/findings.json in the data folder.</summary>
    public async Task<JsonDocument> FindingsAsync(Guid jobId) =>
        JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(DataFolder, "results", jobId.ToString("N"), "findings.json")));

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_pacs is not null)
        {
            await _pacs.DisposeAsync();
        }

        Dispose();
    }

    /// <summary>The synchronous part of <see cref="DisposeAsync"/> (the folders; the processes need <see cref="DisposeAsync"/>).</summary>
    public void Dispose() => _work.Dispose();

    private async Task<List<SampleStudy>> WriteStudiesAsync()
    {
        var studies = Path.Combine(_work.Path, "studies");
        var fromScript = SampleStudies.WriteAsync(studies, seed: 11);
        var synthCt = SampleStudies.SyntheticCtAsync(Path.Combine(_work.Path, "synth-ct"));
        return [.. await fromScript, await synthCt];
    }
}
