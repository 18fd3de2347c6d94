using System.Globalization;
using System.Text.Json;

namespace RadAI.Testing;

/// <summary>
/// A private Orthanc (the hospital PACS stand-in) for one test class: its own storage folder and ports, chosen once,
/// so that it can be stopped and started again as the same PACS (same studies, same DICOM endpoint) — which the
/// shared Orthanc of scripts/test.sh, used by other tests, must never be.
/// </summary>
public sealed class PrivateOrthanc : IAsyncDisposable
{
    private readonly TemporaryDirectory _folder = new("radai-orthanc");
    private readonly Dictionary<string, (string AeTitle, string Host, int Port)> _modalities = [];
    private readonly List<string> _previousOutput = [];
    private ServiceProcess? _process;

    /// <param name="aeTitle">Its AE title: the calling AE title of what it sends, and the called one of what it receives.</param>
    public PrivateOrthanc(string aeTitle = "HOSPITAL-PACS")
    {
        AeTitle = aeTitle;
        HttpPort = FreePort.Next();
        DicomPort = FreePort.Next();
        Client = new OrthancClient(new Uri($"http://127.0.0.1:{HttpPort.ToString(CultureInfo.InvariantCulture)}"));
        Directory.CreateDirectory(StorageFolder);
    }

    public string AeTitle { get; }

    /// <summary>Its REST port (loopback).</summary>
    public int HttpPort { get; }

    /// <summary>Its DICOM port.</summary>
    public int DicomPort { get; }

    /// <summary>Its DICOM endpoint as <c>AET@127.0.0.1:PORT</c>.</summary>
    public string DicomEndpoint => $"{AeTitle}@127.0.0.1:{DicomPort.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Its REST API.</summary>
    public OrthancClient Client { get; }

    /// <summary>Whether the process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>What Orthanc printed, all runs so far (for failure messages).</summary>
    public string Output => string.Join('\n', _previousOutput.Append(_process?.Output ?? ""));

    private string StorageFolder => Path.Combine(_folder.Path, "db");

    private string ConfigurationFile => Path.Combine(_folder.Path, "orthanc.json");

    /// <summary>
    /// Declares a modality Orthanc can send to; kept in the configuration file, so that it survives a restart
    /// (takes effect at the next start; a running Orthanc also gets it through REST).
    /// </summary>
    public async Task AddModalityAsync(string id, string aeTitle, string host, int port)
    {
        _modalities[id] = (aeTitle, host, port);
        if (IsRunning)
        {
            await Client.PutModalityAsync(id, aeTitle, host, port);
        }
    }

    /// <summary>Starts Orthanc (again) on the same storage and ports, and waits until its REST API answers.</summary>
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("Orthanc is already running.");
        }

        if (_process is not null)
        {
            _previousOutput.Add(_process.Output);
            await _process.DisposeAsync();
        }

        await File.WriteAllTextAsync(ConfigurationFile, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Name"] = AeTitle,
            ["StorageDirectory"] = StorageFolder,
            ["IndexDirectory"] = StorageFolder,
            ["HttpServerEnabled"] = true,
            ["HttpPort"] = HttpPort,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = false,
            ["DicomServerEnabled"] = true,
            ["DicomAet"] = AeTitle,
            ["DicomPort"] = DicomPort,
            ["DicomCheckCalledAet"] = false,
            ["DicomAlwaysAllowEcho"] = true,
            ["DicomAlwaysAllowStore"] = true,
            ["StableAge"] = 2,
            ["DicomModalities"] = _modalities.ToDictionary(m => m.Key, m => new object[] { m.Value.AeTitle, m.Value.Host, m.Value.Port }),
        }));

        var process = ServiceProcess.StartProgram("Orthanc", _folder.Path, ConfigurationFile);
        _process = process;
        await Eventually.UntilAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Orthanc exited with {process.ExitCode}. Output:\n{process.Output}");
            }

            using var response = await Client.Http.GetAsync(new Uri("/system", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }, timeout ?? TimeSpan.FromSeconds(30), $"Orthanc to answer on port {HttpPort.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>Stops Orthanc (SIGTERM, as a PACS shut down for maintenance); its storage stays.</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.StopAsync(TimeSpan.FromSeconds(20));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        Client.Dispose();
        _folder.Dispose();
    }
}
