using System.Globalization;
using System.Text.RegularExpressions;
using RadAI.Testing;

namespace RadAI.Ingest.Tests.Support;

/// <summary>
/// The dicom-ingest host (RadAI.DicomIngest.Host) as a real process on the test servers, with the
/// DICOM port it listens on (read from its log line, or fixed for a restart on the same port).
/// </summary>
public sealed partial class IngestHost : IAsyncDisposable
{
    public const string AssemblyName = "RadAI.DicomIngest.Host";

    public const string AeTitle = "RADAI";

    private IngestHost(ServiceProcess process, int port, IReadOnlyDictionary<string, string?> settings)
    {
        Process = process;
        Port = port;
        Settings = settings;
    }

    public ServiceProcess Process { get; }

    /// <summary>The DICOM port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>The settings it was started with (environment variable form).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    /// <summary>The instance store's root (Storage__Root).</summary>
    public string StorageRoot => Settings["Storage__Root"]!;

    /// <summary>The folder of the <c>instances</c> store.</summary>
    public string InstancesRoot => Path.Combine(StorageRoot, "instances");

    /// <summary>
    /// Settings for the test servers: its own database, vhost and store; a loopback DICOM port chosen by
    /// the system; quick completion (the stable timeout stays long: completion comes from the release).
    /// </summary>
    public static Dictionary<string, string?> DefaultSettings(PostgresTestDatabase database, RabbitMqTestVirtualHost broker, string storageRoot) =>
        new(broker.Settings)
        {
            ["Database__Provider"] = "Postgres",
            ["Database__ConnectionString"] = database.ConnectionString,
            ["Storage__Root"] = storageRoot,
            ["Urls"] = "http://127.0.0.1:0",
            ["DicomIngest__AeTitle"] = AeTitle,
            ["DicomIngest__Port"] = "0",
            ["DicomIngest__BindAddress"] = "127.0.0.1",
            ["DicomIngest__StableTimeout"] = "00:01:00",
            ["DicomIngest__ReleaseGracePeriod"] = "00:00:00.300",
            ["DicomIngest__CompletionPollInterval"] = "00:00:00.100",
        };

    /// <summary>Starts the host and waits until its SCP listens.</summary>
    public static async Task<IngestHost> StartAsync(IReadOnlyDictionary<string, string?> settings, TimeSpan? timeout = null)
    {
        var process = ServiceProcess.StartDll(RepositoryPaths.SiblingBuiltAssembly(AssemblyName), settings);
        try
        {
            var line = await process.WaitForLineAsync(l => Listening().IsMatch(l), timeout ?? TimeSpan.FromSeconds(90), "the SCP to listen");
            var port = int.Parse(Listening().Match(line).Groups["port"].Value, CultureInfo.InvariantCulture);
            return new IngestHost(process, port, settings);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the same host again after a crash or a stop: same database, vhost, store and port.</summary>
    public Task<IngestHost> RestartAsync(Action<Dictionary<string, string?>>? change = null)
    {
        var settings = new Dictionary<string, string?>(Settings) { ["DicomIngest__Port"] = Port.ToString(CultureInfo.InvariantCulture) };
        change?.Invoke(settings);
        return StartAsync(settings);
    }

    /// <summary>SIGKILL: a crash.</summary>
    public Task KillAsync() => Process.KillAsync();

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    [GeneratedRegex(@"dicom-ingest: \S+ listening on 127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex Listening();
}
