using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using RadAI.Api.Apis;
using RadAI.Api.Security;
using RadAI.Data;
using Xunit;

namespace RadAI.Api.Tests;

/// <summary>
/// <c>GET /api/audit</c> on both engines: each entry names its actor (user or API key) beside the id the chain hashes;
/// the time, action and actor filters select exactly the matching entries, and keyset paging (<c>before</c>) under a
/// filter walks all of them once, in order; the filters are served by indexes.
/// </summary>
public sealed class AuditQueryApiTests
{
    private readonly ManualClock _clock = ManualClock.StartingNow();

    private static string Time(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("O", CultureInfo.InvariantCulture));

    private static async Task<List<AuditEntryView>> PageAsync(ApiTestHost api, string token, string query)
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/api/audit?" + query, token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<List<AuditEntryView>>())!;
    }

    /// <summary>Every page of <paramref name="query"/>, <paramref name="limit"/> entries each, following <c>before</c>.</summary>
    private static async Task<(List<AuditEntryView> Entries, int Pages)> AllPagesAsync(ApiTestHost api, string token, string query, int limit)
    {
        var all = new List<AuditEntryView>();
        var pages = 0;
        long? before = null;
        while (true)
        {
            var page = await PageAsync(api, token, $"{query}&limit={limit}{(before is { } b ? $"&before={b}" : "")}");
            pages++;
            all.AddRange(page);
            if (page.Count < limit)
            {
                return (all, pages);
            }

            before = page[^1].Sequence;
            Assert.True(pages < 100, "paging does not end");
        }
    }

    private static async Task<string> MeAsync(ApiTestHost api, string token)
    {
        using var me = await api.SendAsync(HttpMethod.Get, "/api/auth/me", token);
        return (await me.Content.ReadFromJsonAsync<AuthApi.Caller>())!.Id;
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Entries_name_their_actor_and_the_filters_page_through_exactly_the_matching_entries(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var api = await ApiTestHost.StartAsync(db, configure: builder => builder.Services.AddSingleton<TimeProvider>(_clock));
        var day0 = _clock.GetUtcNow();

        // Day 0: the admin signs in, creates a user and an API key; the key is refused an administration call.
        var admin = (await api.LoginAsync("admin", ApiTestHost.AdminPassword)).AccessToken;
        var adminId = await MeAsync(api, admin);
        using (var created = await api.SendAsync(HttpMethod.Post, "/api/users", admin, new UsersApi.CreateUserRequest("reader", "a long enough password", Roles.Viewer)))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var keyCreated = await api.SendAsync(HttpMethod.Post, "/api/api-keys", admin, new ApiKeysApi.CreateApiKeyRequest("ris-robot", Roles.Viewer));
        var key = (await keyCreated.Content.ReadFromJsonAsync<ApiKeysApi.CreatedApiKey>())!;
        using (var refused = await api.SendAsync(HttpMethod.Get, "/api/users", apiKey: key.Key))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        // Day 1: the reader and the admin sign in; the admin creates a second user.
        _clock.Advance(TimeSpan.FromDays(1));
        var reader = (await api.LoginAsync("reader", "a long enough password")).AccessToken;
        var readerId = await MeAsync(api, reader);
        admin = (await api.LoginAsync("admin", ApiTestHost.AdminPassword)).AccessToken;
        using (var created = await api.SendAsync(HttpMethod.Post, "/api/users", admin, new UsersApi.CreateUserRequest("second", "a long enough password", Roles.Radiologist)))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // Day 2: the admin signs in again and reads the log.
        _clock.Advance(TimeSpan.FromDays(1));
        admin = (await api.LoginAsync("admin", ApiTestHost.AdminPassword)).AccessToken;
        // (The chain is intact: the names are read beside it, nothing is written.)
        using (var verify = await api.SendAsync(HttpMethod.Get, "/api/audit/verify", admin))
        {
            Assert.True((await verify.Content.ReadFromJsonAsync<RadAI.Data.Audit.AuditVerification>())!.Ok);
        }

        var everything = await PageAsync(api, admin, "limit=500");

        // Names beside the ids; the stored actor is unchanged; no name for the system or an anonymous caller.
        Assert.Equal(Enumerable.Range(1, everything.Count).Select(i => (long)i).Reverse(), everything.Select(e => e.Sequence));
        Assert.All(everything.Where(e => e.Actor == $"user:{adminId}"), e => Assert.Equal("admin", e.ActorName));
        Assert.Contains(everything, e => e.Actor == $"user:{readerId}" && e.Action == "auth.login" && e.ActorName == "reader");
        Assert.Contains(everything, e => e.Actor == $"apikey:{key.ApiKey.Id:D}" && e.Action == "access.denied" && e.ActorName == "ris-robot");
        Assert.Contains(everything, e => e.Actor == "system" && e.Action == "user.bootstrap" && e.ActorName is null);
        Assert.All(everything.Where(e => !e.Actor.StartsWith("user:", StringComparison.Ordinal) && !e.Actor.StartsWith("apikey:", StringComparison.Ordinal)),
            e => Assert.Null(e.ActorName));
        // Time window: day 1 only (from included, to excluded), one entry per page.
        var from = day0.AddHours(12);
        var to = day0.AddHours(36);
        var (window, windowPages) = await AllPagesAsync(api, admin, $"from={Time(from)}&to={Time(to)}", 1);
        var expectedWindow = everything.Where(e => e.OccurredAt >= from && e.OccurredAt < to).Select(e => e.Sequence).ToList();
        Assert.Equal(expectedWindow, window.Select(e => e.Sequence));
        Assert.Equal(expectedWindow.Count + 1, windowPages);
        Assert.Contains(window, e => e.Action == "user.create" && e.ActorName == "admin");
        Assert.Contains(window, e => e.Action == "auth.login" && e.ActorName == "reader");
        Assert.DoesNotContain(window, e => e.Action is "apikey.create" or "user.bootstrap");
        // The window's bounds exactly: an entry at `from` is in, one at `to` is out.
        var firstOfDay1 = everything.Where(e => e.OccurredAt >= from).MinBy(e => e.Sequence)!;
        var atInstant = await PageAsync(api, admin, $"from={Time(firstOfDay1.OccurredAt)}&to={Time(firstOfDay1.OccurredAt)}");
        Assert.Empty(atInstant);
        var fromInstant = await PageAsync(api, admin, $"from={Time(firstOfDay1.OccurredAt)}&to={Time(firstOfDay1.OccurredAt.AddTicks(10))}&limit=500");
        Assert.Equal(everything.Where(e => e.OccurredAt == firstOfDay1.OccurredAt).Select(e => e.Sequence), fromInstant.Select(e => e.Sequence));

        // Actor: the admin's entries, two per page, every one once, newest first.
        var (mine, minePages) = await AllPagesAsync(api, admin, $"actor={Uri.EscapeDataString($"user:{adminId}")}", 2);
        var expectedMine = everything.Where(e => e.Actor == $"user:{adminId}").Select(e => e.Sequence).ToList();
        Assert.True(expectedMine.Count >= 5, $"{expectedMine.Count} entries of the admin");
        Assert.Equal(expectedMine, mine.Select(e => e.Sequence));
        Assert.True(minePages >= 3);

        // Action and time together: the sign-ins from day 1 on.
        var (logins, _) = await AllPagesAsync(api, admin, $"action=auth.login&from={Time(from)}", 1);
        Assert.Equal(everything.Where(e => e.Action == "auth.login" && e.OccurredAt >= from).Select(e => e.Sequence), logins.Select(e => e.Sequence));
        Assert.Equal(3, logins.Count); // reader and admin on day 1, admin on day 2

        // Everything combined, and an actor with no entry.
        var creations = await PageAsync(api, admin, $"action=user.create&actor={Uri.EscapeDataString($"user:{adminId}")}&from={Time(day0)}&to={Time(to)}");
        Assert.Equal(2, creations.Count);
        Assert.Empty(await PageAsync(api, admin, $"actor={Uri.EscapeDataString($"user:{Guid.NewGuid():D}")}"));

        await AssertIndexesServeTheFiltersAsync(db, provider);
    }

    /// <summary>The engine's plan for each filter reads the index made for it (PostgreSQL with sequential scans off: the test table is tiny).</summary>
    private static async Task AssertIndexesServeTheFiltersAsync(TestDatabase db, DatabaseProvider provider)
    {
        await using var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None);
        if (provider == DatabaseProvider.Postgres)
        {
            await connection.ExecuteAsync("SET enable_seqscan = off");
            async Task<string> PlanAsync(string where) => string.Join("\n", await connection.QueryAsync<string>(
                $"EXPLAIN SELECT sequence FROM audit_log WHERE {where} ORDER BY sequence DESC LIMIT 2"));

            Assert.Contains("ix_audit_log_actor", await PlanAsync("actor = 'user:x' AND sequence < 100"), StringComparison.Ordinal);
            Assert.Contains("ix_audit_log_action", await PlanAsync("action = 'auth.login' AND sequence < 100"), StringComparison.Ordinal);
            Assert.Contains("ix_audit_log_occurred", await PlanAsync("occurred_at >= now() - interval '1 day' AND occurred_at < now()"), StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("ix_audit_log_actor", await SqlitePlanAsync(connection, "actor = 'user:x' AND sequence < 100"), StringComparison.Ordinal);
            Assert.Contains("ix_audit_log_action", await SqlitePlanAsync(connection, "action = 'auth.login' AND sequence < 100"), StringComparison.Ordinal);
        }
    }

    /// <summary>SQLite's <c>EXPLAIN QUERY PLAN</c> rows (id, parent, notused, detail): the details joined.</summary>
    private static async Task<string> SqlitePlanAsync(System.Data.Common.DbConnection connection, string where)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"EXPLAIN QUERY PLAN SELECT sequence FROM audit_log WHERE {where} ORDER BY sequence DESC LIMIT 2";
        await using var reader = await command.ExecuteReaderAsync();
        var details = new List<string>();
        while (await reader.ReadAsync())
        {
            details.Add(reader.GetString(reader.FieldCount - 1));
        }

        return string.Join("\n", details);
    }
}
