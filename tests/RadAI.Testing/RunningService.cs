using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RadAI.Testing;

/// <summary>
/// A RadAI web host started as a process on a port it picks itself (no port race), with the
/// address it printed, and an HttpClient pointed at it.
/// </summary>
public sealed partial class RunningService : IAsyncDisposable
{
    private RunningService(ServiceProcess process, Uri address)
    {
        Process = process;
        Address = address;
        // No tracing of the test's requests at all: a test that sends a traceparent means that one. A no-output propagator
        // is not enough: the handler would still start an activity and raise HttpHandlerDiagnosticListener's events, and
        // OpenTelemetry's HttpClient instrumentation (an in-process host's telemetry, e.g. EventFlowTests running beside)
        // then writes its own traceparent over the request's. No propagator leaves the diagnostics handler out.
        Http = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public ServiceProcess Process { get; }

    public Uri Address { get; }

    public HttpClient Http { get; }

    /// <summary>Starts a host with <c>Urls=http://127.0.0.1:0</c> and waits until it says where it listens.</summary>
    public static async Task<RunningService> StartAsync(string assemblyName, IReadOnlyDictionary<string, string?> settings, TimeSpan? timeout = null)
    {
        var environment = new Dictionary<string, string?>(settings) { ["Urls"] = "http://127.0.0.1:0" };
        var process = ServiceProcess.Start(assemblyName, environment);
        try
        {
            var line = await process.WaitForLineAsync(l => ListeningAddress().IsMatch(l), timeout ?? TimeSpan.FromSeconds(60), "Now listening on");
            return new RunningService(process, new Uri(ListeningAddress().Match(line).Groups["url"].Value));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200 and returns the report.</summary>
    public async Task<JsonElement> WaitUntilReadyAsync(TimeSpan? timeout = null)
    {
        JsonElement report = default;
        await Eventually.UntilAsync(async () =>
        {
            using var response = await Http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            report = await response.Content.ReadFromJsonAsync<JsonElement>();
            return response.IsSuccessStatusCode;
        }, timeout ?? TimeSpan.FromSeconds(60), $"{Process.Name} /health/ready to answer 200 (last: {report})");
        return report;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Process.DisposeAsync();
    }

    [GeneratedRegex(@"Now listening on: (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningAddress();
}
