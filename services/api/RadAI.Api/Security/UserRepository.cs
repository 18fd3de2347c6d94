using Dapper;
using RadAI.Data;

namespace RadAI.Api.Security;

/// <summary>A local user as stored.</summary>
public sealed class UserRecord
{
    public Guid UserId { get; init; }
    public string Username { get; init; } = "";
    public string PasswordHash { get; init; } = "";
    public string Role { get; init; } = "";
    public int FailedLogins { get; init; }
    public DateTimeOffset? LockedUntil { get; init; }
    public DateTimeOffset? DisabledAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Local users, on PostgreSQL or SQLite (portable SQL only).</summary>
public sealed class UserRepository(IDbConnectionFactory connections)
{
    private const string Columns = """
        user_id AS UserId, username AS Username, password_hash AS PasswordHash, role AS Role, failed_logins AS FailedLogins,
        locked_until AS LockedUntil, disabled_at AS DisabledAt, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    public SqlDialect Dialect => connections.Dialect;

    public async Task<bool> AnyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM users", cancellationToken: cancellationToken)).ConfigureAwait(false) > 0;
    }

    public async Task<UserRecord?> FindByNameAsync(string username, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<UserRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM users WHERE username = @username", new { username }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<UserRecord?> FindAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<UserRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM users WHERE user_id = @userId", new { userId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<UserRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<UserRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM users ORDER BY username", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }

    /// <summary>Inserts a user; false when the name is taken.</summary>
    public async Task<bool> TryCreateAsync(UserRecord user, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO users (user_id, username, password_hash, role, failed_logins, locked_until, disabled_at, created_at, updated_at)
                VALUES (@UserId, @Username, @PasswordHash, @Role, 0, NULL, NULL, @CreatedAt, @UpdatedAt)
                """, user, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (connections.Dialect.IsUniqueViolation(e))
        {
            return false;
        }
    }

    /// <summary>Counts a failed login; locks the account until <paramref name="lockUntil"/> when it reaches <paramref name="maxFailures"/>.
    /// Returns true when this failure locked it.</summary>
    public async Task<bool> RecordFailedLoginAsync(Guid userId, int maxFailures, DateTimeOffset now, DateTimeOffset lockUntil, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var failures = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            UPDATE users SET failed_logins = failed_logins + 1, updated_at = @now WHERE user_id = @userId RETURNING failed_logins
            """, new { userId, now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (failures < maxFailures)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE users SET failed_logins = 0, locked_until = @lockUntil, updated_at = @now WHERE user_id = @userId
            """, new { userId, now, lockUntil }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return true;
    }

    public async Task RecordSuccessfulLoginAsync(Guid userId, string? newPasswordHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE users SET failed_logins = 0, locked_until = NULL, password_hash = COALESCE(@newPasswordHash, password_hash), updated_at = @now
            WHERE user_id = @userId
            """, new { userId, newPasswordHash, now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<bool> SetRoleAsync(Guid userId, string role, DateTimeOffset now, CancellationToken cancellationToken) =>
        await ExecuteAsync("UPDATE users SET role = @role, updated_at = @now WHERE user_id = @userId", new { userId, role, now }, cancellationToken).ConfigureAwait(false) > 0;

    /// <summary>Disables (<paramref name="disabledAt"/> set) or enables (null) a user.</summary>
    public async Task<bool> SetDisabledAsync(Guid userId, DateTimeOffset? disabledAt, DateTimeOffset now, CancellationToken cancellationToken) =>
        await ExecuteAsync("UPDATE users SET disabled_at = @disabledAt, updated_at = @now WHERE user_id = @userId", new { userId, disabledAt, now }, cancellationToken).ConfigureAwait(false) > 0;

    /// <summary>Sets a new password and lifts a lockout.</summary>
    public async Task<bool> SetPasswordAsync(Guid userId, string passwordHash, DateTimeOffset now, CancellationToken cancellationToken) =>
        await ExecuteAsync("""
            UPDATE users SET password_hash = @passwordHash, failed_logins = 0, locked_until = NULL, updated_at = @now WHERE user_id = @userId
            """, new { userId, passwordHash, now }, cancellationToken).ConfigureAwait(false) > 0;

    /// <summary>Enabled administrators other than <paramref name="exceptUserId"/>.</summary>
    public async Task<long> CountOtherActiveAdminsAsync(Guid exceptUserId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM users WHERE role = @role AND disabled_at IS NULL AND user_id <> @exceptUserId",
            new { role = Roles.Admin, exceptUserId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    private async Task<int> ExecuteAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
