using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RadAI.Contracts.Destinations;
using RadAI.Data;
using RadAI.Data.Audit;
using RadAI.Hosting.Messaging;
using RadAI.PacsSender;
using RadAI.Testing;
using Xunit;

namespace RadAI.Api.Tests;

/// <summary>
/// <c>/api/destinations</c> with the real pacs-sender module answering on the in-memory bus (as in the standalone host),
/// on both engines: changes land in pacs-sender's table at once, configured destinations are read-only, C-ECHO reaches a
/// real storescp, and every change is audited with what it was before and after.
/// </summary>
public sealed class DestinationsApiTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Destinations_are_listed_changed_disabled_and_echoed_through_pacs_sender_and_audited(DatabaseProvider provider)
    {
        using var storage = new TemporaryDirectory("radai-api-destinations");
        await using var pacs = await Storescp.StartAsync(Path.Combine(storage.Path, "pacs"), FreePort.Next());
        var closedPort = FreePort.Next();
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var api = await ApiTestHost.StartAsync(db, new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "InMemory",
            ["Storage:Root"] = storage.Path,
            ["PacsSender:EchoOnStart"] = "false",
            ["PacsSender:ConnectTimeout"] = "00:00:05",
            ["PacsSender:ResponseTimeout"] = "00:00:30",
            ["PacsSender:AttemptLease"] = "00:01:00",
            ["PacsSender:Destinations:0:AeTitle"] = "ARCHIVE",
            ["PacsSender:Destinations:0:Host"] = "127.0.0.1",
            ["PacsSender:Destinations:0:Port"] = closedPort.ToString(CultureInfo.InvariantCulture),
        }, configure: builder =>
        {
            builder.AddRadAIMessaging(bus => bus.AddPacsSenderConsumers());
            builder.AddPacsSender();
        });
        var admin = (await api.LoginAsync("admin", ApiTestHost.AdminPassword)).AccessToken;
        var viewer = await api.CreateUserAndLoginAsync("viewer", "viewer");

        // Created, then moved to a port where nothing listens.
        using var created = await api.SendAsync(HttpMethod.Put, "/api/destinations/PACS", admin, new { host = "127.0.0.1", port = pacs.Port, kinds = new[] { "SR" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var first = (await created.Content.ReadFromJsonAsync<DestinationInfo>(Json))!;
        Assert.Equal(("PACS", pacs.Port, "api", true), (first.AeTitle, first.Port, first.Source, first.Enabled));
        Assert.Equal(["SR"], first.Kinds);
        using var moved = await api.SendAsync(HttpMethod.Put, "/api/destinations/PACS", admin, new { host = "127.0.0.1", port = closedPort });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal((closedPort, 4), await ReadAsync(moved, d => (d.Port, d.Kinds.Count)));

        using var list = await api.SendAsync(HttpMethod.Get, "/api/destinations", admin);
        var all = (await list.Content.ReadFromJsonAsync<List<DestinationInfo>>(Json))!;
        Assert.Equal([("ARCHIVE", "config"), ("PACS", "api")], all.Select(d => (d.AeTitle, d.Source)));
        using var one = await api.SendAsync(HttpMethod.Get, "/api/destinations/PACS", admin);
        Assert.Equal(closedPort, await ReadAsync(one, d => d.Port));
        using var none = await api.SendAsync(HttpMethod.Get, "/api/destinations/NOPE", admin);
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);

        // C-ECHO: no association on the closed port (the reason), status 0 from storescp once moved back.
        using var refused = await api.SendAsync(HttpMethod.Post, "/api/destinations/PACS/echo", admin);
        var noAnswer = (await refused.Content.ReadFromJsonAsync<DestinationEchoed>(Json))!;
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Null(noAnswer.Status);
        Assert.Contains("Cannot connect", noAnswer.Error, StringComparison.Ordinal);
        using var back = await api.SendAsync(HttpMethod.Put, "/api/destinations/PACS", admin, new { host = "127.0.0.1", port = pacs.Port });
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        using var echoed = await api.SendAsync(HttpMethod.Post, "/api/destinations/PACS/echo", admin);
        var answered = (await echoed.Content.ReadFromJsonAsync<DestinationEchoed>(Json))!;
        Assert.Equal((0, (string?)null), (answered.Status, answered.Error));
        using var afterEcho = await api.SendAsync(HttpMethod.Get, "/api/destinations/PACS", admin);
        Assert.Equal((0, (string?)null), await ReadAsync(afterEcho, d => (d.LastEchoStatus, d.LastEchoError)));

        // Refusals: configured (read-only), invalid, unknown; and not an administrator.
        using var configured = await api.SendAsync(HttpMethod.Put, "/api/destinations/ARCHIVE", admin, new { host = "10.0.0.1", port = 104 });
        using var invalid = await api.SendAsync(HttpMethod.Put, "/api/destinations/OTHER", admin, new { host = "10.0.0.1", port = 104, kinds = new[] { "XRAY" } });
        using var tooLong = await api.SendAsync(HttpMethod.Put, "/api/destinations/AN-AE-TITLE-TOO-LONG", admin, new { host = "10.0.0.1", port = 104 });
        using var disableConfigured = await api.SendAsync(HttpMethod.Delete, "/api/destinations/ARCHIVE", admin);
        using var disableUnknown = await api.SendAsync(HttpMethod.Delete, "/api/destinations/NOPE", admin);
        using var echoUnknown = await api.SendAsync(HttpMethod.Post, "/api/destinations/NOPE/echo", admin);
        using var forbidden = await api.SendAsync(HttpMethod.Get, "/api/destinations", viewer);
        Assert.Equal(
            [HttpStatusCode.Conflict, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.Conflict, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.Forbidden],
            new[] { configured, invalid, tooLong, disableConfigured, disableUnknown, echoUnknown, forbidden }.Select(r => r.StatusCode));
        Assert.Equal("application/problem+json", configured.Content.Headers.ContentType?.MediaType);
        Assert.Contains("XRAY", await invalid.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Disabled, kept.
        using var disabled = await api.SendAsync(HttpMethod.Delete, "/api/destinations/PACS", admin);
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.False(await ReadAsync(disabled, d => d.Enabled));
        using var listed = await api.SendAsync(HttpMethod.Get, "/api/destinations", admin);
        Assert.False((await listed.Content.ReadFromJsonAsync<List<DestinationInfo>>(Json))!.Single(d => d.AeTitle == "PACS").Enabled);

        var audit = (await AuditAsync(db)).Where(e => e.Action.StartsWith("destination.", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                ("destination.upsert", "success"), ("destination.upsert", "success"), ("destination.echo", "failure"), ("destination.upsert", "success"),
                ("destination.echo", "success"), ("destination.upsert", "failure"), ("destination.upsert", "failure"), ("destination.upsert", "failure"),
                ("destination.disable", "failure"), ("destination.disable", "failure"), ("destination.disable", "success"),
            ],
            audit.Select(e => (e.Action, e.Outcome)));
        Assert.All(audit, e => Assert.StartsWith("user:", e.Actor, StringComparison.Ordinal));
        using (var move = JsonDocument.Parse(audit[1].Details!))
        {
            Assert.Equal(pacs.Port, move.RootElement.GetProperty("before").GetProperty("port").GetInt32());
            Assert.Equal(closedPort, move.RootElement.GetProperty("after").GetProperty("port").GetInt32());
        }

        using (var creation = JsonDocument.Parse(audit[0].Details!))
        {
            Assert.Equal(JsonValueKind.Null, creation.RootElement.GetProperty("before").ValueKind);
        }

        using (var readOnly = JsonDocument.Parse(audit[5].Details!))
        {
            Assert.Equal(("ARCHIVE", "read-only"), (audit[5].Resource, readOnly.RootElement.GetProperty("reason").GetString()));
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, Func<DestinationInfo, T> select)
    {
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return select((await response.Content.ReadFromJsonAsync<DestinationInfo>(Json))!);
    }

    private static async Task<IReadOnlyList<AuditEntry>> AuditAsync(TestDatabase db)
    {
        await using var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None);
        return [.. (await AuditChain.ListAsync(connection, null, 500, CancellationToken.None)).Reverse()];
    }
}
