using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RadAI.Contracts.Models;
using RadAI.Contracts.Senders;
using RadAI.Data;
using RadAI.Data.Audit;
using RadAI.DicomIngest;
using RadAI.Hosting.Messaging;
using RadAI.Inference;
using RadAI.Testing;
using Xunit;

namespace RadAI.Api.Tests;

/// <summary>
/// <c>/api/senders</c>, <c>/api/models</c> and <c>/api/routing-profiles</c> with the real dicom-ingest and inference modules
/// answering on the in-memory bus (as in the standalone host), on both engines: changes land in their tables at once,
/// configured settings are read-only, the roles are enforced, and every change is audited with before and after.
/// </summary>
public sealed class AdministrationApiTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Senders_are_listed_changed_and_disabled_through_dicom_ingest_and_audited(DatabaseProvider provider)
    {
        using var storage = new TemporaryDirectory("radai-api-senders");
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var api = await ApiTestHost.StartAsync(db, new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "InMemory",
            ["Storage:Root"] = storage.Path,
            ["DicomIngest:Port"] = "0",
            ["DicomIngest:BindAddress"] = "127.0.0.1",
            ["DicomIngest:Senders:0:AeTitle"] = "MAIN-PACS",
        }, configure: builder =>
        {
            builder.AddRadAIMessaging(bus => bus.AddDicomIngestConsumers());
            builder.AddDicomIngest();
        });
        var admin = (await api.LoginAsync("admin", ApiTestHost.AdminPassword)).AccessToken;
        var radiologist = await api.CreateUserAndLoginAsync("radiologist", "radiologist");

        using var created = await api.SendAsync(HttpMethod.Put, "/api/senders/CT-SCANNER", admin, new { routingProfile = "chest-ct", stableTimeout = "00:00:40" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using (var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync()))
        {
            // The field names the dashboard reads.
            var sender = body.RootElement;
            Assert.Equal(("CT-SCANNER", JsonValueKind.Null, true, "chest-ct", "00:00:40", "api", true),
                (sender.GetProperty("aeTitle").GetString(), sender.GetProperty("host").ValueKind, sender.GetProperty("allowed").GetBoolean(), sender.GetProperty("routingProfile").GetString(),
                 sender.GetProperty("stableTimeout").GetString(), sender.GetProperty("source").GetString(), sender.GetProperty("enabled").GetBoolean()));
        }

        using var paused = await api.SendAsync(HttpMethod.Put, "/api/senders/CT-SCANNER", admin, new { host = "127.0.0.1", allowed = false });
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.Equal(("127.0.0.1", false, (string?)null), await ReadAsync<SenderInfo, (string?, bool, string?)>(paused, s => (s.Host, s.Allowed, s.RoutingProfile)));
        using var list = await api.SendAsync(HttpMethod.Get, "/api/senders", admin);
        Assert.Equal([("CT-SCANNER", "api"), ("MAIN-PACS", "config")], (await list.Content.ReadFromJsonAsync<List<SenderInfo>>(Json))!.Select(s => (s.AeTitle, s.Source)));
        using var one = await api.SendAsync(HttpMethod.Get, "/api/senders/MAIN-PACS", admin);
        Assert.Equal((true, true), await ReadAsync<SenderInfo, (bool, bool)>(one, s => (s.Allowed, s.Enabled)));

        using var configured = await api.SendAsync(HttpMethod.Put, "/api/senders/MAIN-PACS", admin, new { allowed = false });
        using var tooLong = await api.SendAsync(HttpMethod.Put, "/api/senders/AN-AE-TITLE-TOO-LONG", admin, new { });
        using var zero = await api.SendAsync(HttpMethod.Put, "/api/senders/SLOW", admin, new { stableTimeout = "00:00:00" });
        using var disableConfigured = await api.SendAsync(HttpMethod.Delete, "/api/senders/MAIN-PACS", admin);
        using var disableUnknown = await api.SendAsync(HttpMethod.Delete, "/api/senders/NOPE", admin);
        using var getUnknown = await api.SendAsync(HttpMethod.Get, "/api/senders/NOPE", admin);
        using var forbidden = await api.SendAsync(HttpMethod.Get, "/api/senders", radiologist);
        using var forbiddenPut = await api.SendAsync(HttpMethod.Put, "/api/senders/X", radiologist, new { });
        Assert.Equal(
            [HttpStatusCode.Conflict, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.Conflict, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden],
            new[] { configured, tooLong, zero, disableConfigured, disableUnknown, getUnknown, forbidden, forbiddenPut }.Select(r => r.StatusCode));
        Assert.Equal("application/problem+json", configured.Content.Headers.ContentType?.MediaType);

        using var disabled = await api.SendAsync(HttpMethod.Delete, "/api/senders/CT-SCANNER", admin);
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.False(await ReadAsync<SenderInfo, bool>(disabled, s => s.Enabled));

        var audit = (await AuditAsync(db)).Where(e => e.Action.StartsWith("sender.", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                ("sender.upsert", "success"), ("sender.upsert", "success"), ("sender.upsert", "failure"), ("sender.upsert", "failure"), ("sender.upsert", "failure"),
                ("sender.disable", "failure"), ("sender.disable", "failure"), ("sender.disable", "success"),
            ],
            audit.Select(e => (e.Action, e.Outcome)));
        Assert.All(audit, e => Assert.StartsWith("user:", e.Actor, StringComparison.Ordinal));
        using (var change = JsonDocument.Parse(audit[1].Details!))
        {
            Assert.True(change.RootElement.GetProperty("before").GetProperty("allowed").GetBoolean());
            Assert.False(change.RootElement.GetProperty("after").GetProperty("allowed").GetBoolean());
        }

        using (var readOnly = JsonDocument.Parse(audit[2].Details!))
        {
            Assert.Equal(("MAIN-PACS", "read-only"), (audit[2].Resource, readOnly.RootElement.GetProperty("reason").GetString()));
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Model_packages_and_routing_profiles_are_administered_through_inference_and_audited(DatabaseProvider provider)
    {
        using var storage = new TemporaryDirectory("radai-api-models");
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var api = await ApiTestHost.StartAsync(db, new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "InMemory",
            ["Storage:Root"] = storage.Path,
            ["Inference:PackagePaths:0"] = Path.Combine(RepositoryPaths.Root, "models"),
            ["Inference:DisabledPackages:0"] = "radai.mg.density",
            ["Inference:Profiles:chest:Packages:0"] = "radai.ct.lung-quant",
            ["Inference:Profiles:chest:Packages:1"] = "radai.ct.nodule-demo",
            ["Inference:UseCuda"] = "false",
            ["Inference:WarmUp"] = "false",
        }, configure: builder =>
        {
            builder.AddRadAIMessaging(bus => bus.AddInferenceConsumers());
            builder.AddInference();
        });
        var admin = (await api.LoginAsync("admin", ApiTestHost.AdminPassword)).AccessToken;
        var radiologist = await api.CreateUserAndLoginAsync("radiologist", "radiologist");
        var viewer = await api.CreateUserAndLoginAsync("viewer", "viewer");

        // Radiologists read the packages too.
        using var listed = await api.SendAsync(HttpMethod.Get, "/api/models", radiologist);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        using (var body = JsonDocument.Parse(await listed.Content.ReadAsStringAsync()))
        {
            var packages = body.RootElement.EnumerateArray().ToList();
            Assert.Equal(["radai.ct.lung-quant", "radai.ct.nodule-demo", "radai.dx.exposure-qc", "radai.mg.density", "radai.mr.brain-icv"], packages.Select(p => p.GetProperty("id").GetString()));
            var nodules = packages[1];
            // The field names the dashboard reads.
            Assert.Equal(("DEMO", true, "default", "CT"),
                (nodules.GetProperty("status").GetString(), nodules.GetProperty("enabled").GetBoolean(), nodules.GetProperty("source").GetString(), nodules.GetProperty("modalities")[0].GetString()));
            Assert.Equal(["chest"], nodules.GetProperty("profiles").EnumerateArray().Select(p => p.GetString()));
            Assert.False(string.IsNullOrEmpty(nodules.GetProperty("version").GetString()) || string.IsNullOrEmpty(nodules.GetProperty("name").GetString()) || string.IsNullOrEmpty(nodules.GetProperty("intendedUse").GetString()));
            Assert.Equal((false, "config"), (packages[3].GetProperty("enabled").GetBoolean(), packages[3].GetProperty("source").GetString()));
        }

        using var disabled = await api.SendAsync(HttpMethod.Put, "/api/models/radai.ct.nodule-demo/enabled", admin, new { enabled = false });
        Assert.Equal((false, "api"), await ReadAsync<ModelPackageInfo, (bool, string)>(disabled, p => (p.Enabled, p.Source)));
        using var one = await api.SendAsync(HttpMethod.Get, "/api/models/radai.ct.nodule-demo", admin);
        Assert.False(await ReadAsync<ModelPackageInfo, bool>(one, p => p.Enabled));
        using var created = await api.SendAsync(HttpMethod.Put, "/api/routing-profiles/neuro", admin, new { packages = new[] { "radai.mr.brain-icv" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using (var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync()))
        {
            Assert.Equal(("neuro", "radai.mr.brain-icv", "api"),
                (body.RootElement.GetProperty("name").GetString(), body.RootElement.GetProperty("packages")[0].GetString(), body.RootElement.GetProperty("source").GetString()));
        }

        using var replaced = await api.SendAsync(HttpMethod.Put, "/api/routing-profiles/neuro", admin, new { packages = Array.Empty<string>() });
        Assert.Equal(0, await ReadAsync<RoutingProfileInfo, int>(replaced, p => p.Packages.Count));
        using var profiles = await api.SendAsync(HttpMethod.Get, "/api/routing-profiles", admin);
        Assert.Equal([("chest", "config"), ("neuro", "api")], (await profiles.Content.ReadFromJsonAsync<List<RoutingProfileInfo>>(Json))!.Select(p => (p.Name, p.Source)));

        using var configuredPackage = await api.SendAsync(HttpMethod.Put, "/api/models/radai.mg.density/enabled", admin, new { enabled = true });
        using var unknownPackage = await api.SendAsync(HttpMethod.Put, "/api/models/no.such-package/enabled", admin, new { enabled = true });
        using var noValue = await api.SendAsync(HttpMethod.Put, "/api/models/radai.ct.nodule-demo/enabled", admin, new { });
        using var getUnknown = await api.SendAsync(HttpMethod.Get, "/api/models/no.such-package", admin);
        using var configuredProfile = await api.SendAsync(HttpMethod.Put, "/api/routing-profiles/chest", admin, new { packages = new[] { "radai.ct.lung-quant" } });
        using var unknownInProfile = await api.SendAsync(HttpMethod.Put, "/api/routing-profiles/neuro", admin, new { packages = new[] { "no.such-package" } });
        using var radiologistPut = await api.SendAsync(HttpMethod.Put, "/api/models/radai.ct.nodule-demo/enabled", radiologist, new { enabled = true });
        using var radiologistProfiles = await api.SendAsync(HttpMethod.Get, "/api/routing-profiles", radiologist);
        using var viewerModels = await api.SendAsync(HttpMethod.Get, "/api/models", viewer);
        Assert.Equal(
            [
                HttpStatusCode.Conflict, HttpStatusCode.NotFound, HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.Conflict, HttpStatusCode.BadRequest,
                HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden,
            ],
            new[] { configuredPackage, unknownPackage, noValue, getUnknown, configuredProfile, unknownInProfile, radiologistPut, radiologistProfiles, viewerModels }.Select(r => r.StatusCode));
        Assert.Contains("no.such-package", await unknownInProfile.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var audit = (await AuditAsync(db)).Where(e => e.Action.StartsWith("model.", StringComparison.Ordinal) || e.Action.StartsWith("routing-profile.", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                ("model.set-enabled", "success"), ("routing-profile.upsert", "success"), ("routing-profile.upsert", "success"),
                ("model.set-enabled", "failure"), ("model.set-enabled", "failure"), ("model.set-enabled", "failure"), ("routing-profile.upsert", "failure"), ("routing-profile.upsert", "failure"),
            ],
            audit.Select(e => (e.Action, e.Outcome)));
        using (var change = JsonDocument.Parse(audit[0].Details!))
        {
            Assert.Equal(("radai.ct.nodule-demo", true, false), (audit[0].Resource, change.RootElement.GetProperty("before").GetProperty("enabled").GetBoolean(), change.RootElement.GetProperty("after").GetProperty("enabled").GetBoolean()));
        }

        using (var creation = JsonDocument.Parse(audit[1].Details!))
        {
            Assert.Equal(JsonValueKind.Null, creation.RootElement.GetProperty("before").ValueKind);
        }

        using (var readOnly = JsonDocument.Parse(audit[3].Details!))
        {
            Assert.Equal(("radai.mg.density", "read-only"), (audit[3].Resource, readOnly.RootElement.GetProperty("reason").GetString()));
        }
    }

    private static async Task<T> ReadAsync<TInfo, T>(HttpResponseMessage response, Func<TInfo, T> select)
    {
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return select((await response.Content.ReadFromJsonAsync<TInfo>(Json))!);
    }

    private static async Task<IReadOnlyList<AuditEntry>> AuditAsync(TestDatabase db)
    {
        await using var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None);
        return [.. (await AuditChain.ListAsync(connection, null, 500, CancellationToken.None)).Reverse()];
    }
}
