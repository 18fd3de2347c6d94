using System.Text.Json;
using RadAI.Api.Security;
using RadAI.Data.Audit;
using Xunit;

namespace RadAI.Api.Tests.Authorization;

/// <summary>
/// Every login (success and failure), refresh, logout, download (allowed, absent, refused), refused credential,
/// configuration change and job action leaves exactly one audit entry: who (actor), when (the api's clock), from where
/// (the client address the gateway forwards), what (action and resource) and the outcome; on the real PostgreSQL.
/// Tampering is covered by SecurityApiTests (the verify endpoint) and AuditChainTests.
/// </summary>
public sealed class AuditTrailTests(ApiNode node) : IClassFixture<ApiNode>
{
    /// <summary>
    /// One audited call and the entry it must leave: the resource is computed from the request and the answer's body (null
    /// when the entry names none); without <c>Actor</c> the actor is the caller's own (<see cref="ApiNode.ActorOf"/>).
    /// </summary>
    public sealed record AuditCase(
        string Name, Caller Caller, string Method, Func<ApiNode, Task<RequestSpec>> Request, int Status, string Action, string Outcome,
        Func<ApiNode, RequestSpec, string, Task<string?>> Resource, Func<ApiNode, Task<string>>? Actor = null)
    {
        public override string ToString() => Name;
    }

    private static Func<ApiNode, Task<RequestSpec>> To(string path, object? body = null) => _ => Task.FromResult(new RequestSpec(path, body));

    private static Func<ApiNode, Task<RequestSpec>> To(Func<ApiNode, RequestSpec> spec) => n => Task.FromResult(spec(n));

    private static Func<ApiNode, RequestSpec, string, Task<string?>> Is(Func<ApiNode, string?> resource) => (n, _, _) => Task.FromResult(resource(n));

    private static Func<ApiNode, RequestSpec, string, Task<string?>> PathOfRequest => (_, spec, _) => Task.FromResult<string?>(spec.Path);

    private static Func<ApiNode, RequestSpec, string, Task<string?>> None => (_, _, _) => Task.FromResult<string?>(null);

    private static Func<ApiNode, Task<string>> UserActor(string username) => async n => AuditActors.User(await n.UserIdAsync(username));

    private static readonly Guid Absent = Guid.NewGuid();

    public static IReadOnlyList<AuditCase> Cases { get; } =
    [
        new("login succeeded", Caller.Anonymous, "POST", To("/api/auth/login", new { username = ApiNode.LoginUser, password = ApiNode.LoginPassword }), 200,
            "auth.login", AuditOutcome.Success, async (n, _, _) => AuditActors.User(await n.UserIdAsync(ApiNode.LoginUser)), UserActor(ApiNode.LoginUser)),
        new("login with a wrong password", Caller.Anonymous, "POST", To("/api/auth/login", new { username = ApiNode.LoginUser, password = "not the password" }), 401,
            "auth.login", AuditOutcome.Failure, async (n, _, _) => AuditActors.User(await n.UserIdAsync(ApiNode.LoginUser)), UserActor(ApiNode.LoginUser)),
        new("login of an unknown user", Caller.Anonymous, "POST", To("/api/auth/login", new { username = "nobody", password = "whatever it is" }), 401,
            "auth.login", AuditOutcome.Failure, None),
        new("refresh", Caller.Anonymous, "POST", async n => new RequestSpec("/api/auth/refresh", new { refreshToken = await n.FreshRefreshTokenAsync() }), 200,
            "auth.refresh", AuditOutcome.Success, async (n, _, _) => AuditActors.User(await n.UserIdAsync(ApiNode.LoginUser)), UserActor(ApiNode.LoginUser)),
        new("refresh with an unknown token", Caller.Anonymous, "POST", To("/api/auth/refresh", new { refreshToken = "rt_" + new string('A', 43) }), 401,
            "auth.refresh", AuditOutcome.Failure, None),
        new("logout", Caller.Anonymous, "POST", async n => new RequestSpec("/api/auth/logout", new { refreshToken = await n.FreshRefreshTokenAsync() }), 204,
            "auth.logout", AuditOutcome.Success, async (n, _, _) => AuditActors.User(await n.UserIdAsync(ApiNode.LoginUser)), UserActor(ApiNode.LoginUser)),
        new("an expired token", Caller.ExpiredAdminToken, "GET", To("/api/users"), 401, "auth.rejected", AuditOutcome.Failure, PathOfRequest),
        new("a revoked API key", Caller.RevokedAdminKey, "GET", To("/api/users"), 401, "auth.rejected", AuditOutcome.Failure, PathOfRequest),
        new("an unknown API key", Caller.UnknownKey, "GET", To("/api/jobs"), 401, "auth.rejected", AuditOutcome.Failure, PathOfRequest),
        new("a report downloaded", Caller.Radiologist, "GET", To(n => new RequestSpec($"/api/jobs/{n.JobId}/report/sr")), 200,
            "report.download", "success", Is(n => $"job:{n.JobId:D}")),
        new("a report downloaded with a key", Caller.RadiologistKey, "GET", To(n => new RequestSpec($"/api/jobs/{n.JobId}/report/pdf?format=pdf")), 200,
            "report.download", "success", Is(n => $"job:{n.JobId:D}")),
        new("a report of an absent job", Caller.Radiologist, "GET", To($"/api/jobs/{Absent}/report/sr"), 404,
            "report.download", "not-found", Is(_ => $"job:{Absent:D}")),
        new("a report refused to a viewer", Caller.Viewer, "GET", To(n => new RequestSpec($"/api/jobs/{n.JobId}/report/sr")), 403,
            "access.denied", AuditOutcome.Denied, PathOfRequest),
        new("a report refused to an administrator's key", Caller.AdminKey, "GET", To(n => new RequestSpec($"/api/jobs/{n.JobId}/report/seg")), 403,
            "access.denied", AuditOutcome.Denied, PathOfRequest),
        new("the users refused to a radiologist", Caller.Radiologist, "GET", To("/api/users"), 403, "access.denied", AuditOutcome.Denied, PathOfRequest),
        new("a user created", Caller.Admin, "POST", To(n => new RequestSpec("/api/users", new { username = $"audit-user-{n.Next()}", password = "a long enough password", role = "radiologist" })), 201,
            "user.create", AuditOutcome.Success, (_, _, body) => Task.FromResult<string?>($"user:{JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()}")),
        new("a role changed", Caller.Admin, "PUT", async n => new RequestSpec($"/api/users/{await n.UserIdAsync(ApiNode.TargetUser)}/role", new { role = "radiologist" }), 204,
            "user.role", AuditOutcome.Success, async (n, _, _) => AuditActors.User(await n.UserIdAsync(ApiNode.TargetUser))),
        new("a user disabled", Caller.Admin, "POST", async n => new RequestSpec($"/api/users/{await n.UserIdAsync(ApiNode.TargetUser)}/disable"), 204,
            "user.disable", AuditOutcome.Success, async (n, _, _) => AuditActors.User(await n.UserIdAsync(ApiNode.TargetUser))),
        new("a user enabled", Caller.AdminKey, "POST", async n => new RequestSpec($"/api/users/{await n.UserIdAsync(ApiNode.TargetUser)}/enable"), 204,
            "user.enable", AuditOutcome.Success, async (n, _, _) => AuditActors.User(await n.UserIdAsync(ApiNode.TargetUser))),
        new("a password reset", Caller.Admin, "PUT", async n => new RequestSpec($"/api/users/{await n.UserIdAsync(ApiNode.TargetUser)}/password", new { password = "a new long password" }), 204,
            "user.password", AuditOutcome.Success, async (n, _, _) => AuditActors.User(await n.UserIdAsync(ApiNode.TargetUser))),
        new("a role change of an absent user", Caller.Admin, "PUT", To($"/api/users/{Absent}/role", new { role = "viewer" }), 404,
            "user.role", AuditOutcome.Failure, Is(_ => AuditActors.User(Absent))),
        new("the last administrator disabled", Caller.AdminKey, "POST", async n => new RequestSpec($"/api/users/{await n.UserIdAsync("admin")}/disable"), 409,
            "user.disable", AuditOutcome.Failure, async (n, _, _) => AuditActors.User(await n.UserIdAsync("admin"))),
        new("a password too short", Caller.Admin, "PUT", async n => new RequestSpec($"/api/users/{await n.UserIdAsync(ApiNode.TargetUser)}/password", new { password = "short" }), 400,
            "user.password", AuditOutcome.Failure, async (n, _, _) => AuditActors.User(await n.UserIdAsync(ApiNode.TargetUser))),
        new("an API key created", Caller.Admin, "POST", To(n => new RequestSpec("/api/api-keys", new { name = $"audit-key-{n.Next()}", role = "viewer" })), 201,
            "apikey.create", AuditOutcome.Success,
            (_, _, body) => Task.FromResult<string?>($"apikey:{JsonDocument.Parse(body).RootElement.GetProperty("apiKey").GetProperty("id").GetString()}")),
        new("an API key revoked", Caller.Admin, "DELETE", async n => new RequestSpec($"/api/api-keys/{(await n.CreateKeyAsync("viewer")).ApiKey.Id}"), 204,
            "apikey.revoke", AuditOutcome.Success, (_, spec, _) => Task.FromResult<string?>($"apikey:{spec.Path.Split('/')[^1]}")),
        new("an API key with an unknown role", Caller.Admin, "POST", To("/api/api-keys", new { name = "robot", role = "root" }), 400,
            "apikey.create", AuditOutcome.Failure, None),
        new("a revoke of an absent key", Caller.Admin, "DELETE", To($"/api/api-keys/{Absent}"), 404,
            "apikey.revoke", AuditOutcome.Failure, Is(_ => AuditActors.ApiKey(Absent))),
        new("a destination created", Caller.Admin, "PUT", To(n => new RequestSpec($"/api/destinations/AUDIT{n.Next()}", new { host = "127.0.0.1", port = 104 })), 201,
            "destination.upsert", AuditOutcome.Success, (_, spec, _) => Task.FromResult<string?>(spec.Path.Split('/')[^1])),
        new("a destination refused", Caller.Admin, "PUT", To("/api/destinations/AUDITBAD", new { host = "", port = 0 }), 400,
            "destination.upsert", AuditOutcome.Failure, Is(_ => "AUDITBAD")),
        new("a destination disabled", Caller.Admin, "DELETE", async n =>
        {
            var ae = $"AUDITOFF{n.Next()}";
            using var created = await n.Api.SendAsync(HttpMethod.Put, $"/api/destinations/{ae}", n.BearerOf(Caller.Admin), new { host = "127.0.0.1", port = 104 });
            Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
            return new RequestSpec($"/api/destinations/{ae}");
        }, 200, "destination.disable", AuditOutcome.Success, (_, spec, _) => Task.FromResult<string?>(spec.Path.Split('/')[^1])),
        new("studies erased", Caller.Admin, "POST", To("/api/patients/erase", new { studyInstanceUids = new[] { "1.2.826.0.1.3680043.10.543.998" } }), 200,
            "patient.erase", AuditOutcome.Success, None),
        new("a resend of an absent job", Caller.Radiologist, "POST", To($"/api/jobs/{Absent}/resend", new { }), 404, "job.resend", "not-found", Is(_ => $"job:{Absent:D}")),
        new("a rerun of an absent job", Caller.Admin, "POST", To($"/api/jobs/{Absent}/rerun"), 404, "job.rerun", "not-found", Is(_ => $"job:{Absent:D}")),
        new("the audit log verified", Caller.Admin, "GET", To("/api/audit/verify"), 200, "audit.verify", AuditOutcome.Success, None),
        new("the audit log exported", Caller.AdminKey, "GET", To("/api/audit/export"), 200, "audit.export", AuditOutcome.Success, None),
    ];

    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach (var c in Cases)
        {
            names.Add(c.Name);
        }

        return names;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Leaves_exactly_one_entry_with_who_when_where_what_and_outcome(string name)
    {
        var audited = Cases.Single(c => c.Name == name);
        var spec = await audited.Request(node);
        var address = $"198.51.100.{node.Next() % 250 + 1}";
        var head = await node.AuditHeadAsync();

        using var request = node.Request(audited.Caller, new HttpMethod(audited.Method), spec.Path, spec.Body, forwardedFor: address);
        var (response, body) = await node.SendAsync(request);
        response.Dispose();

        Assert.True((int)response.StatusCode == audited.Status, $"{name}: {(int)response.StatusCode}, expected {audited.Status}. {body}");
        var entry = Assert.Single(await node.AuditAfterAsync(head));
        var actor = audited.Actor is null ? node.ActorOf(audited.Caller) : await audited.Actor(node);
        Assert.Equal(
            (actor, node.Clock.GetUtcNow(), address, audited.Action, await audited.Resource(node, spec, body), audited.Outcome),
            (entry.Actor, entry.OccurredAt, entry.Source, entry.Action, entry.Resource, entry.Outcome));
    }
}
