using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace RadAI.Testing;

/// <summary>
/// The gateway host (RadAI.Gateway.Host) as a process in front of an api (or any downstream): HTTP on a free loopback
/// port, and HTTPS on another with <see cref="TestPki"/>'s server certificate when asked; clients that trust the test CA
/// only. Authentication is on by default in the gateway: give it the api's signing key (<see cref="SigningKeySettings"/>).
/// </summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    private GatewayProcess(ServiceProcess process, Uri http, Uri? https)
    {
        Process = process;
        Http = http;
        Https = https;
    }

    public ServiceProcess Process { get; }

    /// <summary>The plain HTTP endpoint (with TLS: redirects to <see cref="Https"/>, health excepted).</summary>
    public Uri Http { get; }

    /// <summary>The HTTPS endpoint; null when started without TLS.</summary>
    public Uri? Https { get; }

    /// <summary>The setting (environment variable form) that gives the gateway the api's signing key file.</summary>
    public static Dictionary<string, string?> SigningKeySettings(string signingKeyFile) => new()
    {
        ["Gateway__Authentication__SigningKeyFile"] = signingKeyFile,
    };

    /// <summary>
    /// Starts the gateway proxying to <paramref name="downstream"/>; with <paramref name="tls"/>, also HTTPS with the test
    /// PKI's server certificate (PEM files). <paramref name="settings"/> are applied last.
    /// </summary>
    public static async Task<GatewayProcess> StartAsync(Uri downstream, IReadOnlyDictionary<string, string?> settings, bool tls = false, TimeSpan? timeout = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["Urls"] = tls ? "http://127.0.0.1:0;https://127.0.0.1:0" : "http://127.0.0.1:0",
            ["ReverseProxy__Clusters__api__Destinations__primary__Address"] = downstream.ToString(),
        };
        if (tls)
        {
            environment["Gateway__Tls__CertificateFile"] = TestPki.Instance.Pem("server.crt");
            environment["Gateway__Tls__KeyFile"] = TestPki.Instance.Pem("server.key");
        }

        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var process = ServiceProcess.Start("RadAI.Gateway.Host", environment);
        try
        {
            var wait = timeout ?? TimeSpan.FromSeconds(60);
            var http = HttpListening().Match(await process.WaitForLineAsync(l => HttpListening().IsMatch(l), wait, "Now listening on http")).Groups["url"].Value;
            Uri? https = null;
            if (tls)
            {
                var line = await process.WaitForLineAsync(l => HttpsListening().IsMatch(l), wait, "Now listening on https");
                https = new Uri(HttpsListening().Match(line).Groups["url"].Value);
            }

            return new GatewayProcess(process, new Uri(http), https);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client of the HTTPS endpoint that trusts the test CA only (and follows no redirect).</summary>
    public HttpClient HttpsClient() => TrustingTestCa(Https ?? throw new InvalidOperationException("The gateway was started without TLS."), out _);

    /// <summary>A client of the plain HTTP endpoint that follows no redirect.</summary>
    public HttpClient HttpClient() => new(new SocketsHttpHandler { AllowAutoRedirect = false, ActivityHeadersPropagator = null })
    {
        BaseAddress = Http,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>A client that trusts the test CA only, and remembers the certificate the server presented.</summary>
    public static HttpClient TrustingTestCa(Uri address, out Func<X509Certificate2?> presented)
    {
        X509Certificate2? seen = null;
        presented = () => seen;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ActivityHeadersPropagator = null,
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

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    [GeneratedRegex(@"Now listening on: (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex HttpListening();

    [GeneratedRegex(@"Now listening on: (?<url>https://127\.0\.0\.1:\d+)")]
    private static partial Regex HttpsListening();
}
