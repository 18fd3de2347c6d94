using System.Globalization;
using System.Text.Json;

namespace RadAI.Testing;

/// <summary>
/// A private Orthanc (the hospital PACS stand-in) for one test class: its own storage folder and ports, chosen once,
/// so that it can be stopped and started again as the same PACS (same studies, same DICOM endpoint) — which the
/// shared Orthanc of scripts/test.sh, used by other tests, must never be. It runs with the demo PACS configuration of
/// docker-compose (<c>deploy/orthanc/orthanc.json</c>, copied unchanged into its configuration folder) plus a second
/// file with what differs per run: its name and AE title, ports, storage folder, modalities, and the auto-forward
/// script (<c>deploy/orthanc/radai-autoforward.lua</c>) when asked for.
/// </summary>
public sealed class PrivateOrthanc : IAsyncDisposable
{
    private readonly TemporaryDirectory _folder = new("radai-orthanc");
    private readonly Dictionary<string, (string AeTitle, string Host, int Port)> _modalities = [];
    private readonly List<string> _previousOutput = [];
    private ServiceProcess? _process;

    /// <summary>The demo PACS configuration shared with docker-compose.</summary>
    public static string SharedConfigurationFile => Path.Combine(RepositoryPaths.Root, "deploy", "orthanc", "orthanc.json");

    /// <summary>The Lua script that forwards stable studies to the modality <c>radai</c>.</summary>
    public static string AutoForwardScript => Path.Combine(RepositoryPaths.Root, "deploy", "orthanc", "radai-autoforward.lua");

    /// <param name="aeTitle">Its AE title: the calling AE title of what it sends, and the called one of what it receives.</param>
    /// <param name="autoForward">
    /// Load <see cref="AutoForwardScript"/>: each study that becomes stable goes to the modality <c>radai</c> by itself
    /// (off by default: the tests that push studies through REST would otherwise send them twice).
    /// </param>
    public PrivateOrthanc(string aeTitle = "HOSPITAL-PACS", bool autoForward = false)
    {
        AeTitle = aeTitle;
        AutoForward = autoForward;
        HttpPort = FreePort.Next();
        DicomPort = FreePort.Next();
        Client = new OrthancClient(new Uri($"http://127.0.0.1:{HttpPort.ToString(CultureInfo.InvariantCulture)}"));
        Directory.CreateDirectory(StorageFolder);
    }

    public string AeTitle { get; }

    /// <summary>Whether the auto-forward script is loaded.</summary>
    public bool AutoForward { get; }

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

    /// <summary>The folder Orthanc reads its configuration from (every <c>.json</c> file in it, merged).</summary>
    public string ConfigurationFolder => Path.Combine(_folder.Path, "configuration");

    /// <summary>
    /// Declares a modality Orthanc can send to; kept in its per-run configuration file, so that it survives a restart
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

        // Orthanc merges the files of the folder and refuses a key set in two of them: the shared file holds the
        // behaviour, this one only what differs per run.
        Directory.CreateDirectory(ConfigurationFolder);
        File.Copy(SharedConfigurationFile, Path.Combine(ConfigurationFolder, "orthanc.json"), overwrite: true);
        var run = new Dictionary<string, object>
        {
            ["Name"] = AeTitle,
            ["DicomAet"] = AeTitle,
            ["StorageDirectory"] = StorageFolder,
            ["IndexDirectory"] = StorageFolder,
            ["HttpPort"] = HttpPort,
            ["DicomPort"] = DicomPort,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = false,
            ["DicomModalities"] = _modalities.ToDictionary(m => m.Key, m => new object[] { m.Value.AeTitle, m.Value.Host, m.Value.Port }),
        };
        if (AutoForward)
        {
            run["LuaScripts"] = new[] { AutoForwardScript };
        }

        await File.WriteAllTextAsync(Path.Combine(ConfigurationFolder, "run.json"), JsonSerializer.Serialize(run));

        var process = ServiceProcess.StartProgram("Orthanc", _folder.Path, ConfigurationFolder);
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
