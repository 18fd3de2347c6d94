using Dapper;
using RadAI.Data;

namespace RadAI.PacsSender.Destinations;

/// <summary>A destination as stored (a row of <c>pacs_destinations</c>).</summary>
public sealed class Destination
{
    public string AeTitle { get; set; } = "";

    public string Host { get; set; } = "";

    public long Port { get; set; }

    public bool Tls { get; set; }

    /// <summary>Comma-separated report object kinds.</summary>
    public string Kinds { get; set; } = "";

    public bool AllReports { get; set; }

    public bool Enabled { get; set; }

    /// <summary><c>config</c> (seeded from <c>PacsSender:Destinations</c>) or <c>api</c>.</summary>
    public string Source { get; set; } = "";

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? LastEchoAt { get; set; }

    /// <summary>DIMSE status of the last C-ECHO; null when it got no answer (see <see cref="LastEchoError"/>).</summary>
    public long? LastEchoStatus { get; set; }

    public string? LastEchoError { get; set; }

    /// <summary>Does it take objects of this kind?</summary>
    public bool Takes(string kind) => Kinds.Split(',').Contains(kind, StringComparer.Ordinal);
}

/// <summary>The destinations table: seeded from configuration, read by the delivery, C-ECHO results recorded.</summary>
public sealed class DestinationRepository(IDbConnectionFactory connections, TimeProvider time)
{
    internal const string Columns = """
        ae_title AS AeTitle, host AS Host, port AS Port, tls AS Tls, kinds AS Kinds, all_reports AS AllReports, enabled AS Enabled,
        source AS Source, updated_at AS UpdatedAt, last_echo_at AS LastEchoAt, last_echo_status AS LastEchoStatus, last_echo_error AS LastEchoError
        """;

    /// <summary>Source of the destinations seeded from configuration (read-only through the api).</summary>
    public const string ConfigSource = "config";

    /// <summary>Source of the destinations administered through the api.</summary>
    public const string ApiSource = "api";

    /// <summary>
    /// Writes the configured destinations (source <c>config</c>): new ones inserted, existing ones updated (their echo
    /// results kept); configured ones no longer listed are disabled. Destinations from another source are left alone.
    /// </summary>
    public async Task SeedAsync(IReadOnlyList<DestinationOptions> configured, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var destination in configured)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO pacs_destinations (ae_title, host, port, tls, kinds, all_reports, enabled, source, updated_at)
                VALUES (@AeTitle, @Host, @Port, @Tls, @Kinds, @AllReports, @Enabled, 'config', @Now)
                ON CONFLICT (ae_title) DO UPDATE SET host = excluded.host, port = excluded.port, tls = excluded.tls, kinds = excluded.kinds,
                    all_reports = excluded.all_reports, enabled = excluded.enabled, source = 'config', updated_at = excluded.updated_at
                """,
                new
                {
                    destination.AeTitle,
                    destination.Host,
                    Port = (long)destination.Port,
                    destination.Tls,
                    Kinds = string.Join(',', destination.EffectiveKinds),
                    destination.AllReports,
                    destination.Enabled,
                    Now = now,
                },
                transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        var listed = configured.Select(d => d.AeTitle).ToHashSet(StringComparer.Ordinal);
        var stale = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT ae_title FROM pacs_destinations WHERE source = 'config' AND enabled = @Enabled", new { Enabled = true }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
            .Where(ae => !listed.Contains(ae)).ToList();
        foreach (var ae in stale)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE pacs_destinations SET enabled = @Enabled, updated_at = @Now WHERE ae_title = @Ae",
                new { Enabled = false, Now = now, Ae = ae }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every destination, by AE title.</summary>
    public async Task<IReadOnlyList<Destination>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<Destination>(new CommandDefinition(
            $"SELECT {Columns} FROM pacs_destinations ORDER BY ae_title", cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    /// <summary>One destination, or null.</summary>
    public async Task<Destination?> FindAsync(string aeTitle, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<Destination>(new CommandDefinition(
            $"SELECT {Columns} FROM pacs_destinations WHERE ae_title = @AeTitle", new { AeTitle = aeTitle }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates or replaces a destination administered through the api (source <c>api</c>), in one transaction with the
    /// read of what it replaces. A configured destination (source <c>config</c>) is not changed: <c>ReadOnly</c> is
    /// returned with it. Its C-ECHO results are kept.
    /// </summary>
    public async Task<(Destination? Before, Destination? After, bool ReadOnly)> UpsertFromApiAsync(Destination destination, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var before = await FindAsync(connection, transaction, destination.AeTitle, cancellationToken).ConfigureAwait(false);
        if (before is { Source: ConfigSource })
        {
            return (before, null, true);
        }

        // The conflict clause also guards a configured row written between the read and this statement (another replica's start).
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO pacs_destinations (ae_title, host, port, tls, kinds, all_reports, enabled, source, updated_at)
            VALUES (@AeTitle, @Host, @Port, @Tls, @Kinds, @AllReports, @Enabled, 'api', @Now)
            ON CONFLICT (ae_title) DO UPDATE SET host = excluded.host, port = excluded.port, tls = excluded.tls, kinds = excluded.kinds,
                all_reports = excluded.all_reports, enabled = excluded.enabled, updated_at = excluded.updated_at
            WHERE pacs_destinations.source = 'api'
            """,
            new { destination.AeTitle, destination.Host, destination.Port, destination.Tls, destination.Kinds, destination.AllReports, destination.Enabled, Now = time.GetUtcNow() },
            transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var after = await FindAsync(connection, transaction, destination.AeTitle, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return after is { Source: ConfigSource } ? (after, null, true) : (before, after, false);
    }

    /// <summary>Disables a destination administered through the api; the row stays (its deliveries keep their history).</summary>
    public async Task<(Destination? Before, Destination? After, bool ReadOnly)> DisableFromApiAsync(string aeTitle, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var before = await FindAsync(connection, transaction, aeTitle, cancellationToken).ConfigureAwait(false);
        if (before is null || before.Source == ConfigSource)
        {
            return (before, null, before is not null);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE pacs_destinations SET enabled = @Enabled, updated_at = @Now WHERE ae_title = @AeTitle AND source = 'api'",
            new { Enabled = false, Now = time.GetUtcNow(), AeTitle = aeTitle }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var after = await FindAsync(connection, transaction, aeTitle, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (before, after, false);
    }

    private static Task<Destination?> FindAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string aeTitle, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<Destination>(new CommandDefinition(
            $"SELECT {Columns} FROM pacs_destinations WHERE ae_title = @AeTitle", new { AeTitle = aeTitle }, transaction, cancellationToken: cancellationToken));

    /// <summary>Records the outcome of a C-ECHO.</summary>
    public async Task RecordEchoAsync(string aeTitle, DateTimeOffset at, ushort? status, string? error, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE pacs_destinations SET last_echo_at = @At, last_echo_status = @Status, last_echo_error = @Error WHERE ae_title = @AeTitle",
            new { AeTitle = aeTitle, At = at, Status = (long?)status, Error = error }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
