using System.Data.Common;
using Dapper;
using RadAI.Data;

namespace RadAI.DicomIngest.Senders;

/// <summary>A known sender as stored (a row of <c>ingest_senders</c>).</summary>
public sealed class Sender
{
    public string AeTitle { get; set; } = "";

    /// <summary>Host it must connect from; null: any.</summary>
    public string? Host { get; set; }

    public bool Allowed { get; set; }

    /// <summary>Routing profile of its studies; null: the default profile.</summary>
    public string? RoutingProfile { get; set; }

    /// <summary>Its stable-study timeout in milliseconds; null: the default.</summary>
    public long? StableTimeoutMs { get; set; }

    public bool Enabled { get; set; }

    /// <summary><c>config</c> (seeded from <c>DicomIngest:Senders</c>) or <c>api</c>.</summary>
    public string Source { get; set; } = "";

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Its stable-study timeout; null: the default.</summary>
    public TimeSpan? StableTimeout => StableTimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null;

    /// <summary>May its C-STOREs be accepted? Allowed and enabled.</summary>
    public bool MaySend => Allowed && Enabled;
}

/// <summary>
/// The known senders (<c>ingest_senders</c>): seeded from configuration at each start, administered through the api,
/// read at each association (every replica sees a change at the next association).
/// </summary>
public sealed class SenderRepository(IDbConnectionFactory connections, TimeProvider time)
{
    private const string Columns = """
        ae_title AS AeTitle, host AS Host, allowed AS Allowed, routing_profile AS RoutingProfile, stable_timeout_ms AS StableTimeoutMs,
        enabled AS Enabled, source AS Source, updated_at AS UpdatedAt
        """;

    /// <summary>Source of the senders seeded from configuration (read-only through the api).</summary>
    public const string ConfigSource = "config";

    /// <summary>Source of the senders administered through the api.</summary>
    public const string ApiSource = "api";

    /// <summary>
    /// Writes the configured senders (source <c>config</c>): new ones inserted, existing ones (from any source) replaced.
    /// Configured senders no longer listed are deleted: their AE title is unknown again, as before the table existed.
    /// Senders administered through the api and not configured are left alone.
    /// </summary>
    public async Task SeedAsync(IReadOnlyList<SenderOptions> configured, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var sender in configured)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO ingest_senders (ae_title, host, allowed, routing_profile, stable_timeout_ms, enabled, source, updated_at)
                VALUES (@AeTitle, @Host, @Allowed, @RoutingProfile, @StableTimeoutMs, @Enabled, 'config', @Now)
                ON CONFLICT (ae_title) DO UPDATE SET host = excluded.host, allowed = excluded.allowed, routing_profile = excluded.routing_profile,
                    stable_timeout_ms = excluded.stable_timeout_ms, enabled = excluded.enabled, source = 'config', updated_at = excluded.updated_at
                """,
                new
                {
                    sender.AeTitle,
                    Host = Blank(sender.Host),
                    sender.Allowed,
                    RoutingProfile = Blank(sender.RoutingProfile),
                    StableTimeoutMs = Milliseconds(sender.StableTimeout),
                    Enabled = true,
                    Now = now,
                },
                transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        var listed = configured.Select(s => s.AeTitle).ToHashSet(StringComparer.Ordinal);
        var stale = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT ae_title FROM ingest_senders WHERE source = 'config'", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
            .Where(ae => !listed.Contains(ae)).ToList();
        foreach (var ae in stale)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM ingest_senders WHERE ae_title = @Ae AND source = 'config'", new { Ae = ae }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every sender, by AE title.</summary>
    public async Task<IReadOnlyList<Sender>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<Sender>(new CommandDefinition(
            $"SELECT {Columns} FROM ingest_senders ORDER BY ae_title", cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    /// <summary>One sender, or null for an unknown AE title.</summary>
    public async Task<Sender?> FindAsync(string aeTitle, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await FindAsync(connection, null, aeTitle, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates or replaces a sender administered through the api (source <c>api</c>), in one transaction with the read
    /// of what it replaces. A configured sender is not changed: <c>ReadOnly</c> is returned with it.
    /// </summary>
    public async Task<(Sender? Before, Sender? After, bool ReadOnly)> UpsertFromApiAsync(Sender sender, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var before = await FindAsync(connection, transaction, sender.AeTitle, cancellationToken).ConfigureAwait(false);
        if (before is { Source: ConfigSource })
        {
            return (before, null, true);
        }

        // The conflict clause also guards a configured row written between the read and this statement (another replica's start).
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ingest_senders (ae_title, host, allowed, routing_profile, stable_timeout_ms, enabled, source, updated_at)
            VALUES (@AeTitle, @Host, @Allowed, @RoutingProfile, @StableTimeoutMs, @Enabled, 'api', @Now)
            ON CONFLICT (ae_title) DO UPDATE SET host = excluded.host, allowed = excluded.allowed, routing_profile = excluded.routing_profile,
                stable_timeout_ms = excluded.stable_timeout_ms, enabled = excluded.enabled, updated_at = excluded.updated_at
            WHERE ingest_senders.source = 'api'
            """,
            new
            {
                sender.AeTitle,
                Host = Blank(sender.Host),
                sender.Allowed,
                RoutingProfile = Blank(sender.RoutingProfile),
                sender.StableTimeoutMs,
                sender.Enabled,
                Now = time.GetUtcNow(),
            },
            transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var after = await FindAsync(connection, transaction, sender.AeTitle, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return after is { Source: ConfigSource } ? (after, null, true) : (before, after, false);
    }

    /// <summary>Disables a sender administered through the api; the row stays (its C-STOREs are refused).</summary>
    public async Task<(Sender? Before, Sender? After, bool ReadOnly)> DisableFromApiAsync(string aeTitle, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var before = await FindAsync(connection, transaction, aeTitle, cancellationToken).ConfigureAwait(false);
        if (before is null || before.Source == ConfigSource)
        {
            return (before, null, before is not null);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE ingest_senders SET enabled = @Enabled, updated_at = @Now WHERE ae_title = @AeTitle AND source = 'api'",
            new { Enabled = false, Now = time.GetUtcNow(), AeTitle = aeTitle }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var after = await FindAsync(connection, transaction, aeTitle, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (before, after, false);
    }

    private static Task<Sender?> FindAsync(DbConnection connection, DbTransaction? transaction, string aeTitle, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<Sender>(new CommandDefinition(
            $"SELECT {Columns} FROM ingest_senders WHERE ae_title = @AeTitle", new { AeTitle = aeTitle }, transaction, cancellationToken: cancellationToken));

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>A timeout as whole milliseconds (the column), null kept.</summary>
    public static long? Milliseconds(TimeSpan? value) => value is { } t ? (long)t.TotalMilliseconds : null;
}
