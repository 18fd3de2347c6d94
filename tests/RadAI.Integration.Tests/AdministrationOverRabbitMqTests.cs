using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RadAI.Testing;
using Xunit;

namespace RadAI.Integration.Tests;

/// <summary>
/// The api's configuration requests answered by the services that own the configuration, each host its own process on
/// the real RabbitMQ and PostgreSQL: destinations (pacs-sender), senders (dicom-ingest), model packages and routing
/// profiles (inference), one call of each kind through the api's HTTP endpoints.
/// </summary>
public sealed class AdministrationOverRabbitMqTests : IAsyncLifetime
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
    public async Task Every_kind_of_administration_request_is_answered_over_RabbitMQ()
    {
        var settings = ServiceSettings.For(_database, _broker);
        settings["PacsSender__EchoOnStart"] = "false";
        settings["DicomIngest__Senders__0__AeTitle"] = "MAIN-PACS";
        settings["Inference__UseCuda"] = "false";
        settings["Inference__WarmUp"] = "false";
        settings["Inference__Profiles__chest__Packages__0"] = "radai.ct.lung-quant";
        var hosts = await Task.WhenAll(
            RunningService.StartAsync("RadAI.Api.Host", settings),
            RunningService.StartAsync("RadAI.PacsSender.Host", settings),
            RunningService.StartAsync("RadAI.DicomIngest.Host", settings),
            RunningService.StartAsync("RadAI.Inference.Host", settings));
        try
        {
            // Ready: each bus is connected and its endpoints bound.
            await Task.WhenAll(hosts.Select(h => h.WaitUntilReadyAsync(TimeSpan.FromSeconds(120))));
            var http = hosts[0].Http;
            await ApiAccess.SignInAsync(http, role: "admin");

            // pacs-sender
            Assert.Equal(HttpStatusCode.Created, await StatusAsync(http, HttpMethod.Put, "/api/destinations/ARCHIVE", new { host = "127.0.0.1", port = 104 }));
            Assert.Equal(["ARCHIVE"], (await ListAsync(http, "/api/destinations")).Select(d => d.GetProperty("aeTitle").GetString()));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, HttpMethod.Delete, "/api/destinations/ARCHIVE"));

            // dicom-ingest
            Assert.Equal(HttpStatusCode.Created, await StatusAsync(http, HttpMethod.Put, "/api/senders/CT-ROOM-1", new { routingProfile = "chest" }));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, HttpMethod.Delete, "/api/senders/CT-ROOM-1"));
            Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(http, HttpMethod.Delete, "/api/senders/MAIN-PACS"));
            var senders = await ListAsync(http, "/api/senders");
            Assert.Equal([("CT-ROOM-1", false), ("MAIN-PACS", true)], senders.Select(s => (s.GetProperty("aeTitle").GetString(), s.GetProperty("enabled").GetBoolean())));

            // inference
            var models = await ListAsync(http, "/api/models");
            Assert.Contains(models, m => m.GetProperty("id").GetString() == "radai.ct.lung-quant" && m.GetProperty("profiles")[0].GetString() == "chest");
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, HttpMethod.Put, "/api/models/radai.ct.nodule-demo/enabled", new { enabled = false }));
            Assert.False((await ListAsync(http, "/api/models")).Single(m => m.GetProperty("id").GetString() == "radai.ct.nodule-demo").GetProperty("enabled").GetBoolean());
            Assert.Equal(HttpStatusCode.Created, await StatusAsync(http, HttpMethod.Put, "/api/routing-profiles/neuro", new { packages = new[] { "radai.mr.brain-icv" } }));
            Assert.Equal([("chest", "config"), ("neuro", "api")],
                (await ListAsync(http, "/api/routing-profiles")).Select(p => (p.GetProperty("name").GetString(), p.GetProperty("source").GetString())));
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<IReadOnlyList<JsonElement>> ListAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()];
    }
}
