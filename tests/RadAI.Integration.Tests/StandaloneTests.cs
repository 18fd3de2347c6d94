using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using RadAI.Testing;
using Xunit;

namespace RadAI.Integration.Tests;

/// <summary>README's first command: the standalone host, with no broker and no database server.</summary>
public sealed partial class StandaloneTests
{
    [Fact]
    public async Task Starts_with_embedded_defaults_and_answers_health_through_its_gateway_port()
    {
        using var data = new TemporaryDirectory("radai-standalone");
        // No Database or Messaging setting at all: the embedded defaults must do.
        var process = ServiceProcess.Start("RadAI.Standalone", new Dictionary<string, string?>(), "--dicom-port", "0", "--http-port", "0", "--data", data.Path);
        await using var _ = process;

        var line = await process.WaitForLineAsync(l => Listening().IsMatch(l), TimeSpan.FromSeconds(60), "the line saying where it listens");
        using var http = new HttpClient { BaseAddress = new Uri(Listening().Match(line).Groups["url"].Value) };

        // Ready once the models are loaded and the API behind the gateway answers (slow on a loaded machine).
        var gatewayHealth = default(JsonElement);
        await Eventually.UntilAsync(async () =>
        {
            using var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            gatewayHealth = await ready.Content.ReadFromJsonAsync<JsonElement>();
            return ready.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(120), "the standalone host to be ready");
        Assert.Equal("Healthy", gatewayHealth.GetProperty("status").GetString());

        var services = await http.GetFromJsonAsync<JsonElement>(new Uri("/api/health/ready", UriKind.Relative));
        var checks = services.GetProperty("checks");
        Assert.Equal("Sqlite reachable", checks.GetProperty("database").GetProperty("description").GetString());
        Assert.DoesNotContain("broker", checks.EnumerateObject().Select(p => p.Name));
        var endpoints = checks.GetProperty("masstransit-bus").GetProperty("data").GetProperty("Endpoints").EnumerateObject().Select(p => p.Name).ToList();
        Assert.All(endpoints, e => Assert.StartsWith("loopback://", e, StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(data.Path, "radai.db")));

        await process.StopAsync();
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task Without_any_switch_uses_the_documented_defaults_aet_radai_dicom_11112_http_8080_data_radai_data()
    {
        // The defaults need their fixed ports: say so plainly when something else holds them.
        foreach (var port in new[] { DefaultDicomPort, DefaultHttpPort })
        {
            Assert.True(PortIsFree(port), $"port {port} is in use by another program: the standalone defaults cannot be checked on this machine");
        }

        using var workingDirectory = new TemporaryDirectory("radai-standalone-defaults");
        var process = ServiceProcess.StartIn(workingDirectory.Path, "RadAI.Standalone", new Dictionary<string, string?>());
        await using var _ = process;

        var line = await process.WaitForLineAsync(l => Listening().IsMatch(l), TimeSpan.FromSeconds(60), "the line saying where it listens");
        Assert.Equal($"http://localhost:{DefaultHttpPort}/", Listening().Match(line).Groups["url"].Value);
        await process.WaitForLineAsync(l => l.Contains($"dicom-ingest: RADAI listening on ", StringComparison.Ordinal) && l.Contains($":{DefaultDicomPort}", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), $"dicom-ingest listening as RADAI on port {DefaultDicomPort}");

        // A real peer reaches AE title RADAI on port 11112, and the web entry answers on 8080.
        var echo = await ExternalTool.RunAsync("echoscu", "-aet", "ECHO-TEST", "-aec", "RADAI", "127.0.0.1", DefaultDicomPort.ToString(CultureInfo.InvariantCulture));
        echo.EnsureSuccess("echoscu to RADAI@127.0.0.1:11112");
        using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{DefaultHttpPort}/") };
        await Eventually.UntilAsync(async () =>
        {
            using var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            return ready.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(120), "the standalone host to be ready on port 8080");

        // ./radai-data is relative to where it was started.
        Assert.True(File.Exists(Path.Combine(workingDirectory.Path, "radai-data", "radai.db")), "radai-data/radai.db in the working directory");

        await process.StopAsync();
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task Exports_each_trace_once_under_its_own_service_name_though_it_hosts_two_web_applications()
    {
        using var data = new TemporaryDirectory("radai-standalone-otlp");
        await using var collector = new OtlpCapture();
        var process = ServiceProcess.Start("RadAI.Standalone", new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        }, "--dicom-port", "0", "--http-port", "0", "--data", data.Path);
        await using var _ = process;
        var line = await process.WaitForLineAsync(l => Listening().IsMatch(l), TimeSpan.FromSeconds(60), "the line saying where it listens");
        using var http = new HttpClient { BaseAddress = new Uri(Listening().Match(line).Groups["url"].Value) };

        // A request through the gateway to the api: spans in both web applications of the process (an anonymous path,
        // so that the gateway passes it on; refused by the api: the refresh token is unknown).
        const string marker = "/api/auth/refresh";
        await Eventually.UntilAsync(async () =>
        {
            using var refresh = await http.PostAsJsonAsync(new Uri(marker, UriKind.Relative), new { refreshToken = "not-a-token" });
            return refresh.StatusCode == HttpStatusCode.Unauthorized;
        }, TimeSpan.FromSeconds(120), "POST /api/auth/refresh through the gateway answered 401 by the api");
        await Eventually.UntilAsync(() => Task.FromResult(collector.Traces.Any(t => OtlpCapture.Contains(t, marker))), TimeSpan.FromSeconds(60), "the request's spans exported");

        // Stopping flushes every provider: a second one would export now at the latest.
        await process.StopAsync();
        Assert.All(collector.Traces, t => Assert.True(OtlpCapture.HasServiceName(t, "radai-standalone"), "a trace export from another resource than radai-standalone"));
        Assert.DoesNotContain(collector.Traces, t => OtlpCapture.HasServiceName(t, "gateway"));
    }

    private const int DefaultDicomPort = 11112;

    private const int DefaultHttpPort = 8080;

    private static bool PortIsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"RadAI standalone listening on (?<url>http://[^\s]+)")]
    private static partial Regex Listening();
}
