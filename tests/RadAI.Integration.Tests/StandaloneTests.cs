using System.Net.Http.Json;
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
        var process = ServiceProcess.Start("RadAI.Standalone", new Dictionary<string, string?>(), "--http-port", "0", "--data", data.Path);
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

    [GeneratedRegex(@"RadAI standalone listening on (?<url>http://[^\s]+)")]
    private static partial Regex Listening();
}
