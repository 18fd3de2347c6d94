using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using RadAI.Data.Audit;

namespace RadAI.Api.Security;

/// <summary>Why a sign-in or refresh was refused (the client is told only "invalid credentials"; the audit log keeps the reason).</summary>
public enum SignInFailure
{
    None,
    UnknownUser,
    Disabled,
    Locked,
    WrongPassword,
    LocalSignInOff,
    UnknownToken,
    ExpiredToken,
    ReusedToken,
}

/// <summary>Login, refresh with rotation and replay detection, logout; each outcome audited.</summary>
public sealed partial class AccountService(
    UserRepository users, RefreshTokenRepository refreshTokens, TokenService tokens, PasswordHasher hasher, SigningKeys keys,
    IAuditLog audit, TimeProvider clock, IOptions<SecurityOptions> options)
{
    // Verified against when the user does not exist, so that an unknown name costs as much time as a wrong password.
    private string? _decoyHash;

    public async Task<(TokenPair? Tokens, SignInFailure Failure)> LoginAsync(HttpContext context, string username, string password, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var normalized = UserNames.Normalize(username);
        // A password typed into the name field must not land in the audit log: only well-formed names are recorded.
        var recordedName = UserNames.IsValid(normalized) ? normalized : "(malformed)";
        if (!keys.IsLoaded)
        {
            await audit.WriteAsync(AuditActors.Anonymous, context, "auth.login", null, AuditOutcome.Failure, new { username = recordedName, reason = "local_sign_in_off" }, cancellationToken).ConfigureAwait(false);
            return (null, SignInFailure.LocalSignInOff);
        }

        var user = UserNames.IsValid(normalized) ? await users.FindByNameAsync(normalized, cancellationToken).ConfigureAwait(false) : null;
        if (user is null)
        {
            _decoyHash ??= await hasher.HashAsync(Guid.NewGuid().ToString()).ConfigureAwait(false);
            await hasher.VerifyAsync(password, _decoyHash).ConfigureAwait(false);
            await audit.WriteAsync(AuditActors.Anonymous, context, "auth.login", null, AuditOutcome.Failure, new { username = recordedName, reason = "unknown_user" }, cancellationToken).ConfigureAwait(false);
            return (null, SignInFailure.UnknownUser);
        }

        var actor = AuditActors.User(user.UserId);
        var now = clock.GetUtcNow();
        if (user.DisabledAt is not null)
        {
            await audit.WriteAsync(actor, context, "auth.login", actor, AuditOutcome.Failure, new { username = user.Username, reason = "disabled" }, cancellationToken).ConfigureAwait(false);
            return (null, SignInFailure.Disabled);
        }

        if (user.LockedUntil is { } lockedUntil && lockedUntil > now)
        {
            await audit.WriteAsync(actor, context, "auth.login", actor, AuditOutcome.Failure, new { username = user.Username, reason = "locked", lockedUntil }, cancellationToken).ConfigureAwait(false);
            return (null, SignInFailure.Locked);
        }

        if (!await hasher.VerifyAsync(password, user.PasswordHash).ConfigureAwait(false))
        {
            var locked = await users.RecordFailedLoginAsync(user.UserId, settings.MaxFailedLogins, now, now + settings.LockoutDuration, cancellationToken).ConfigureAwait(false);
            await audit.WriteAsync(actor, context, "auth.login", actor, AuditOutcome.Failure,
                new { username = user.Username, reason = "wrong_password", lockedNow = locked }, cancellationToken).ConfigureAwait(false);
            return (null, SignInFailure.WrongPassword);
        }

        var rehash = hasher.NeedsRehash(user.PasswordHash) ? await hasher.HashAsync(password).ConfigureAwait(false) : null;
        await users.RecordSuccessfulLoginAsync(user.UserId, rehash, now, cancellationToken).ConfigureAwait(false);
        var familyId = Guid.NewGuid();
        var pair = await tokens.IssueAsync(user, familyId, cancellationToken).ConfigureAwait(false);
        await audit.WriteAsync(actor, context, "auth.login", actor, AuditOutcome.Success,
            new { username = user.Username, role = user.Role, session = familyId, rehashed = rehash is not null }, cancellationToken).ConfigureAwait(false);
        return (pair, SignInFailure.None);
    }

    public async Task<(TokenPair? Tokens, SignInFailure Failure)> RefreshAsync(HttpContext context, string refreshToken, CancellationToken cancellationToken)
    {
        if (!keys.IsLoaded)
        {
            return (null, SignInFailure.LocalSignInOff);
        }

        var now = clock.GetUtcNow();
        var stored = IsWellFormed(refreshToken) ? await refreshTokens.FindByHashAsync(SecretTokens.Hash(refreshToken), cancellationToken).ConfigureAwait(false) : null;
        if (stored is null)
        {
            await audit.WriteAsync(AuditActors.Anonymous, context, "auth.refresh", null, AuditOutcome.Failure, new { reason = "unknown_token" }, cancellationToken).ConfigureAwait(false);
            return (null, SignInFailure.UnknownToken);
        }

        var actor = AuditActors.User(stored.UserId);
        if (stored.UsedAt is not null || stored.RevokedAt is not null || !await refreshTokens.TryMarkUsedAsync(stored.TokenId, now, cancellationToken).ConfigureAwait(false))
        {
            // A used token presented again: it was stolen, or the client replays it. Either way the session ends.
            var wasRevoked = stored.RevokedAt is not null && stored.UsedAt is null;
            var revoked = await refreshTokens.RevokeFamilyAsync(stored.FamilyId, now, cancellationToken).ConfigureAwait(false);
            await audit.WriteAsync(actor, context, "auth.refresh", actor, AuditOutcome.Failure,
                new { reason = wasRevoked ? "revoked_token" : "reused_token", session = stored.FamilyId, revokedTokens = revoked }, cancellationToken).ConfigureAwait(false);
            return (null, SignInFailure.ReusedToken);
        }

        if (stored.ExpiresAt <= now)
        {
            await audit.WriteAsync(actor, context, "auth.refresh", actor, AuditOutcome.Failure, new { reason = "expired_token", session = stored.FamilyId }, cancellationToken).ConfigureAwait(false);
            return (null, SignInFailure.ExpiredToken);
        }

        var user = await users.FindAsync(stored.UserId, cancellationToken).ConfigureAwait(false);
        if (user is null || user.DisabledAt is not null)
        {
            await refreshTokens.RevokeFamilyAsync(stored.FamilyId, now, cancellationToken).ConfigureAwait(false);
            await audit.WriteAsync(actor, context, "auth.refresh", actor, AuditOutcome.Failure, new { reason = "disabled", session = stored.FamilyId }, cancellationToken).ConfigureAwait(false);
            return (null, SignInFailure.Disabled);
        }

        var pair = await tokens.IssueAsync(user, stored.FamilyId, cancellationToken).ConfigureAwait(false);
        await audit.WriteAsync(actor, context, "auth.refresh", actor, AuditOutcome.Success, new { session = stored.FamilyId }, cancellationToken).ConfigureAwait(false);
        return (pair, SignInFailure.None);
    }

    /// <summary>Ends the session the refresh token belongs to; false when the token is unknown.</summary>
    public async Task<bool> LogoutAsync(HttpContext context, string refreshToken, CancellationToken cancellationToken)
    {
        var stored = IsWellFormed(refreshToken) ? await refreshTokens.FindByHashAsync(SecretTokens.Hash(refreshToken), cancellationToken).ConfigureAwait(false) : null;
        if (stored is null)
        {
            await audit.WriteAsync(AuditActors.Anonymous, context, "auth.logout", null, AuditOutcome.Failure, new { reason = "unknown_token" }, cancellationToken).ConfigureAwait(false);
            return false;
        }

        var revoked = await refreshTokens.RevokeFamilyAsync(stored.FamilyId, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var actor = AuditActors.User(stored.UserId);
        await audit.WriteAsync(actor, context, "auth.logout", actor, AuditOutcome.Success, new { session = stored.FamilyId, revokedTokens = revoked }, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static bool IsWellFormed(string token) => TokenShape().IsMatch(token);

    [GeneratedRegex("^rt_[A-Za-z0-9_-]{43}$")]
    private static partial Regex TokenShape();
}
