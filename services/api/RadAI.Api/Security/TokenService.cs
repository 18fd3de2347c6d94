using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RadAI.Api.Security;

/// <summary>Tokens handed out at login and refresh.</summary>
/// <param name="AccessToken">JWT to send as <c>Authorization: Bearer</c>.</param>
/// <param name="TokenType">Always <c>Bearer</c>.</param>
/// <param name="ExpiresIn">Seconds the access token is valid.</param>
/// <param name="RefreshToken">Opaque token for <c>POST /api/auth/refresh</c>, valid once.</param>
/// <param name="RefreshExpiresIn">Seconds the refresh token is valid.</param>
public sealed record TokenPair(string AccessToken, string TokenType, int ExpiresIn, string RefreshToken, int RefreshExpiresIn);

/// <summary>Signs access tokens and issues refresh tokens.</summary>
public sealed class TokenService(SigningKeys keys, RefreshTokenRepository refreshTokens, TimeProvider clock, IOptions<SecurityOptions> options)
{
    private readonly JsonWebTokenHandler _handler = new();

    /// <summary>A new access token and a new refresh token of <paramref name="familyId"/> (a new family at login).</summary>
    public async Task<TokenPair> IssueAsync(UserRecord user, Guid familyId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var accessExpires = now + settings.AccessTokenLifetime;
        var accessToken = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = accessExpires.UtcDateTime,
            Subject = new ClaimsIdentity(
            [
                new Claim(SecurityClaims.Subject, user.UserId.ToString("D")),
                new Claim(SecurityClaims.Name, user.Username),
                new Claim(SecurityClaims.Role, user.Role),
                new Claim(SecurityClaims.Kind, SecurityClaims.KindUser),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
            ]),
            SigningCredentials = new SigningCredentials(keys.Key, SecurityAlgorithms.HmacSha256),
        });

        var refreshToken = SecretTokens.New(SecretTokens.RefreshTokenPrefix);
        await refreshTokens.AddAsync(new RefreshTokenRecord
        {
            TokenId = Guid.NewGuid(),
            FamilyId = familyId,
            UserId = user.UserId,
            TokenHash = SecretTokens.Hash(refreshToken),
            CreatedAt = now,
            ExpiresAt = now + settings.RefreshTokenLifetime,
        }, cancellationToken).ConfigureAwait(false);

        return new TokenPair(accessToken, "Bearer", (int)settings.AccessTokenLifetime.TotalSeconds, refreshToken, (int)settings.RefreshTokenLifetime.TotalSeconds);
    }

    /// <summary>
    /// How <c>JwtBearer</c> validates this node's tokens. Expiry is judged on <paramref name="clock"/>, the clock that
    /// issued them (the same one refresh tokens, lockouts and the audit log use).
    /// </summary>
    public static TokenValidationParameters ValidationParameters(SecurityOptions settings, SigningKeys keys, TimeProvider clock) => new()
    {
        LifetimeValidator = (notBefore, expires, _, parameters) => IsWithinLifetime(notBefore, expires, parameters.ClockSkew, clock.GetUtcNow()),
        ValidIssuer = settings.Issuer,
        ValidAudience = settings.Audience,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        IssuerSigningKeyResolver = (_, _, _, _) => keys.IsLoaded ? [keys.Key] : [],
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        NameClaimType = SecurityClaims.Name,
        RoleClaimType = SecurityClaims.Role,
    };

    /// <summary>
    /// The lifetime check of <see cref="ValidationParameters"/>: an expiry is required, and now (give or take the skew) lies
    /// between not-before and expiry. It replaces the library's check, which reads the system clock.
    /// </summary>
    public static bool IsWithinLifetime(DateTime? notBefore, DateTime? expires, TimeSpan skew, DateTimeOffset now)
    {
        if (expires is not { } end)
        {
            return false;
        }

        var utcNow = now.UtcDateTime;
        return (notBefore is not { } start || start.ToUniversalTime() <= utcNow + skew) && end.ToUniversalTime() >= utcNow - skew;
    }
}
