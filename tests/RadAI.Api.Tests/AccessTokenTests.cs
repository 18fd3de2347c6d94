using System.Net;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RadAI.Api.Security;
using RadAI.Data;
using Xunit;

namespace RadAI.Api.Tests;

/// <summary>Only this node's signed, unexpired tokens for its audience are accepted.</summary>
public sealed class AccessTokenTests
{
    private static string Token(SecurityKey? key, string issuer = "radai", string audience = "radai-api", DateTimeOffset? expires = null, string role = Roles.Admin)
    {
        var now = DateTimeOffset.UtcNow;
        var end = expires ?? now.AddMinutes(5);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = end.AddMinutes(-10).UtcDateTime,
            NotBefore = end.AddMinutes(-10).UtcDateTime,
            Expires = end.UtcDateTime,
            Subject = new ClaimsIdentity([new Claim("sub", Guid.NewGuid().ToString("D")), new Claim("name", "mallory"), new Claim("role", role)]),
            SigningCredentials = key is null ? null : new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }

    [Fact]
    public async Task A_well_formed_token_is_accepted_and_every_deviation_refused()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var api = await ApiTestHost.StartAsync(db);
        var key = api.Services.GetRequiredService<SigningKeys>().Key;
        var otherKey = new SymmetricSecurityKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64));

        using var valid = await api.SendAsync(HttpMethod.Get, "/api/users", bearer: Token(key));
        using var expired = await api.SendAsync(HttpMethod.Get, "/api/users", bearer: Token(key, expires: DateTimeOffset.UtcNow.AddMinutes(-5)));
        using var otherIssuer = await api.SendAsync(HttpMethod.Get, "/api/users", bearer: Token(key, issuer: "someone-else"));
        using var otherAudience = await api.SendAsync(HttpMethod.Get, "/api/users", bearer: Token(key, audience: "another-api"));
        using var otherSigner = await api.SendAsync(HttpMethod.Get, "/api/users", bearer: Token(otherKey));
        using var unsigned = await api.SendAsync(HttpMethod.Get, "/api/users", bearer: Token(null));

        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherIssuer.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherAudience.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherSigner.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
    }

    [Fact]
    public async Task The_signing_key_file_is_created_once_readable_by_the_owner_only_and_kept()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        using var folder = new RadAI.Testing.TemporaryDirectory();
        var file = Path.Combine(folder.Path, "secrets", "jwt.key");
        var settings = new Dictionary<string, string?> { ["Api:Security:SigningKeyFile"] = file };

        string first;
        await using (var api = await ApiTestHost.StartAsync(db, settings))
        {
            first = Token(api.Services.GetRequiredService<SigningKeys>().Key);
        }

        await using var restarted = await ApiTestHost.StartAsync(db, settings);
        using var response = await restarted.SendAsync(HttpMethod.Get, "/api/users", bearer: first);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        Assert.True(Convert.FromBase64String(await File.ReadAllTextAsync(file)).Length >= 32);
    }

    [Fact]
    public async Task A_missing_key_file_that_may_not_be_created_stops_the_start()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ApiTestHost.StartAsync(db, new Dictionary<string, string?>
        {
            ["Api:Security:SigningKeyFile"] = "/nonexistent/radai/jwt.key",
            ["Api:Security:CreateSigningKeyFile"] = "false",
        }));

        Assert.Contains("Api:Security:SigningKeyFile", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenID_Connect_needs_an_audience_with_its_authority()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ApiTestHost.StartAsync(db, new Dictionary<string, string?>
        {
            ["Api:Security:Oidc:Authority"] = "https://sso.hospital.example/realms/radiology",
        }));

        Assert.Contains("Api:Security:Oidc:Audience", error.Message, StringComparison.Ordinal);
    }
}
