using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RadAI.Testing;

/// <summary>
/// The five RadAI services as five processes, as a deployment runs them: one broker (any: the settings are an input,
/// so a private broker can be plugged in), one PostgreSQL database, one shared instance store (<c>Storage:Root</c>).
/// dicom-ingest accepts the given PACS as its only senders, pacs-sender stores reports back into them. Each service
/// can be stopped, killed and started again; the api's job read model is the way to follow a study.
/// </summary>
public sealed partial class PipelineCluster : IAsyncDisposable
{
    public const string DicomIngest = "RadAI.DicomIngest.Host";
    public const string Inference = "RadAI.Inference.Host";
    public const string ReportBuilder = "RadAI.ReportBuilder.Host";
    public const string PacsSender = "RadAI.PacsSender.Host";
    public const string Api = "RadAI.Api.Host";

    /// <summary>The five hosts, in pipeline order.</summary>
    public static IReadOnlyList<string> Services { get; } = [DicomIngest, Inference, ReportBuilder, PacsSender, Api];

    /// <summary>Statuses after which a job moves no more.</summary>
    public static IReadOnlyList<string> EndStatuses { get; } = ["skipped", "analysis-failed", "report-failed", "delivered", "delivery-failed"];

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private readonly TemporaryDirectory _storage = new("radai-cluster-store");
    private readonly Dictionary<string, Member> _members;

    private PipelineCluster(Dictionary<string, Member> members)
    {
        _members = members;
    }

    /// <summary>The shared instance store and report folder (<c>Storage:Root</c> of every service).</summary>
    public string StorageRoot => _storage.Path;

    /// <summary>The api's signing key file (made by the api at its first start): a gateway in front of it reads it too.</summary>
    public string ApiSigningKeyFile => Path.Combine(StorageRoot, "test-secrets", "jwt-signing.key");

    /// <summary>
    /// Starts the gateway process in front of the api's current run, with the api's signing key (authentication is on
    /// by default at the gateway) and, with <paramref name="tls"/>, HTTPS with the test PKI's server certificate.
    /// </summary>
    public Task<GatewayProcess> StartGatewayAsync(IReadOnlyDictionary<string, string?>? settings = null, bool tls = true)
    {
        var all = GatewayProcess.SigningKeySettings(ApiSigningKeyFile);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return GatewayProcess.StartAsync(Running(Api).Address, all, tls);
    }

    /// <summary>The API key the api's web client sends (created by the first administrator at the api's first start).</summary>
    private string? _apiKey;

    /// <summary>The port dicom-ingest listens on (AE title RADAI, loopback); kept across its restarts.</summary>
    public int DicomPort { get; private set; }

    /// <summary>The api's web client (<c>/api/jobs</c>); a new one after the api restarts.</summary>
    public HttpClient ApiHttp => HttpOf(Api);

    /// <summary>An HttpClient pointed at a running service (its health endpoints; the api's REST).</summary>
    public HttpClient HttpOf(string service) => Running(service).Http;

    /// <summary>
    /// Starts the five services and waits until each is ready (<c>/health/ready</c>: database and broker reachable,
    /// bus started).
    /// </summary>
    /// <param name="broker">The broker settings in environment variable form (e.g. <see cref="RabbitMqTestVirtualHost.Settings"/>).</param>
    /// <param name="databaseConnectionString">The PostgreSQL database all services share (each migrates its own tables).</param>
    /// <param name="pacs">The hospital PACS: accepted senders of dicom-ingest, destinations of pacs-sender (AE title, host, port).</param>
    /// <param name="overrides">More settings per service (environment variable form), applied last.</param>
    public static async Task<PipelineCluster> StartAsync(
        IReadOnlyDictionary<string, string?> broker,
        string databaseConnectionString,
        IReadOnlyList<(string AeTitle, string Host, int Port)> pacs,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>>? overrides = null)
    {
        var members = Services.ToDictionary(s => s, _ => new Member());
        var cluster = new PipelineCluster(members);
        try
        {
            foreach (var (service, member) in members)
            {
                member.Settings = cluster.SettingsOf(service, broker, databaseConnectionString, pacs);
                if (overrides is not null && overrides.TryGetValue(service, out var more))
                {
                    foreach (var (key, value) in more)
                    {
                        member.Settings[key] = value;
                    }
                }
            }

            // All at once: the migrations of each service take the same lock, the rest is independent.
            await Task.WhenAll(Services.Select(cluster.StartServiceAsync));
            return cluster;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var tails = cluster.DescribeServices();
            await cluster.DisposeAsync();
            throw new InvalidOperationException($"The cluster did not start: {e.Message}\n{tails}", e);
        }
    }

    /// <summary>Starts a service (again, after <see cref="StopServiceAsync"/> or <see cref="KillServiceAsync"/>) with its settings, and waits until it is ready.</summary>
    public async Task StartServiceAsync(string service)
    {
        var member = _members[service];
        if (member.Current is { Process.HasExited: false })
        {
            throw new InvalidOperationException($"{service} is running.");
        }

        if (member.Current is { } previous)
        {
            member.PreviousOutput.Append(previous.Process.Output).Append('\n');
            await previous.DisposeAsync();
            member.Current = null;
        }

        var running = await RunningService.StartAsync(service, member.Settings, StartTimeout);
        member.Current = running;
        if (service == DicomIngest)
        {
            var line = await running.Process.WaitForLineAsync(l => DicomListening().IsMatch(l), StartTimeout, "dicom-ingest's listening line");
            var port = int.Parse(DicomListening().Match(line).Groups["port"].Value, CultureInfo.InvariantCulture);
            // A restart listens where the PACS already sends.
            member.Settings["DicomIngest__Port"] = port.ToString(CultureInfo.InvariantCulture);
            DicomPort = port;
        }

        await running.WaitUntilReadyAsync(StartTimeout);
        if (service == Api)
        {
            // The job endpoints need a signed-in caller: one API key, kept across restarts of the api (it is in the database).
            if (_apiKey is null)
            {
                _apiKey = await ApiAccess.SignInAsync(running.Http);
            }
            else
            {
                ApiAccess.Use(running.Http, _apiKey);
            }
        }
    }

    /// <summary>Stops a service gracefully (SIGTERM: it finishes or gives back what it was doing).</summary>
    public Task StopServiceAsync(string service) => Running(service).Process.StopAsync();

    /// <summary>Stops a service gracefully and starts it again (same settings, same DICOM port for dicom-ingest).</summary>
    public async Task RestartServiceAsync(string service)
    {
        await StopServiceAsync(service);
        await StartServiceAsync(service);
    }

    /// <summary>Kills a service (SIGKILL: a crash, no shutdown code runs).</summary>
    public Task KillServiceAsync(string service) => Running(service).Process.KillAsync();

    /// <summary>Whether the current run of a service is alive.</summary>
    public bool IsRunning(string service) => _members[service].Current is { Process.HasExited: false };

    /// <summary>The output of a service so far, its earlier runs included.</summary>
    public string OutputOf(string service)
    {
        var member = _members[service];
        return member.PreviousOutput + (member.Current?.Process.Output ?? "");
    }

    /// <summary>Writes each service's output, all runs, to <c>&lt;folder&gt;/&lt;service&gt;.log</c> (to read after a run).</summary>
    public async Task SaveOutputsAsync(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var service in Services)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, service + ".log"), OutputOf(service));
        }
    }

    /// <summary>The process of the current run of a service (e.g. to wait for one of its log lines).</summary>
    public ServiceProcess ProcessOf(string service) => Running(service).Process;

    /// <summary>The last lines each service printed (JSON log lines), for failure messages.</summary>
    public string DescribeServices(int lines = 25)
    {
        var text = new StringBuilder();
        foreach (var (service, member) in _members)
        {
            var state = member.Current is null ? "not started" : member.Current.Process.HasExited ? $"exited ({member.Current.Process.ExitCode})" : "running";
            var output = OutputOf(service).Split('\n');
            text.Append(CultureInfo.InvariantCulture, $"--- {service} ({state}), last {Math.Min(lines, output.Length)} lines:\n");
            text.AppendJoin('\n', output.TakeLast(lines)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Runs <paramref name="step"/>; a failure is rethrown with the services' last lines (once: a failure already explained passes through).</summary>
    public async Task<T> ExplainAsync<T>(Func<Task<T>> step)
    {
        try
        {
            return await step();
        }
        catch (Exception e) when (e is not (OutOfMemoryException or PipelineFailureException))
        {
            throw new PipelineFailureException($"{e.Message}\n{DescribeServices()}", e);
        }
    }

    /// <summary>Runs <paramref name="step"/>; a failure is rethrown with the services' last lines.</summary>
    public Task ExplainAsync(Func<Task> step) => ExplainAsync(async () =>
    {
        await step();
        return true;
    });

    /// <summary>The jobs of a study (the api's read model), most recent first.</summary>
    public async Task<IReadOnlyList<JsonElement>> JobsOfStudyAsync(string studyInstanceUid)
    {
        var jobs = await ApiHttp.GetFromJsonAsync<JsonElement>(new Uri("/api/jobs?limit=500", UriKind.Relative));
        return [.. jobs.EnumerateArray().Where(j => j.GetProperty("studyInstanceUid").GetString() == studyInstanceUid)];
    }

    /// <summary>
    /// Waits until the job of <paramref name="studyInstanceUid"/> has a status <paramref name="reached"/> accepts and
    /// returns it (<c>GET /api/jobs</c> entry); a timeout says the job's last status and the services' last lines.
    /// </summary>
    public Task<JsonElement> WaitForJobAsync(string studyInstanceUid, Func<string, bool> reached, TimeSpan timeout, string what)
    {
        var last = "(no job yet)";
        return ExplainAsync(async () => (JsonElement)await Eventually.ValueAsync(async () =>
        {
            var job = (await JobsOfStudyAsync(studyInstanceUid)).FirstOrDefault();
            if (job.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            last = job.GetProperty("status").GetString()!;
            return reached(last) ? (object)job : null;
        }, timeout, $"the job of study {studyInstanceUid} {what} (last status: {last})"));
    }

    /// <summary>Waits until the job of <paramref name="studyInstanceUid"/> has ended (<see cref="EndStatuses"/>).</summary>
    public Task<JsonElement> WaitUntilEndedAsync(string studyInstanceUid, TimeSpan timeout) =>
        WaitForJobAsync(studyInstanceUid, EndStatuses.Contains, timeout, "to end");

    /// <summary>A job and its timeline of events (<c>GET /api/jobs/{id}</c>).</summary>
    public Task<JsonElement> JobDetailAsync(Guid jobId) =>
        ApiHttp.GetFromJsonAsync<JsonElement>(new Uri($"/api/jobs/{jobId}", UriKind.Relative));

    /// <summary>The event types of a job's timeline, in order (e.g. StudyReceived, AnalysisDone, ReportReady, ReportDelivered).</summary>
    public async Task<IReadOnlyList<string>> TimelineAsync(Guid jobId)
    {
        var detail = await JobDetailAsync(jobId);
        return [.. detail.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("eventType").GetString()!)];
    }

    public async ValueTask DisposeAsync()
    {
        // SIGTERM to all at once: each may take seconds to stop.
        await Task.WhenAll(_members.Values.Where(m => m.Current is not null).Select(m => m.Current!.DisposeAsync().AsTask()));

        _storage.Dispose();
    }

    private Dictionary<string, string?> SettingsOf(string service, IReadOnlyDictionary<string, string?> broker, string databaseConnectionString, IReadOnlyList<(string AeTitle, string Host, int Port)> pacs)
    {
        var settings = new Dictionary<string, string?>(broker)
        {
            ["Database__Provider"] = "Postgres",
            ["Database__ConnectionString"] = databaseConnectionString,
            ["Storage__Root"] = StorageRoot,
        };
        switch (service)
        {
            case DicomIngest:
                settings["DicomIngest__Port"] = "0";
                settings["DicomIngest__BindAddress"] = "127.0.0.1";
                settings["DicomIngest__RequireKnownSenders"] = "true";
                // A study is complete shortly after its association is released (as the standalone tests).
                settings["DicomIngest__ReleaseGracePeriod"] = "00:00:00.200";
                settings["DicomIngest__CompletionPollInterval"] = "00:00:00.100";
                for (var i = 0; i < pacs.Count; i++)
                {
                    settings[$"DicomIngest__Senders__{i}__AeTitle"] = pacs[i].AeTitle;
                }

                break;
            case Inference:
                settings["Inference__UseCuda"] = "false";
                break;
            case Api:
                foreach (var (key, value) in ApiAccess.ServiceSettings(Path.GetDirectoryName(ApiSigningKeyFile)!))
                {
                    settings[key] = value;
                }

                break;
            case PacsSender:
                for (var i = 0; i < pacs.Count; i++)
                {
                    settings[$"PacsSender__Destinations__{i}__AeTitle"] = pacs[i].AeTitle;
                    settings[$"PacsSender__Destinations__{i}__Host"] = pacs[i].Host;
                    settings[$"PacsSender__Destinations__{i}__Port"] = pacs[i].Port.ToString(CultureInfo.InvariantCulture);
                }

                // Retries within seconds, not minutes, and never given up within a test; a lost attempt retaken soon.
                settings["PacsSender__InitialBackoff"] = "00:00:01";
                settings["PacsSender__MaxBackoff"] = "00:00:02";
                settings["PacsSender__MaxAttempts"] = "100";
                settings["PacsSender__PollInterval"] = "00:00:01";
                settings["PacsSender__ConnectTimeout"] = "00:00:02";
                settings["PacsSender__ResponseTimeout"] = "00:00:10";
                settings["PacsSender__AttemptLease"] = "00:00:15";
                break;
        }

        return settings;
    }

    private RunningService Running(string service) =>
        _members[service].Current ?? throw new InvalidOperationException($"{service} was never started.");

    [GeneratedRegex(@"listening on (?:\[[^\]]*\]|[0-9.]+):(?<port>\d+)")]
    private static partial Regex DicomListening();

    /// <summary>One service of the cluster: its settings and its current run.</summary>
    private sealed class Member
    {
        public Dictionary<string, string?> Settings { get; set; } = [];

        public RunningService? Current { get; set; }

        public StringBuilder PreviousOutput { get; } = new();
    }
}

/// <summary>A step of a test on the cluster failed; the message ends with the services' last lines.</summary>
public sealed class PipelineFailureException(string message, Exception inner) : Exception(message, inner);
