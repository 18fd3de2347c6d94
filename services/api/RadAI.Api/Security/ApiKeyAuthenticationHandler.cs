using Microsoft.AspNetCore.Http;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RadAI.Api.Security;

/// <summary>Machine clients: the <c>X-Api-Key</c> header, looked up by its SHA-256 among keys not revoked.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyRepository keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values) || values.ToString() is not { Length: > 0 } presented)
        {
            return AuthenticateResult.NoResult();
        }

        var key = await keys.FindActiveByHashAsync(SecretTokens.Hash(presented), Context.RequestAborted).ConfigureAwait(false);
        if (key is null)
        {
            return AuthenticateResult.Fail("Unknown or revoked API key.");
        }

        var identity = new ClaimsIdentity(
        [
            new Claim(SecurityClaims.Subject, key.KeyId.ToString("D")),
            new Claim(SecurityClaims.Name, key.Name),
            new Claim(SecurityClaims.Role, key.Role),
            new Claim(SecurityClaims.Kind, SecurityClaims.KindApiKey),
        ], SchemeName, SecurityClaims.Name, SecurityClaims.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{HeaderName}\"";
        return Task.CompletedTask;
    }
}
