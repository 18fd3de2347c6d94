using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RadAI.Api.Apis;
using RadAI.Api.Security;
using RadAI.Data;
using RadAI.Data.Audit;
using Xunit;

namespace RadAI.Api.Tests;

/// <summary>Sign-in, tokens, roles, API keys, first administrator and audit entries through the HTTP API, on both engines.</summary>
public sealed class SecurityApiTests
{
    private static async Task<IReadOnlyList<AuditEntry>> AuditAsync(TestDatabase db)
    {
        await using var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None);
        return [.. (await AuditChain.ListAsync(connection, null, 500, CancellationToken.None)).Reverse()];
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("title").GetString()));
    }

    private static string? Detail(AuditEntry entry, string name) =>
        entry.Details is null ? null : JsonDocument.Parse(entry.Details).RootElement.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task The_first_admin_comes_from_the_password_file_and_signs_in_with_audited_success_and_failure(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var api = await ApiTestHost.StartAsync(db);

        using var wrong = await api.Client.PostAsJsonAsync("/api/auth/login", new AuthApi.LoginRequest("admin", "not the password"));
        using var unknown = await api.Client.PostAsJsonAsync("/api/auth/login", new AuthApi.LoginRequest("nobody", ApiTestHost.AdminPassword));
        var tokens = await api.LoginAsync("ADMIN", ApiTestHost.AdminPassword);

        await AssertProblemAsync(wrong, HttpStatusCode.Unauthorized);
        await AssertProblemAsync(unknown, HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", tokens.TokenType);
        Assert.Equal(900, tokens.ExpiresIn);
        Assert.StartsWith("rt_", tokens.RefreshToken, StringComparison.Ordinal);
        using var me = await api.SendAsync(HttpMethod.Get, "/api/auth/me", bearer: tokens.AccessToken);
        var caller = await me.Content.ReadFromJsonAsync<AuthApi.Caller>();
        Assert.Equal("admin", caller!.Name);
        Assert.Equal(["admin"], caller.Roles);
        Assert.Equal("user", caller.Kind);

        var audit = await AuditAsync(db);
        Assert.Equal(["user.bootstrap", "auth.login", "auth.login", "auth.login"], audit.Select(e => e.Action));
        Assert.Equal("system", audit[0].Actor);
        Assert.Equal(($"user:{caller.Id}", "failure", "wrong_password"), (audit[1].Actor, audit[1].Outcome, Detail(audit[1], "reason")));
        Assert.Equal(("anonymous", "failure", "unknown_user", "nobody"), (audit[2].Actor, audit[2].Outcome, Detail(audit[2], "reason"), Detail(audit[2], "username")));
        Assert.Equal(($"user:{caller.Id}", "success"), (audit[3].Actor, audit[3].Outcome));
        // No password, hash or token ever reaches the audit log.
        Assert.All(audit, e => Assert.DoesNotContain(ApiTestHost.AdminPassword, e.Details ?? "", StringComparison.Ordinal));
        Assert.All(audit, e => Assert.DoesNotContain(tokens.RefreshToken, e.Details ?? "", StringComparison.Ordinal));
        Assert.StartsWith("$argon2id$v=19$m=1024,t=1,p=1$", await db.ScalarAsync<string>("SELECT password_hash FROM users"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_audit_source_is_the_forwarded_client_address_when_trusted()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var api = await ApiTestHost.StartAsync(db);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = JsonContent.Create(new AuthApi.LoginRequest("admin", "wrong password!")) };
        request.Headers.Add("X-Forwarded-For", "203.0.113.7, 10.0.0.1");

        using var response = await api.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("203.0.113.7", (await AuditAsync(db))[^1].Source);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Without_a_password_file_no_user_is_created_and_the_log_says_how(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var api = await ApiTestHost.StartAsync(db, withAdminPassword: false);

        Assert.Equal(0, await db.ScalarAsync<long>("SELECT COUNT(*) FROM users"));
        Assert.Contains(api.Logs.Lines, l => l.Contains("there is no default password", StringComparison.Ordinal) && l.Contains("Api:Security:InitialAdminPasswordFile", StringComparison.Ordinal));
        foreach (var password in new[] { "admin", "password", "radai", "" , ApiTestHost.AdminPassword })
        {
            using var response = await api.Client.PostAsJsonAsync("/api/auth/login", new AuthApi.LoginRequest("admin", password));
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_password_file_with_a_short_password_stops_the_start()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        using var folder = new RadAI.Testing.TemporaryDirectory();
        var file = Path.Combine(folder.Path, "short");
        await File.WriteAllTextAsync(file, "short\n");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ApiTestHost.StartAsync(db, new Dictionary<string, string?> { ["Api:Security:InitialAdminPasswordFile"] = file }));

        Assert.Contains("Api:Security:InitialAdminPasswordFile", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT COUNT(*) FROM users"));
    }

    [Theory]
    [InlineData("c2hvcnQ=", "at least 32 are required")]
    [InlineData("not base64 !!", "not base64")]
    public async Task An_unusable_signing_key_stops_the_start(string key, string reason)
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ApiTestHost.StartAsync(db, new Dictionary<string, string?>
        {
            ["Api:Security:SigningKeyFile"] = null,
            ["Api:Security:SigningKey"] = key,
        }));

        Assert.Contains("Api:Security:SigningKey", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_signing_key_local_sign_in_is_off_and_says_so()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var api = await ApiTestHost.StartAsync(db, new Dictionary<string, string?> { ["Api:Security:SigningKeyFile"] = null });

        using var response = await api.Client.PostAsJsonAsync("/api/auth/login", new AuthApi.LoginRequest("admin", ApiTestHost.AdminPassword));

        await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Contains(api.Logs.Lines, l => l.Contains("Local sign-in is off", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Repeated_failures_lock_the_account_even_against_the_right_password(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var api = await ApiTestHost.StartAsync(db, new Dictionary<string, string?> { ["Api:Security:MaxFailedLogins"] = "3" });

        for (var i = 0; i < 3; i++)
        {
            using var wrong = await api.Client.PostAsJsonAsync("/api/auth/login", new AuthApi.LoginRequest("admin", $"wrong password {i}"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var locked = await api.Client.PostAsJsonAsync("/api/auth/login", new AuthApi.LoginRequest("admin", ApiTestHost.AdminPassword));

        await AssertProblemAsync(locked, HttpStatusCode.Unauthorized);
        var audit = await AuditAsync(db);
        Assert.Equal("true", Detail(audit[^2], "lockedNow"));
        Assert.Equal("locked", Detail(audit[^1], "reason"));
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task A_refresh_token_rotates_and_its_reuse_ends_the_session(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var api = await ApiTestHost.StartAsync(db);
        var first = await api.LoginAsync("admin", ApiTestHost.AdminPassword);

        using var rotated = await api.Client.PostAsJsonAsync("/api/auth/refresh", new AuthApi.RefreshRequest(first.RefreshToken));
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var second = (await rotated.Content.ReadFromJsonAsync<TokenPair>())!;
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        using (var me = await api.SendAsync(HttpMethod.Get, "/api/auth/me", bearer: second.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }

        // The spent token again: refused, and the session it belongs to is revoked (the second token too).
        using var replay = await api.Client.PostAsJsonAsync("/api/auth/refresh", new AuthApi.RefreshRequest(first.RefreshToken));
        using var afterReplay = await api.Client.PostAsJsonAsync("/api/auth/refresh", new AuthApi.RefreshRequest(second.RefreshToken));
        using var garbage = await api.Client.PostAsJsonAsync("/api/auth/refresh", new AuthApi.RefreshRequest("rt_not-a-token"));

        await AssertProblemAsync(replay, HttpStatusCode.Unauthorized);
        await AssertProblemAsync(afterReplay, HttpStatusCode.Unauthorized);
        await AssertProblemAsync(garbage, HttpStatusCode.Unauthorized);
        var refreshes = (await AuditAsync(db)).Where(e => e.Action == "auth.refresh").ToList();
        Assert.Equal(["success", "failure", "failure", "failure"], refreshes.Select(e => e.Outcome));
        Assert.Equal(["reused_token", "revoked_token", "unknown_token"], refreshes.Skip(1).Select(e => Detail(e, "reason")));
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT COUNT(*) FROM refresh_tokens WHERE revoked_at IS NULL"));
        Assert.Equal(0, await db.ScalarAsync<long>($"SELECT COUNT(*) FROM refresh_tokens WHERE token_hash = '{first.RefreshToken}'"));
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Logout_revokes_the_session(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var api = await ApiTestHost.StartAsync(db);
        var tokens = await api.LoginAsync("admin", ApiTestHost.AdminPassword);

        using var logout = await api.Client.PostAsJsonAsync("/api/auth/logout", new AuthApi.RefreshRequest(tokens.RefreshToken));
        using var refresh = await api.Client.PostAsJsonAsync("/api/auth/refresh", new AuthApi.RefreshRequest(tokens.RefreshToken));

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        await AssertProblemAsync(refresh, HttpStatusCode.Unauthorized);
        Assert.Equal("auth.logout", (await AuditAsync(db)).Single(e => e.Action == "auth.logout").Action);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Roles_decide_401_403_or_access_with_problem_details(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var api = await ApiTestHost.StartAsync(db);
        var viewer = await api.CreateUserAndLoginAsync("vera", Roles.Viewer);
        var radiologist = await api.CreateUserAndLoginAsync("rad", Roles.Radiologist);
        var admin = (await api.LoginAsync("admin", ApiTestHost.AdminPassword)).AccessToken;

        foreach (var path in new[] { "/api/users", "/api/api-keys", "/api/audit", "/api/audit/verify" })
        {
            using var anonymous = await api.SendAsync(HttpMethod.Get, path);
            using var forged = await api.SendAsync(HttpMethod.Get, path, bearer: admin[..^4] + "AAAA");
            using var asViewer = await api.SendAsync(HttpMethod.Get, path, bearer: viewer);
            using var asRadiologist = await api.SendAsync(HttpMethod.Get, path, bearer: radiologist);
            using var asAdmin = await api.SendAsync(HttpMethod.Get, path, bearer: admin);

            await AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized);
            Assert.Contains(anonymous.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
            await AssertProblemAsync(forged, HttpStatusCode.Unauthorized);
            await AssertProblemAsync(asViewer, HttpStatusCode.Forbidden);
            await AssertProblemAsync(asRadiologist, HttpStatusCode.Forbidden);
            Assert.Equal(HttpStatusCode.OK, asAdmin.StatusCode);
        }

        using var me = await api.SendAsync(HttpMethod.Get, "/api/auth/me");
        await AssertProblemAsync(me, HttpStatusCode.Unauthorized);
        // The job endpoints need a signed-in caller too.
        using var jobs = await api.SendAsync(HttpMethod.Get, "/api/jobs");
        await AssertProblemAsync(jobs, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Admins_manage_users_and_a_disabled_user_cannot_sign_in(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var api = await ApiTestHost.StartAsync(db);
        var admin = (await api.LoginAsync("admin", ApiTestHost.AdminPassword)).AccessToken;
        await api.CreateUserAndLoginAsync("rad", Roles.Radiologist);
        using var list = await api.SendAsync(HttpMethod.Get, "/api/users", bearer: admin);
        var users = (await list.Content.ReadFromJsonAsync<List<UsersApi.UserView>>())!;
        var rad = users.Single(u => u.Username == "rad");
        var self = users.Single(u => u.Username == "admin");

        using var duplicate = await api.SendAsync(HttpMethod.Post, "/api/users", admin, new UsersApi.CreateUserRequest("rad", "another long password", Roles.Viewer));
        using var weak = await api.SendAsync(HttpMethod.Post, "/api/users", admin, new UsersApi.CreateUserRequest("weak", "short", Roles.Viewer));
        using var badRole = await api.SendAsync(HttpMethod.Post, "/api/users", admin, new UsersApi.CreateUserRequest("x1", "a long enough password", "root"));
        using var lastAdmin = await api.SendAsync(HttpMethod.Post, $"/api/users/{self.Id}/disable", admin);
        using var role = await api.SendAsync(HttpMethod.Put, $"/api/users/{rad.Id}/role", admin, new UsersApi.ChangeRoleRequest(Roles.Viewer));
        using var reset = await api.SendAsync(HttpMethod.Put, $"/api/users/{rad.Id}/password", admin, new UsersApi.ResetPasswordRequest("a brand new password"));
        var afterReset = await api.LoginAsync("rad", "a brand new password");
        using var disable = await api.SendAsync(HttpMethod.Post, $"/api/users/{rad.Id}/disable", admin);
        using var signIn = await api.Client.PostAsJsonAsync("/api/auth/login", new AuthApi.LoginRequest("rad", "a brand new password"));
        using var refresh = await api.Client.PostAsJsonAsync("/api/auth/refresh", new AuthApi.RefreshRequest(afterReset.RefreshToken));

        await AssertProblemAsync(duplicate, HttpStatusCode.Conflict);
        await AssertProblemAsync(weak, HttpStatusCode.BadRequest);
        await AssertProblemAsync(badRole, HttpStatusCode.BadRequest);
        await AssertProblemAsync(lastAdmin, HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.NoContent, role.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);
        await AssertProblemAsync(signIn, HttpStatusCode.Unauthorized);
        await AssertProblemAsync(refresh, HttpStatusCode.Unauthorized);
        var audit = await AuditAsync(db);
        var adminActor = $"user:{self.Id}";
        Assert.Contains(audit, e => e is { Action: "user.create", Outcome: "success" } && e.Actor == adminActor && e.Resource == $"user:{rad.Id}");
        Assert.Contains(audit, e => e is { Action: "user.create", Outcome: "failure" } && Detail(e, "reason") == "name_taken");
        Assert.Contains(audit, e => e.Action == "user.role" && Detail(e, "to") == Roles.Viewer);
        Assert.Contains(audit, e => e.Action == "user.password" && e.Resource == $"user:{rad.Id}");
        Assert.Contains(audit, e => e.Action == "user.disable" && e.Resource == $"user:{rad.Id}");
        Assert.Contains(audit, e => e.Action == "auth.login" && Detail(e, "reason") == "disabled");
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task An_api_key_authenticates_a_machine_client_with_its_role_until_revoked(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var api = await ApiTestHost.StartAsync(db);
        var admin = (await api.LoginAsync("admin", ApiTestHost.AdminPassword)).AccessToken;

        using var created = await api.SendAsync(HttpMethod.Post, "/api/api-keys", admin, new ApiKeysApi.CreateApiKeyRequest("dashboard", Roles.Viewer));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = (await created.Content.ReadFromJsonAsync<ApiKeysApi.CreatedApiKey>())!;
        using var me = await api.SendAsync(HttpMethod.Get, "/api/auth/me", apiKey: key.Key);
        using var forbidden = await api.SendAsync(HttpMethod.Get, "/api/users", apiKey: key.Key);
        using var unknown = await api.SendAsync(HttpMethod.Get, "/api/auth/me", apiKey: SecretTokens.New(SecretTokens.ApiKeyPrefix));
        using var listed = await api.SendAsync(HttpMethod.Get, "/api/api-keys", admin);
        using var revoke = await api.SendAsync(HttpMethod.Delete, $"/api/api-keys/{key.ApiKey.Id}", admin);
        using var afterRevoke = await api.SendAsync(HttpMethod.Get, "/api/auth/me", apiKey: key.Key);

        var caller = (await me.Content.ReadFromJsonAsync<AuthApi.Caller>())!;
        Assert.Equal((key.ApiKey.Id.ToString("D"), "dashboard", "apikey"), (caller.Id, caller.Name, caller.Kind));
        Assert.Equal([Roles.Viewer], caller.Roles);
        await AssertProblemAsync(forbidden, HttpStatusCode.Forbidden);
        await AssertProblemAsync(unknown, HttpStatusCode.Unauthorized);
        Assert.DoesNotContain(key.Key, await listed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.StartsWith(key.ApiKey.Prefix, key.Key, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        await AssertProblemAsync(afterRevoke, HttpStatusCode.Unauthorized);
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT COUNT(*) FROM api_keys WHERE key_hash = @key", new { key = key.Key }));
        var audit = await AuditAsync(db);
        Assert.Contains(audit, e => e.Action == "apikey.create" && e.Resource == $"apikey:{key.ApiKey.Id}" && Detail(e, "role") == Roles.Viewer);
        Assert.Contains(audit, e => e.Action == "apikey.revoke" && e.Resource == $"apikey:{key.ApiKey.Id}");
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task The_verify_endpoint_reports_an_intact_chain_then_the_altered_entry(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var api = await ApiTestHost.StartAsync(db);
        var admin = (await api.LoginAsync("admin", ApiTestHost.AdminPassword)).AccessToken;

        using var intact = await api.SendAsync(HttpMethod.Get, "/api/audit/verify", admin);
        var ok = (await intact.Content.ReadFromJsonAsync<AuditVerification>())!;
        await db.DropAuditTriggersAsync();
        // Rewrite the failed-or-not outcome of the admin's login (entry 2).
        await db.ExecuteAsync("UPDATE audit_log SET outcome = 'failure' WHERE sequence = 2");
        using var broken = await api.SendAsync(HttpMethod.Get, "/api/audit/verify", admin);
        var result = (await broken.Content.ReadFromJsonAsync<AuditVerification>())!;
        using var page = await api.SendAsync(HttpMethod.Get, "/api/audit?limit=2", admin);
        var entries = (await page.Content.ReadFromJsonAsync<List<AuditEntry>>())!;
        using var nextPage = await api.SendAsync(HttpMethod.Get, $"/api/audit?limit=2&before={entries[^1].Sequence}", admin);
        var next = (await nextPage.Content.ReadFromJsonAsync<List<AuditEntry>>())!;

        Assert.True(ok.Ok, ok.Reason);
        Assert.Equal(2, ok.VerifiedCount); // bootstrap, login (the verification is audited after it ran)
        Assert.False(result.Ok);
        Assert.Equal(2, result.FirstBrokenSequence);
        Assert.Equal("entry 2 was altered: its content does not match its hash", result.Reason);
        Assert.Equal([4L, 3], entries.Select(e => e.Sequence));
        Assert.Equal([2L, 1], next.Select(e => e.Sequence));
        Assert.Equal("audit.verify", entries[1].Action);
    }
}
