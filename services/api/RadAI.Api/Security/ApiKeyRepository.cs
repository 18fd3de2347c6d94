using Dapper;
using RadAI.Data;

namespace RadAI.Api.Security;

/// <summary>An API key as stored (its hash only).</summary>
public sealed class ApiKeyRecord
{
    public Guid KeyId { get; init; }
    public string Name { get; init; } = "";
    public string KeyPrefix { get; init; } = "";
    public string KeyHash { get; init; } = "";
    public string Role { get; init; } = "";
    public string CreatedBy { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
}

/// <summary>API keys of machine clients.</summary>
public sealed class ApiKeyRepository(IDbConnectionFactory connections)
{
    private const string Columns = """
        key_id AS KeyId, name AS Name, key_prefix AS KeyPrefix, key_hash AS KeyHash, role AS Role, created_by AS CreatedBy,
        created_at AS CreatedAt, revoked_at AS RevokedAt
        """;

    public async Task AddAsync(ApiKeyRecord key, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO api_keys (key_id, name, key_prefix, key_hash, role, created_by, created_at, revoked_at)
            VALUES (@KeyId, @Name, @KeyPrefix, @KeyHash, @Role, @CreatedBy, @CreatedAt, NULL)
            """, key, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The key with this hash, unless revoked.</summary>
    public async Task<ApiKeyRecord?> FindActiveByHashAsync(string keyHash, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<ApiKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys WHERE key_hash = @keyHash AND revoked_at IS NULL", new { keyHash }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ApiKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys ORDER BY created_at", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }

    public async Task<bool> RevokeAsync(Guid keyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_keys SET revoked_at = @now WHERE key_id = @keyId AND revoked_at IS NULL", new { keyId, now }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }
}
