using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RadAI.Api.Apis;
using RadAI.Api.Security;
using RadAI.Data;
using RadAI.Data.Audit;
using Xunit;

namespace RadAI.Api.Tests.Authorization;

/// <summary>
/// Lifetimes judged on the api's clock (a <see cref="ManualClock"/> the test moves; nothing sleeps), on the real
/// PostgreSQL: an access token works until its expiry (plus the 30 s skew) and not after; its refresh token then gives a
/// working pair until the refresh lifetime ends; a lockout ends after its duration. Rotation and reuse detection of
/// refresh tokens: SecurityApiTests.A_refresh_token_rotates_and_its_reuse_ends_the_session.
/// </summary>
public sealed class TokenLifetimeTests
{
    private readonly ManualClock _clock = ManualClock.StartingNow();

    private Task<ApiTestHost> StartAsync(TestDatabase db, Dictionary<string, string?>? settings = null) =>
        ApiTestHost.StartAsync(db, settings, configure: builder => builder.Services.AddSingleton<TimeProvider>(_clock));

    private static async Task<IReadOnlyList<AuditEntry>> AuditAsync(TestDatabase db)
    {
        await using var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None);
        return [.. (await AuditChain.ListAsync(connection, null, 500, CancellationToken.None)).Reverse()];
    }

    private static string? Reason(AuditEntry entry) =>
        entry.Details is null ? null : JsonDocument.Parse(entry.Details).RootElement.TryGetProperty("reason", out var reason) ? reason.GetString() : null;

    private static async Task<HttpStatusCode> MeAsync(ApiTestHost api, string token)
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/api/auth/me", bearer: token);
        return response.StatusCode;
    }

    [Fact]
    public async Task An_access_token_expires_on_the_apis_clock_and_the_refresh_token_outlives_it_until_its_own_end()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        await using var api = await StartAsync(db);
        var tokens = await api.LoginAsync("admin", ApiTestHost.AdminPassword);
        Assert.Equal(15 * 60, tokens.ExpiresIn);

        _clock.Advance(TimeSpan.FromMinutes(15));
        var atExpiry = await MeAsync(api, tokens.AccessToken);
        _clock.Advance(TimeSpan.FromSeconds(31));
        var pastSkew = await MeAsync(api, tokens.AccessToken);

        Assert.Equal(HttpStatusCode.OK, atExpiry);
        Assert.Equal(HttpStatusCode.Unauthorized, pastSkew);
        var rejected = (await AuditAsync(db))[^1];
        Assert.Equal(("auth.rejected", "anonymous", "/api/auth/me"), (rejected.Action, rejected.Actor, rejected.Resource));

        // The refresh token (12 hours) gives a new pair whose access token works.
        using var refreshed = await api.Client.PostAsJsonAsync("/api/auth/refresh", new AuthApi.RefreshRequest(tokens.RefreshToken));
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var second = (await refreshed.Content.ReadFromJsonAsync<TokenPair>())!;
        Assert.Equal(HttpStatusCode.OK, await MeAsync(api, second.AccessToken));

        // Past the refresh lifetime the new refresh token, never used, is refused as expired.
        _clock.Advance(TimeSpan.FromHours(12) + TimeSpan.FromSeconds(1));
        using var late = await api.Client.PostAsJsonAsync("/api/auth/refresh", new AuthApi.RefreshRequest(second.RefreshToken));

        Assert.Equal(HttpStatusCode.Unauthorized, late.StatusCode);
        Assert.Equal("application/problem+json", late.Content.Headers.ContentType?.MediaType);
        var expired = (await AuditAsync(db))[^1];
        Assert.Equal(("auth.refresh", AuditOutcome.Failure, "expired_token", _clock.GetUtcNow()), (expired.Action, expired.Outcome, Reason(expired), expired.OccurredAt));
    }

    [Fact]
    public async Task A_lockout_refuses_the_right_password_until_its_duration_has_passed()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        await using var api = await StartAsync(db, new Dictionary<string, string?>
        {
            ["Api:Security:MaxFailedLogins"] = "3",
            ["Api:Security:LockoutDuration"] = "00:05:00",
        });

        for (var i = 0; i < 3; i++)
        {
            using var wrong = await api.Client.PostAsJsonAsync("/api/auth/login", new AuthApi.LoginRequest("admin", $"wrong password {i}"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        _clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        using var stillLocked = await api.Client.PostAsJsonAsync("/api/auth/login", new AuthApi.LoginRequest("admin", ApiTestHost.AdminPassword));
        _clock.Advance(TimeSpan.FromSeconds(2));
        using var unlocked = await api.Client.PostAsJsonAsync("/api/auth/login", new AuthApi.LoginRequest("admin", ApiTestHost.AdminPassword));

        Assert.Equal(HttpStatusCode.Unauthorized, stillLocked.StatusCode);
        Assert.Equal(HttpStatusCode.OK, unlocked.StatusCode);
        var logins = (await AuditAsync(db)).Where(e => e.Action == "auth.login").ToList();
        Assert.Equal(["wrong_password", "wrong_password", "wrong_password", "locked", null], logins.Select(Reason));
        Assert.Equal(AuditOutcome.Success, logins[^1].Outcome);
    }

    [Fact]
    public void The_lifetime_check_needs_an_expiry_and_allows_the_skew_on_both_sides()
    {
        var now = new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);
        var skew = TimeSpan.FromSeconds(30);

        Assert.False(TokenService.IsWithinLifetime(now.UtcDateTime.AddMinutes(-1), null, skew, now));
        Assert.True(TokenService.IsWithinLifetime(now.UtcDateTime.AddSeconds(29), now.UtcDateTime.AddMinutes(15), skew, now));
        Assert.False(TokenService.IsWithinLifetime(now.UtcDateTime.AddSeconds(31), now.UtcDateTime.AddMinutes(15), skew, now));
        Assert.True(TokenService.IsWithinLifetime(null, now.UtcDateTime.AddSeconds(-30), skew, now));
        Assert.False(TokenService.IsWithinLifetime(null, now.UtcDateTime.AddSeconds(-31), skew, now));
    }
}
