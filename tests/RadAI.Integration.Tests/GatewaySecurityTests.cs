using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RadAI.Testing;
using Xunit;

namespace RadAI.Integration.Tests;

/// <summary>
/// The gateway process as the public entry, in front of a downstream that echoes what reached it (and answers the
/// gateway's API key question as the api would): TLS with a test CA's certificate, HTTP→HTTPS redirect, HSTS, security
/// headers, client address forwarded, rate limits, request size, and credentials checked at the gateway (on by default).
/// </summary>
public sealed partial class GatewaySecurityTests : IAsyncLifetime, IDisposable
{
    /// <summary>The one API key the downstream accepts; <see cref="UnavailableApiKey"/> makes it fail with 500.</summary>
    private const string ValidApiKey = "rk_valid_test_key";

    private const string UnavailableApiKey = "rk_downstream_fails";

    private readonly TemporaryDirectory _folder = new("radai-gateway-tests");
    private readonly byte[] _signingKey = RandomNumberGenerator.GetBytes(48);
    private readonly ConcurrentQueue<string> _introspections = new();
    private readonly ConcurrentQueue<string> _proxied = new();
    private WebApplication _echo = null!;
    private Uri _echoAddress = null!;
    private string _signingKeyFile = null!;

    public async Task InitializeAsync()
    {
        _signingKeyFile = Path.Combine(_folder.Path, "jwt-signing.key");
        await File.WriteAllTextAsync(_signingKeyFile, Convert.ToBase64String(_signingKey) + "\n");

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _echo = builder.Build();
        _echo.MapGet("/health/ready", () => Results.Json(new { status = "Healthy" }));
        // The api's answer to "who is this caller": what the gateway asks about an API key.
        _echo.MapGet("/api/auth/me", (HttpContext context) =>
        {
            var key = context.Request.Headers["X-Api-Key"].ToString();
            _introspections.Enqueue(key);
            return key switch
            {
                ValidApiKey => Results.Json(new { kind = "apikey", role = "viewer" }),
                UnavailableApiKey => Results.Problem(statusCode: 500),
                _ => Results.Problem(statusCode: 401),
            };
        });
        _echo.Map("/{**path}", async (HttpContext context) =>
        {
            _proxied.Enqueue(context.Request.Path.Value!);
            // Drain the body so a proxied upload completes; answer with what arrived.
            await context.Request.Body.CopyToAsync(Stream.Null);
            return Results.Json(new
            {
                path = context.Request.Path.Value,
                headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
            });
        });
        await _echo.StartAsync();
        _echoAddress = new Uri(_echo.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
    }

    public async Task DisposeAsync() => await _echo.DisposeAsync();

    public void Dispose() => _folder.Dispose();

    /// <summary>A valid access token of this node (the api's key, issuer and audience), for the tests about something else.</summary>
    private string ValidToken() => Jwt(_signingKey, "radai", "radai-api", DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(30));

    private HttpClient Authorized(HttpClient client)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ValidToken());
        return client;
    }

    [Fact]
    public async Task Serves_tls_with_the_configured_certificate_redirects_http_and_sends_hsts_only_over_https()
    {
        await using var gateway = await StartGatewayAsync(new()
        {
            ["Gateway__Tls__CertificateFile"] = TestPki.Instance.Pem("server.crt"),
            ["Gateway__Tls__KeyFile"] = TestPki.Instance.Pem("server.key"),
            ["Gateway__Tls__HstsMaxAge"] = "180.00:00:00",
        }, https: true);
        using var https = Authorized(GatewayProcess.TrustingTestCa(gateway.Https!, out var presented));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/studies?x=1");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        using var response = await https.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TestPki.Instance.Server.Thumbprint, presented()?.Thumbprint);
        Assert.Equal("max-age=15552000", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
        AssertSecurityHeaders(response);
        var echoed = await response.Content.ReadFromJsonAsync<JsonElement>();
        var headers = echoed.GetProperty("headers");
        Assert.Equal("/api/studies", echoed.GetProperty("path").GetString());
        // The client's own X-Forwarded-For is replaced by the address the gateway saw.
        Assert.Equal("127.0.0.1", headers.GetProperty("x-forwarded-for").GetString());
        Assert.Equal("https", headers.GetProperty("x-forwarded-proto").GetString());

        // A client that trusts only the system's roots refuses the test CA's certificate.
        using var untrusting = new HttpClient { BaseAddress = gateway.Https };
        await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync(new Uri("/api/studies", UriKind.Relative)));

        using var http = gateway.HttpClient();
        using var redirected = await http.GetAsync(new Uri("/api/studies?x=1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.PermanentRedirect, redirected.StatusCode);
        Assert.Equal(new Uri(gateway.Https!, "/api/studies?x=1"), redirected.Headers.Location);
        Assert.False(redirected.Headers.Contains("Strict-Transport-Security"));

        // Probes keep plain HTTP.
        using var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.False(live.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Without_a_certificate_serves_plain_http_with_security_headers_and_no_hsts()
    {
        await using var gateway = await StartGatewayAsync(new());
        using var http = Authorized(gateway.HttpClient());

        using var response = await http.GetAsync(new Uri("/api/studies", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        AssertSecurityHeaders(response);
        var headers = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("headers");
        Assert.Equal("127.0.0.1", headers.GetProperty("x-forwarded-for").GetString());
        Assert.Equal("http", headers.GetProperty("x-forwarded-proto").GetString());
    }

    [Fact]
    public async Task Limits_requests_per_client_and_logins_more_strictly_with_429_and_retry_after()
    {
        await using var gateway = await StartGatewayAsync(new()
        {
            // Windows of an hour: the counts decide, not the clock.
            ["Gateway__RateLimiting__Kind"] = "Fixed",
            ["Gateway__RateLimiting__PermitLimit"] = "5",
            ["Gateway__RateLimiting__Window"] = "01:00:00",
            ["Gateway__RateLimiting__Login__PermitLimit"] = "2",
            ["Gateway__RateLimiting__Login__Window"] = "01:00:00",
        });
        using var http = Authorized(gateway.HttpClient());

        for (var i = 0; i < 2; i++)
        {
            using var login = await http.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { username = "u", password = "p" });
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }

        using var thirdLogin = await http.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { username = "u", password = "p" });
        await AssertTooManyAsync(thirdLogin, maxSeconds: 3600);

        // Two permits of five went to logins (one more was refused by the login limit before the general one counted it).
        for (var i = 0; i < 3; i++)
        {
            using var allowed = await http.GetAsync(new Uri("/api/jobs", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var refused = await http.GetAsync(new Uri("/api/jobs", UriKind.Relative));
        await AssertTooManyAsync(refused, maxSeconds: 3600);

        // Health is never limited.
        using var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task Refuses_a_body_over_the_limit_with_413()
    {
        await using var gateway = await StartGatewayAsync(new() { ["Gateway__MaxRequestBodyBytes"] = "2048" });
        using var http = Authorized(gateway.HttpClient());

        using var small = await http.PostAsync(new Uri("/api/jobs", UriKind.Relative), new ByteArrayContent(new byte[2048]));
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        using var large = await http.PostAsync(new Uri("/api/jobs", UriKind.Relative), new ByteArrayContent(new byte[2049]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.Equal("application/problem+json", large.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task By_default_passes_only_valid_tokens_api_keys_the_api_accepts_and_the_anonymous_paths()
    {
        // Nothing but the api's settings: authentication is on by default, and the api's key file is the gateway's.
        await using var gateway = await StartGatewayAsync(new());
        using var http = gateway.HttpClient();
        var now = DateTimeOffset.UtcNow;

        using var anonymous = await http.GetAsync(new Uri("/api/jobs", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", Assert.Single(anonymous.Headers.WwwAuthenticate).Scheme);

        var valid = Jwt(_signingKey, "radai", "radai-api", now.AddMinutes(-1), now.AddMinutes(10));
        using var authorized = await SendAsync(http, "/api/jobs", bearer: valid);
        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
        // The api gets the token too and checks it again.
        var headers = (await authorized.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("headers");
        Assert.Equal("Bearer " + valid, headers.GetProperty("authorization").GetString());

        var refusedTokens = new Dictionary<string, string>
        {
            ["expired"] = Jwt(_signingKey, "radai", "radai-api", now.AddHours(-2), now.AddHours(-1)),
            ["wrong key"] = Jwt(RandomNumberGenerator.GetBytes(48), "radai", "radai-api", now.AddMinutes(-1), now.AddMinutes(10)),
            ["wrong audience"] = Jwt(_signingKey, "radai", "someone-else", now.AddMinutes(-1), now.AddMinutes(10)),
            ["wrong issuer"] = Jwt(_signingKey, "elsewhere", "radai-api", now.AddMinutes(-1), now.AddMinutes(10)),
            ["not a token"] = "garbage",
        };
        foreach (var (why, token) in refusedTokens)
        {
            using var refused = await SendAsync(http, "/api/jobs", bearer: token);
            Assert.True(refused.StatusCode == HttpStatusCode.Unauthorized, $"{why}: {refused.StatusCode}");
        }

        // API keys: the gateway asks the api (GET /api/auth/me with the key) and keeps the answer; the api checks again.
        _proxied.Clear();
        for (var i = 0; i < 3; i++)
        {
            using var withApiKey = await SendAsync(http, "/api/jobs", apiKey: ValidApiKey);
            Assert.Equal(HttpStatusCode.OK, withApiKey.StatusCode);
            var forwarded = (await withApiKey.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("headers");
            Assert.Equal(ValidApiKey, forwarded.GetProperty("x-api-key").GetString());
        }

        Assert.Equal([ValidApiKey], _introspections);
        Assert.Equal(["/api/jobs", "/api/jobs", "/api/jobs"], _proxied);

        // An API key the api refuses never reaches the endpoint; a key that cannot be checked gets 503, not a pass.
        _proxied.Clear();
        using var unknownKey = await SendAsync(http, "/api/jobs", apiKey: "rk_unknown");
        Assert.Equal(HttpStatusCode.Unauthorized, unknownKey.StatusCode);
        Assert.Equal("application/problem+json", unknownKey.Content.Headers.ContentType?.MediaType);
        // Even with a valid bearer token beside it: as in the api, the API key decides.
        using var unknownKeyAndToken = await SendAsync(http, "/api/jobs", bearer: valid, apiKey: "rk_unknown");
        Assert.Equal(HttpStatusCode.Unauthorized, unknownKeyAndToken.StatusCode);
        using var unchecked_ = await SendAsync(http, "/api/jobs", apiKey: UnavailableApiKey);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unchecked_.StatusCode);
        Assert.Empty(_proxied);
        Assert.Equal([ValidApiKey, "rk_unknown", UnavailableApiKey], _introspections);

        foreach (var open in new[] { "/api/auth/login", "/api/auth/refresh", "/api/auth/logout" })
        {
            using var response = await http.PostAsync(new Uri(open, UriKind.Relative), new StringContent("{}", Encoding.UTF8, "application/json"));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{open}: {response.StatusCode}");
        }

        foreach (var open in new[] { "/api/health/ready", "/api/openapi/v1.json", "/api/reference/", "/api/reference/scalar.js" })
        {
            using var response = await http.GetAsync(new Uri(open, UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{open}: {response.StatusCode}");
        }

        // Outside /api: the dashboard's static files and its client-side routes are never asked for credentials.
        foreach (var open in new[] { "/", "/index.html", "/assets/app.js", "/jobs/42" })
        {
            using var response = await http.GetAsync(new Uri(open, UriKind.Relative));
            Assert.True(response.StatusCode != HttpStatusCode.Unauthorized, $"{open}: {response.StatusCode}");
        }

        // Not open: the caller's identity, the version probe.
        foreach (var closed in new[] { "/api/auth/me", "/api/system/info", "/API/JOBS" })
        {
            using var response = await http.GetAsync(new Uri(closed, UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{closed}: {response.StatusCode}");
        }
    }

    [Fact]
    public async Task Passes_the_hospital_s_oidc_tokens_it_validates_with_the_api_s_authority_and_audience()
    {
        await using var provider = await FakeOidcProvider.StartAsync();
        // The api's OIDC settings: the gateway takes them when it has none of its own.
        await using var gateway = await StartGatewayAsync(new()
        {
            ["Api__Security__Oidc__Authority"] = provider.Issuer,
            ["Api__Security__Oidc__Audience"] = "radai",
            ["Api__Security__Oidc__RequireHttpsMetadata"] = "false",
        });
        using var http = gateway.HttpClient();
        var now = DateTimeOffset.UtcNow;

        using var accepted = await SendAsync(http, "/api/jobs", bearer: provider.Token("radai", now.AddMinutes(10)));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        using var local = await SendAsync(http, "/api/jobs", bearer: ValidToken());
        Assert.Equal(HttpStatusCode.OK, local.StatusCode);

        var refused = new Dictionary<string, string>
        {
            ["wrong audience"] = provider.Token("another-app", now.AddMinutes(10)),
            ["expired"] = provider.Token("radai", now.AddMinutes(-30)),
            ["signed by another key"] = provider.Token("radai", now.AddMinutes(10), forge: true),
        };
        foreach (var (why, token) in refused)
        {
            using var response = await SendAsync(http, "/api/jobs", bearer: token);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{why}: {response.StatusCode}");
        }
    }

    [Fact]
    public async Task Does_not_start_when_authentication_is_required_and_no_key_is_configured_and_says_which_option()
    {
        var process = ServiceProcess.Start("RadAI.Gateway.Host", new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["ReverseProxy__Clusters__api__Destinations__primary__Address"] = _echoAddress.ToString(),
        });
        await using var _ = process;
        await Eventually.UntilAsync(() => Task.FromResult(process.HasExited), TimeSpan.FromSeconds(60), "the gateway to stop at start");
        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("Gateway:Authentication:Required is true (the default)", process.Output, StringComparison.Ordinal);
        Assert.Contains("Gateway:Authentication:SigningKeyFile", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_authentication_turned_off_leaves_the_check_to_the_api()
    {
        var process = await GatewayProcess.StartAsync(_echoAddress, new Dictionary<string, string?> { ["Gateway__Authentication__Required"] = "false" });
        await using var _ = process;
        using var http = process.HttpClient();
        using var anonymous = await http.GetAsync(new Uri("/api/jobs", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
    }

    [Fact]
    public async Task Standalone_refuses_anonymous_calls_at_its_gateway_and_passes_the_apis_own_tokens_with_no_setting()
    {
        using var data = new TemporaryDirectory("radai-standalone-auth");
        var passwordFile = Path.Combine(data.Path, "admin-password");
        await File.WriteAllTextAsync(passwordFile, "correct horse battery staple");
        var process = ServiceProcess.Start("RadAI.Standalone", new Dictionary<string, string?>
        {
            ["Api__Security__InitialAdminPasswordFile"] = passwordFile,
        }, "--dicom-port", "0", "--http-port", "0", "--data", Path.Combine(data.Path, "data"));
        await using var _ = process;
        var line = await process.WaitForLineAsync(l => StandaloneListening().IsMatch(l), TimeSpan.FromSeconds(90), "the line saying where it listens");
        using var http = new HttpClient { BaseAddress = new Uri(StandaloneListening().Match(line).Groups["url"].Value) };

        // The gateway's 401 (the api would say the same): its key is the api's, made in the data folder.
        using var anonymous = await http.GetAsync(new Uri("/api/jobs", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", Assert.Single(anonymous.Headers.WwwAuthenticate).Scheme);

        JsonElement tokens = default;
        await Eventually.UntilAsync(async () =>
        {
            using var login = await http.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { username = "admin", password = "correct horse battery staple" });
            tokens = await login.Content.ReadFromJsonAsync<JsonElement>();
            return login.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(60), "the administrator to sign in through the gateway");
        var accessToken = tokens.GetProperty("accessToken").GetString()!;

        using var jobs = await SendAsync(http, "/api/jobs", bearer: accessToken);
        Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
        using var me = await SendAsync(http, "/api/auth/me", bearer: accessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task Standalone_serves_https_with_the_configured_certificate_redirects_http_and_sends_hsts()
    {
        using var data = new TemporaryDirectory("radai-standalone-https");
        var process = ServiceProcess.Start("RadAI.Standalone", new Dictionary<string, string?>
        {
            ["Api__Security__InitialAdminPasswordFile"] = ApiAccess.WriteAdminPasswordFile(Path.Combine(data.Path, "secrets")),
        }, "--dicom-port", "0", "--http-port", "0", "--https-port", "0", "--tls-cert", TestPki.Instance.Pem("server.crt"), "--tls-key", TestPki.Instance.Pem("server.key"),
            "--data", Path.Combine(data.Path, "data"));
        await using var _ = process;
        var httpsLine = await process.WaitForLineAsync(l => StandaloneListeningHttps().IsMatch(l), TimeSpan.FromSeconds(90), "the line saying where HTTPS listens");
        var httpLine = await process.WaitForLineAsync(l => StandaloneRedirecting().IsMatch(l), TimeSpan.FromSeconds(30), "the line saying HTTP redirects");
        var httpsAddress = new Uri(StandaloneListeningHttps().Match(httpsLine).Groups["url"].Value);
        var httpAddress = new Uri(StandaloneRedirecting().Match(httpLine).Groups["url"].Value);
        using var https = GatewayProcess.TrustingTestCa(httpsAddress, out var presented);

        // Sign in over HTTPS (an API key, through the gateway's check of it), then the job list.
        await ApiAccess.SignInAsync(https);
        Assert.Equal(TestPki.Instance.Server.Thumbprint, presented()?.Thumbprint);
        using var jobs = await https.GetAsync(new Uri("/api/jobs", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
        Assert.StartsWith("max-age=", Assert.Single(jobs.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);

        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = httpAddress };
        using var redirected = await http.GetAsync(new Uri("/api/jobs?limit=1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.PermanentRedirect, redirected.StatusCode);
        Assert.Equal(new Uri(httpsAddress, "/api/jobs?limit=1"), redirected.Headers.Location);
        using var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task Standalone_refuses_an_https_port_without_a_certificate_and_says_which_options()
    {
        using var data = new TemporaryDirectory("radai-standalone-nocert");
        var process = ServiceProcess.Start("RadAI.Standalone", new Dictionary<string, string?>(), "--dicom-port", "0", "--http-port", "0", "--https-port", "0", "--data", data.Path);
        await using var _ = process;
        await Eventually.UntilAsync(() => Task.FromResult(process.HasExited), TimeSpan.FromSeconds(60), "the standalone host to stop at start");
        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("Standalone:HttpsPort: HTTPS needs a certificate", process.Output, StringComparison.Ordinal);
        Assert.Contains("Gateway:Tls:CertificateFile", process.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"RadAI standalone listening on (?<url>http://[^\s]+)")]
    private static partial Regex StandaloneListening();

    [GeneratedRegex(@"RadAI standalone listening on (?<url>https://[^\s]+)")]
    private static partial Regex StandaloneListeningHttps();

    [GeneratedRegex(@"RadAI standalone HTTP on (?<url>http://[^\s]+) redirects")]
    private static partial Regex StandaloneRedirecting();

    private static async Task AssertTooManyAsync(HttpResponseMessage response, int maxSeconds)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, maxSeconds);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("frame-ancestors 'none'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string path, string? bearer = null, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        return await http.SendAsync(request);
    }

    /// <summary>An HS256 JWT written by hand, so the test does not share the gateway's token library.</summary>
    private static string Jwt(byte[] key, string issuer, string audience, DateTimeOffset notBefore, DateTimeOffset expires)
    {
        static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = Encode(JsonSerializer.SerializeToUtf8Bytes(new { alg = "HS256", typ = "JWT" }));
        var payload = Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = issuer,
            ["aud"] = audience,
            ["sub"] = Guid.NewGuid().ToString("D"),
            ["role"] = "viewer",
            ["iat"] = notBefore.ToUnixTimeSeconds(),
            ["nbf"] = notBefore.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
        }));
        var signature = Encode(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(header + "." + payload)));
        return $"{header}.{payload}.{signature}";
    }

    private Task<GatewayProcess> StartGatewayAsync(Dictionary<string, string?> settings, bool https = false)
    {
        // The api's key file, as a deployment gives both: the gateway checks tokens by default.
        var all = new Dictionary<string, string?> { ["Api__Security__SigningKeyFile"] = _signingKeyFile };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return GatewayProcess.StartAsync(_echoAddress, all, https);
    }
}
