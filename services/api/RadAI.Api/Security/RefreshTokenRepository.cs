using Dapper;
using RadAI.Data;

namespace RadAI.Api.Security;

/// <summary>A refresh token as stored (its hash only).</summary>
public sealed class RefreshTokenRecord
{
    public Guid TokenId { get; init; }
    public Guid FamilyId { get; init; }
    public Guid UserId { get; init; }
    public string TokenHash { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? UsedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
}

/// <summary>Refresh tokens: one family per login; each use marks the token used and adds its successor.</summary>
public sealed class RefreshTokenRepository(IDbConnectionFactory connections)
{
    public async Task AddAsync(RefreshTokenRecord token, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO refresh_tokens (token_id, family_id, user_id, token_hash, created_at, expires_at, used_at, revoked_at)
            VALUES (@TokenId, @FamilyId, @UserId, @TokenHash, @CreatedAt, @ExpiresAt, NULL, NULL)
            """, token, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<RefreshTokenRecord?> FindByHashAsync(string tokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<RefreshTokenRecord>(new CommandDefinition("""
            SELECT token_id AS TokenId, family_id AS FamilyId, user_id AS UserId, token_hash AS TokenHash, created_at AS CreatedAt,
                   expires_at AS ExpiresAt, used_at AS UsedAt, revoked_at AS RevokedAt
            FROM refresh_tokens WHERE token_hash = @tokenHash
            """, new { tokenHash }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Marks a token used, once: false when it was already used or revoked (a concurrent or replayed use).</summary>
    public async Task<bool> TryMarkUsedAsync(Guid tokenId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE refresh_tokens SET used_at = @now WHERE token_id = @tokenId AND used_at IS NULL AND revoked_at IS NULL",
            new { tokenId, now }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary>Revokes every token of a family (logout, or a replayed token).</summary>
    public async Task<int> RevokeFamilyAsync(Guid familyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE refresh_tokens SET revoked_at = @now WHERE family_id = @familyId AND revoked_at IS NULL",
            new { familyId, now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Revokes every token of a user (disabled, password reset).</summary>
    public async Task<int> RevokeUserAsync(Guid userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE refresh_tokens SET revoked_at = @now WHERE user_id = @userId AND revoked_at IS NULL",
            new { userId, now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
