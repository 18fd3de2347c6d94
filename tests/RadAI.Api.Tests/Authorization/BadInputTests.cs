using Xunit;

namespace RadAI.Api.Tests.Authorization;

/// <summary>
/// Every endpoint that takes input answers a bad value with a 400 problem (<c>application/problem+json</c> with status,
/// title and detail), for a caller whose role allows the call: malformed JSON, missing or wrong fields, bad query values.
/// </summary>
public sealed class BadInputTests(ApiNode node) : IClassFixture<ApiNode>
{
    private const string Malformed = "{\"username\": ";

    private static readonly string Job = "{job}";

    public static TheoryData<string, Caller, string, string, string?> Rows() => new()
    {
        { "jobs: unknown status", Caller.Viewer, "GET", "/api/jobs?status=lost", null },
        { "jobs: limit not a number", Caller.ViewerKey, "GET", "/api/jobs?limit=many", null },
        { "jobs: limit out of range", Caller.Viewer, "GET", "/api/jobs?limit=0", null },
        { "jobs: from not a time", Caller.Viewer, "GET", "/api/jobs?from=yesterday", null },
        { "jobs: bad sort", Caller.Viewer, "GET", "/api/jobs?sort=name", null },
        { "jobs: bad sender", Caller.Viewer, "GET", "/api/jobs?sender=A%5CB", null },
        { "live feed: bad last event id", Caller.Viewer, "GET", "/api/jobs/events?lastEventId=yesterday", null },
        { "statistics: reversed window", Caller.Viewer, "GET", "/api/statistics?from=2026-11-03T00:00:00Z&to=2026-11-01T00:00:00Z", null },
        { "statistics: from not a time", Caller.Viewer, "GET", "/api/statistics?from=soon", null },
        { "download: unknown kind", Caller.Radiologist, "GET", $"/api/jobs/{Job}/report/xray", null },
        { "download: unknown format", Caller.Radiologist, "GET", $"/api/jobs/{Job}/report/sr?format=zip", null },
        { "resend: bad AE title", Caller.Radiologist, "POST", $"/api/jobs/{Job}/resend", "{\"destinationAeTitle\": \"A\\\\B\"}" },
        { "resend: malformed JSON", Caller.Radiologist, "POST", $"/api/jobs/{Job}/resend", Malformed },
        { "login: missing password", Caller.Anonymous, "POST", "/api/auth/login", "{\"username\": \"admin\"}" },
        { "login: malformed JSON", Caller.Anonymous, "POST", "/api/auth/login", Malformed },
        { "login: no body", Caller.Anonymous, "POST", "/api/auth/login", "" },
        { "refresh: missing token", Caller.Anonymous, "POST", "/api/auth/refresh", "{}" },
        { "logout: missing token", Caller.Anonymous, "POST", "/api/auth/logout", "{}" },
        { "users: bad name", Caller.Admin, "POST", "/api/users", "{\"username\": \"A B\", \"password\": \"a long enough password\", \"role\": \"viewer\"}" },
        { "users: unknown role", Caller.Admin, "POST", "/api/users", "{\"username\": \"someone\", \"password\": \"a long enough password\", \"role\": \"root\"}" },
        { "users: short password", Caller.Admin, "POST", "/api/users", "{\"username\": \"someone\", \"password\": \"short\", \"role\": \"viewer\"}" },
        { "users: malformed JSON", Caller.AdminKey, "POST", "/api/users", Malformed },
        { "role: unknown role", Caller.Admin, "PUT", "/api/users/{target}/role", "{\"role\": \"root\"}" },
        { "password: too short", Caller.Admin, "PUT", "/api/users/{target}/password", "{\"password\": \"short\"}" },
        { "api keys: no name", Caller.Admin, "POST", "/api/api-keys", "{\"name\": \"\", \"role\": \"viewer\"}" },
        { "api keys: unknown role", Caller.Admin, "POST", "/api/api-keys", "{\"name\": \"robot\", \"role\": \"root\"}" },
        { "audit: limit out of range", Caller.Admin, "GET", "/api/audit?limit=0", null },
        { "audit: before not a number", Caller.Admin, "GET", "/api/audit?before=yesterday", null },
        { "audit: from not a time", Caller.Admin, "GET", "/api/audit?from=yesterday", null },
        { "audit: to not a time", Caller.AdminKey, "GET", "/api/audit?to=2026-13-45", null },
        { "audit: from after to", Caller.Admin, "GET", "/api/audit?from=2026-11-03T00:00:00Z&to=2026-11-01T00:00:00Z", null },
        { "audit: bad action", Caller.Admin, "GET", "/api/audit?action=User%20Create", null },
        { "audit: empty actor", Caller.Admin, "GET", "/api/audit?actor=", null },
        { "audit: actor with a control character", Caller.Admin, "GET", "/api/audit?actor=user%3A%0Ax", null },
        { "erase: no study", Caller.Admin, "POST", "/api/patients/erase", "{\"studyInstanceUids\": []}" },
        { "erase: not a UID", Caller.Admin, "POST", "/api/patients/erase", "{\"studyInstanceUids\": [\"DUPONT\"]}" },
        { "erase: malformed JSON", Caller.Admin, "POST", "/api/patients/erase", Malformed },
        { "destination: invalid", Caller.Admin, "PUT", "/api/destinations/BADDEST", "{\"host\": \"\", \"port\": 0}" },
        { "destination: malformed JSON", Caller.Admin, "PUT", "/api/destinations/BADDEST", Malformed },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Is_a_400_problem_with_status_title_and_detail(string name, Caller caller, string method, string path, string? body)
    {
        var resolved = path.Replace(Job, node.JobId.ToString("D"), StringComparison.Ordinal);
        if (resolved.Contains("{target}", StringComparison.Ordinal))
        {
            resolved = resolved.Replace("{target}", (await node.UserIdAsync(ApiNode.TargetUser)).ToString("D"), StringComparison.Ordinal);
        }

        using var request = node.Request(caller, new HttpMethod(method), resolved, body);
        var (response, answer) = await node.SendAsync(request);
        using (response)
        {
            Assert.True((int)response.StatusCode == 400, $"{name}: {(int)response.StatusCode}. {answer}");
            AccessMatrixTests.AssertProblem(response, answer, 400);
        }
    }
}
