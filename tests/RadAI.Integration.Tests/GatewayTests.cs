using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenTelemetry;
using OpenTelemetry.Trace;
using RadAI.Testing;
using Xunit;

namespace RadAI.Integration.Tests;

/// <summary>The gateway process in front of the api process.</summary>
public sealed class GatewayTests : IAsyncLifetime
{
    private PostgresTestDatabase _database = null!;
    private RabbitMqTestVirtualHost _broker = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresTestDatabase.CreateAsync();
        _broker = await RabbitMqTestVirtualHost.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Proxies_the_api_forwards_the_trace_and_aggregates_health()
    {
        var apiSettings = ServiceSettings.For(_database, _broker);
        var api = await RunningService.StartAsync("RadAI.Api.Host", apiSettings);
        await using var _ = api;
        await api.WaitUntilReadyAsync();
        // The api made its signing key at start; the gateway reads the same file (authentication is on by default).
        await using var gateway = await RunningService.StartAsync("RadAI.Gateway.Host", new Dictionary<string, string?>(
            GatewayProcess.SigningKeySettings(apiSettings["Api__Security__SigningKeyFile"]!))
        {
            ["ReverseProxy__Clusters__api__Destinations__primary__Address"] = api.Address.ToString(),
        });

        // Health aggregated: the gateway is ready because the api is.
        var health = await gateway.WaitUntilReadyAsync();
        Assert.Equal("Healthy", health.GetProperty("checks").GetProperty("downstream").GetProperty("data").GetProperty("api/primary").GetString());

        // The api's own readiness, through the gateway's route table.
        using var proxied = await gateway.Http.GetAsync(new Uri("/api/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        var apiHealth = await proxied.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Postgres reachable", apiHealth.GetProperty("checks").GetProperty("database").GetProperty("description").GetString());

        // Signed in through the gateway: the administrator's token checked by both, then an API key, which the gateway
        // asks the api about (a key the api does not know stops at the gateway).
        await ApiAccess.SignInAsync(gateway.Http);
        using var jobs = await gateway.Http.GetAsync(new Uri("/api/jobs", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
        using (var stranger = new HttpClient { BaseAddress = gateway.Address })
        {
            ApiAccess.Use(stranger, "rk_not_a_key_of_this_node");
            using var refused = await stranger.GetAsync(new Uri("/api/jobs", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        // The caller's W3C trace continues in the api, even while the test process traces its own HttpClient calls, as it
        // does whenever an in-process host (EventFlowTests, RedeliveryTests) runs beside this test: OpenTelemetry's
        // HttpClient instrumentation then writes its own traceparent over the one a request carries.
        using var testProcessTracing = Sdk.CreateTracerProviderBuilder().AddHttpClientInstrumentation().Build();
        const string TraceId = "0af7651916cd43dd8448eb211c80319c";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/system/info");
        request.Headers.Add("traceparent", $"00-{TraceId}-b7ad6b7169203331-01");
        using var info = await gateway.Http.SendAsync(request);
        var body = await info.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("api", body.GetProperty("service").GetString());
        Assert.Equal(TraceId, body.GetProperty("traceId").GetString());

        // The api goes away: the gateway stops reporting ready.
        await api.Process.StopAsync();
        await Eventually.UntilAsync(async () =>
        {
            using var response = await gateway.Http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            return response.StatusCode == HttpStatusCode.ServiceUnavailable;
        }, TimeSpan.FromSeconds(30), "the gateway to report not ready");
    }

    [ChromiumFact]
    public async Task The_api_reference_renders_in_headless_chromium_through_the_gateway_without_credentials()
    {
        var apiSettings = ServiceSettings.For(_database, _broker);
        var api = await RunningService.StartAsync("RadAI.Api.Host", apiSettings);
        await using var _ = api;
        await api.WaitUntilReadyAsync();
        await using var gateway = await GatewayProcess.StartAsync(api.Address, GatewayProcess.SigningKeySettings(apiSettings["Api__Security__SigningKeyFile"]!));

        // The page, its embedded script and the OpenAPI document it fetches all come through the gateway, anonymously;
        // what the browser shows once the script ran (the DOM's text: styles, scripts and tags left out).
        var dom = await HeadlessChromium.DumpDomAsync(new Uri(gateway.Http, "/api/reference/"), TimeSpan.FromSeconds(20));
        var text = Regex.Replace(Regex.Replace(Regex.Replace(dom, "<(style|script)[^>]*>.*?</\\1>", " ", RegexOptions.Singleline), "<[^>]+>", " "), @"\s+", " ");
        // The document's own description (fetched from /api/openapi/v1.json), its groups, and an operation laid out.
        Assert.Contains("REST API of a RadAI node", text, StringComparison.Ordinal);
        foreach (var group in new[] { "Jobs", "Auth", "Users", "Statistics" })
        {
            Assert.Contains($"Open Group - {group}", text, StringComparison.Ordinal);
        }

        Assert.Matches(@"\b(get|post|put|delete) /api/[a-z]", text);
    }
}
