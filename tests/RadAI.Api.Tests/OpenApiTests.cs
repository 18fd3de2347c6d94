using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using RadAI.Data;
using Xunit;

namespace RadAI.Api.Tests;

/// <summary>The OpenAPI document and the browsable reference, served by the api without internet access.</summary>
public sealed partial class OpenApiTests
{
    [Fact]
    public async Task The_document_lists_the_endpoints_with_their_security_and_problem_responses()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var api = await ApiTestHost.StartAsync(db);

        using var response = await api.Client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.StartsWith("3.", root.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = root.GetProperty("paths");
        foreach (var path in new[]
        {
            "/api/system/info", "/api/auth/login", "/api/users", "/api/api-keys", "/api/audit", "/api/jobs", "/api/statistics",
            "/api/destinations", "/api/destinations/{aeTitle}", "/api/destinations/{aeTitle}/echo",
            "/api/senders", "/api/senders/{aeTitle}", "/api/models", "/api/models/{id}", "/api/models/{id}/enabled",
            "/api/routing-profiles", "/api/routing-profiles/{name}",
        })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing; paths: {string.Join(", ", paths.EnumerateObject().Select(p => p.Name))}");
        }

        var schemes = root.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal(("http", "bearer", "JWT"), (schemes.GetProperty("bearer").GetProperty("type").GetString(), schemes.GetProperty("bearer").GetProperty("scheme").GetString(), schemes.GetProperty("bearer").GetProperty("bearerFormat").GetString()));
        Assert.Equal(("apiKey", "header", "X-Api-Key"), (schemes.GetProperty("apiKey").GetProperty("type").GetString(), schemes.GetProperty("apiKey").GetProperty("in").GetString(), schemes.GetProperty("apiKey").GetProperty("name").GetString()));

        // A protected operation: both ways in, and its problem responses.
        var put = paths.GetProperty("/api/destinations/{aeTitle}").GetProperty("put");
        Assert.Equal(["bearer", "apiKey"], put.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)));
        foreach (var status in new[] { "401", "403", "504" })
        {
            Assert.True(put.GetProperty("responses").GetProperty(status).GetProperty("content").TryGetProperty("application/problem+json", out _), $"PUT destination {status}");
        }

        var statistics = paths.GetProperty("/api/statistics").GetProperty("get");
        Assert.True(statistics.GetProperty("responses").TryGetProperty("400", out _), statistics.GetRawText());
        Assert.Equal(["from", "to"], statistics.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));

        // The same document where the gateway routes (/api/...), read by the reference page.
        using var underApi = await api.Client.GetAsync("/api/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, underApi.StatusCode);
        Assert.Equal(paths.EnumerateObject().Count(), JsonDocument.Parse(await underApi.Content.ReadAsStringAsync()).RootElement.GetProperty("paths").EnumerateObject().Count());

        // The sign-in is open: no security requirement.
        Assert.False(paths.GetProperty("/api/auth/login").GetProperty("post").TryGetProperty("security", out _));
    }

    [Fact]
    public async Task The_reference_page_is_HTML_whose_script_is_served_by_the_api_itself()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var api = await ApiTestHost.StartAsync(db);

        // The reference is the folder /api/reference/ (its script is beside it): the bare path redirects there.
        using var bare = await api.Client.GetAsync("/api/reference");
        Assert.Equal("/api/reference/", new Uri(new Uri("http://localhost/api/reference"), bare.Headers.Location!).AbsolutePath);
        using var page = await api.Client.GetAsync("/api/reference/");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        // Scalar writes the document route without its leading slash and resolves it against the site root.
        Assert.True(html.Contains("\"url\":\"api/openapi/v1.json\"", StringComparison.Ordinal), html);
        // Offline: nothing is loaded from another host.
        Assert.DoesNotMatch(AbsoluteUrlInSource(), html);
        var scripts = ScriptSource().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        var sizes = new Dictionary<string, int>();
        foreach (var script in scripts)
        {
            using var asset = await api.Client.GetAsync(new Uri(new Uri("http://localhost/api/reference/"), script));
            Assert.True(asset.StatusCode == HttpStatusCode.OK, $"{script}: {asset.StatusCode}");
            sizes[script] = (await asset.Content.ReadAsByteArrayAsync()).Length;
        }

        // One of them is the whole reference application (megabytes), not a loader of a remote one.
        Assert.True(sizes.Values.Max() > 1_000_000, string.Join(", ", sizes));
    }

    [GeneratedRegex("<script[^>]*\\ssrc=\"([^\"]+)\"")]
    private static partial Regex ScriptSource();

    [GeneratedRegex("""(src|href)="(https?:)?//""")]
    private static partial Regex AbsoluteUrlInSource();
}
