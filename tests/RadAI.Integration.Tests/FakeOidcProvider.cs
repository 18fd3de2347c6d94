using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RadAI.Integration.Tests;

/// <summary>
/// The hospital's identity provider as far as a resource server sees it: OpenID Connect discovery
/// (<c>/.well-known/openid-configuration</c>) and its signing keys (JWKS, one RSA key), over plain HTTP on loopback; and
/// RS256 access tokens it signs (written by hand, so the test shares no token library with the gateway).
/// </summary>
public sealed class FakeOidcProvider : IAsyncDisposable
{
    private const string KeyId = "test-key-1";
    private readonly WebApplication _app;
    private readonly RSA _key = RSA.Create(2048);
    private readonly RSA _forger = RSA.Create(2048);

    private FakeOidcProvider(WebApplication app)
    {
        _app = app;
    }

    /// <summary>The issuer (and authority) URL.</summary>
    public string Issuer { get; private set; } = "";

    public static async Task<FakeOidcProvider> StartAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var provider = new FakeOidcProvider(builder.Build());
        var app = provider._app;
        app.MapGet("/realm/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = provider.Issuer,
            ["jwks_uri"] = provider.Issuer + "/keys",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        app.MapGet("/realm/keys", () =>
        {
            var parameters = provider._key.ExportParameters(includePrivateParameters: false);
            return Results.Json(new
            {
                keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = KeyId, n = Base64Url(parameters.Modulus!), e = Base64Url(parameters.Exponent!) } },
            });
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        provider.Issuer = address.TrimEnd('/') + "/realm";
        return provider;
    }

    /// <summary>An access token for <paramref name="audience"/>; <paramref name="forge"/>: signed by another key under the same key id.</summary>
    public string Token(string audience, DateTimeOffset expires, bool forge = false)
    {
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "JWT", kid = KeyId }));
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = audience,
            ["sub"] = "oidc-user-1",
            ["preferred_username"] = "dr.test",
            ["roles"] = "viewer",
            ["iat"] = expires.AddMinutes(-20).ToUnixTimeSeconds(),
            ["nbf"] = expires.AddMinutes(-20).ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
        }));
        var signer = forge ? _forger : _key;
        var signature = signer.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{header}.{payload}.{Base64Url(signature)}";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _key.Dispose();
        _forger.Dispose();
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
