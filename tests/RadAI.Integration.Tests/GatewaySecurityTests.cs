using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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
/// The gateway process as the public entry, in front of a downstream that echoes what reached it: TLS with a test
/// CA's certificate, HTTP→HTTPS redirect, HSTS, security headers, client address forwarded, rate limits, request size,
/// bearer tokens checked at the gateway.
/// </summary>
public sealed partial class GatewaySecurityTests : IAsyncLifetime
{
    private WebApplication _echo = null!;
    private Uri _echoAddress = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _echo = builder.Build();
        _echo.MapGet("/health/ready", () => Results.Json(new { status = "Healthy" }));
        _echo.Map("/{**path}", async (HttpContext context) =>
        {
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

    [Fact]
    public async Task Serves_tls_with_the_configured_certificate_redirects_http_and_sends_hsts_only_over_https()
    {
        await using var gateway = await StartGatewayAsync(new()
        {
            ["Gateway__Tls__CertificateFile"] = TestPki.Instance.Pem("server.crt"),
            ["Gateway__Tls__KeyFile"] = TestPki.Instance.Pem("server.key"),
            ["Gateway__Tls__HstsMaxAge"] = "180.00:00:00",
        }, https: true);
        using var https = TrustingTestCa(gateway.Https!, out var presented);

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

        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = gateway.Http };
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
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = gateway.Http };

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
        using var http = new HttpClient { BaseAddress = gateway.Http };

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
        using var http = new HttpClient { BaseAddress = gateway.Http };

        using var small = await http.PostAsync(new Uri("/api/jobs", UriKind.Relative), new ByteArrayContent(new byte[2048]));
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        using var large = await http.PostAsync(new Uri("/api/jobs", UriKind.Relative), new ByteArrayContent(new byte[2049]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.Equal("application/problem+json", large.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task With_authentication_required_passes_only_valid_tokens_api_keys_and_the_sign_in_paths()
    {
        using var folder = new TemporaryDirectory();
        var key = RandomNumberGenerator.GetBytes(48);
        var keyFile = Path.Combine(folder.Path, "jwt-signing.key");
        await File.WriteAllTextAsync(keyFile, Convert.ToBase64String(key) + "\n");
        // The api's settings: the gateway reads the same keys when it has none of its own.
        await using var gateway = await StartGatewayAsync(new()
        {
            ["Gateway__Authentication__Required"] = "true",
            ["Api__Security__SigningKeyFile"] = keyFile,
        });
        using var http = new HttpClient { BaseAddress = gateway.Http };
        var now = DateTimeOffset.UtcNow;

        using var anonymous = await http.GetAsync(new Uri("/api/jobs", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", Assert.Single(anonymous.Headers.WwwAuthenticate).Scheme);

        var valid = Jwt(key, "radai", "radai-api", now.AddMinutes(-1), now.AddMinutes(10));
        using var authorized = await SendAsync(http, "/api/jobs", bearer: valid);
        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
        // The api gets the token too and checks it again.
        var headers = (await authorized.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("headers");
        Assert.Equal("Bearer " + valid, headers.GetProperty("authorization").GetString());

        var refusedTokens = new Dictionary<string, string>
        {
            ["expired"] = Jwt(key, "radai", "radai-api", now.AddHours(-2), now.AddHours(-1)),
            ["wrong key"] = Jwt(RandomNumberGenerator.GetBytes(48), "radai", "radai-api", now.AddMinutes(-1), now.AddMinutes(10)),
            ["wrong audience"] = Jwt(key, "radai", "someone-else", now.AddMinutes(-1), now.AddMinutes(10)),
            ["wrong issuer"] = Jwt(key, "elsewhere", "radai-api", now.AddMinutes(-1), now.AddMinutes(10)),
            ["not a token"] = "garbage",
        };
        foreach (var (why, token) in refusedTokens)
        {
            using var refused = await SendAsync(http, "/api/jobs", bearer: token);
            Assert.True(refused.StatusCode == HttpStatusCode.Unauthorized, $"{why}: {refused.StatusCode}");
        }

        // API keys are checked by the api (they live in its database): the gateway passes them on.
        using var withApiKey = await SendAsync(http, "/api/jobs", apiKey: "radai_key_example");
        Assert.Equal(HttpStatusCode.OK, withApiKey.StatusCode);

        foreach (var open in new[] { "/api/auth/login", "/api/auth/refresh" })
        {
            using var response = await http.PostAsync(new Uri(open, UriKind.Relative), new StringContent("{}", Encoding.UTF8, "application/json"));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{open}: {response.StatusCode}");
        }

        using var apiHealth = await http.GetAsync(new Uri("/api/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, apiHealth.StatusCode);

        using var me = await http.GetAsync(new Uri("/api/auth/me", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task Standalone_with_authentication_required_refuses_anonymous_calls_and_passes_the_apis_own_tokens()
    {
        using var data = new TemporaryDirectory("radai-standalone-auth");
        var passwordFile = Path.Combine(data.Path, "admin-password");
        await File.WriteAllTextAsync(passwordFile, "correct horse battery staple");
        var process = ServiceProcess.Start("RadAI.Standalone", new Dictionary<string, string?>
        {
            ["Api__Security__InitialAdminPasswordFile"] = passwordFile,
            ["Gateway__Authentication__Required"] = "true",
        }, "--http-port", "0", "--data", Path.Combine(data.Path, "data"));
        await using var _ = process;
        var line = await process.WaitForLineAsync(l => StandaloneListening().IsMatch(l), TimeSpan.FromSeconds(90), "the line saying where it listens");
        using var http = new HttpClient { BaseAddress = new Uri(StandaloneListening().Match(line).Groups["url"].Value) };

        // The api's job list is still anonymous: this 401 is the gateway's.
        using var anonymous = await http.GetAsync(new Uri("/api/jobs", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

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

    [GeneratedRegex(@"RadAI standalone listening on (?<url>http://[^\s]+)")]
    private static partial Regex StandaloneListening();

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

    /// <summary>A client that trusts the test CA only, and remembers the certificate the server presented.</summary>
    private static HttpClient TrustingTestCa(Uri address, out Func<X509Certificate2?> presented)
    {
        X509Certificate2? seen = null;
        presented = () => seen;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                    {
                        return false;
                    }

                    seen = new X509Certificate2(certificate);
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(TestPki.Instance.Ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(seen);
                },
            },
        };
        return new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    private async Task<GatewayProcess> StartGatewayAsync(Dictionary<string, string?> settings, bool https = false)
    {
        settings["Urls"] = https ? "http://127.0.0.1:0;https://127.0.0.1:0" : "http://127.0.0.1:0";
        settings["ReverseProxy__Clusters__api__Destinations__primary__Address"] = _echoAddress.ToString();
        var process = ServiceProcess.Start("RadAI.Gateway.Host", settings);
        try
        {
            var httpLine = await process.WaitForLineAsync(l => ListeningOn("http").IsMatch(l), TimeSpan.FromSeconds(60), "Now listening on http");
            Uri? httpsAddress = null;
            if (https)
            {
                var httpsLine = await process.WaitForLineAsync(l => ListeningOn("https").IsMatch(l), TimeSpan.FromSeconds(60), "Now listening on https");
                httpsAddress = new Uri(ListeningOn("https").Match(httpsLine).Groups["url"].Value);
            }

            return new GatewayProcess(process, new Uri(ListeningOn("http").Match(httpLine).Groups["url"].Value), httpsAddress);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    private static Regex ListeningOn(string scheme) => scheme == "https" ? HttpsListening() : HttpListening();

    [GeneratedRegex(@"Now listening on: (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex HttpListening();

    [GeneratedRegex(@"Now listening on: (?<url>https://127\.0\.0\.1:\d+)")]
    private static partial Regex HttpsListening();

    private sealed record GatewayProcess(ServiceProcess Process, Uri Http, Uri? Https) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }
}
