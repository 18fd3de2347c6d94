using Dapper;
using RadAI.Data;

namespace RadAI.PacsSender.Destinations;

/// <summary>A destination as stored (a row of <c>pacs_destinations</c>).</summary>
public sealed class Destination : ISeededRow
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

    // The C-ECHO columns are not written by seeding nor by the api: a destination keeps its echo results.
    private static readonly SeededTableSchema Schema = new(
        table: "pacs_destinations",
        keyColumn: "ae_title",
        columns: [new("host", "Host"), new("port", "Port"), new("tls", "Tls"), new("kinds", "Kinds"), new("all_reports", "AllReports"), new("enabled", "Enabled")],
        selectColumns: Columns,
        // A configured destination no longer listed is disabled: its deliveries keep their history.
        unlisted: UnlistedConfiguredRows.Disable);

    private readonly ConfigSeededTable<Destination> _destinations = new(connections, time, Schema);

    /// <summary>Source of the destinations seeded from configuration (read-only through the api).</summary>
    public const string ConfigSource = SeededSource.Config;

    /// <summary>Source of the destinations administered through the api.</summary>
    public const string ApiSource = SeededSource.Api;

    /// <summary>
    /// Writes the configured destinations (source <c>config</c>): new ones inserted, existing ones updated (their echo
    /// results kept); configured ones no longer listed are disabled. Destinations from another source are left alone.
    /// </summary>
    public Task SeedAsync(IReadOnlyList<DestinationOptions> configured, CancellationToken cancellationToken) =>
        _destinations.SeedAsync(
            configured.Select(destination => new ConfiguredRow(destination.AeTitle, new
            {
                destination.Host,
                Port = (long)destination.Port,
                destination.Tls,
                Kinds = string.Join(',', destination.EffectiveKinds),
                destination.AllReports,
                destination.Enabled,
            })),
            cancellationToken);

    /// <summary>Every destination, by AE title.</summary>
    public Task<IReadOnlyList<Destination>> ListAsync(CancellationToken cancellationToken) => _destinations.ListAsync(cancellationToken);

    /// <summary>One destination, or null.</summary>
    public Task<Destination?> FindAsync(string aeTitle, CancellationToken cancellationToken) => _destinations.FindAsync(aeTitle, cancellationToken);

    /// <summary>
    /// Creates or replaces a destination administered through the api (source <c>api</c>), in one transaction with the
    /// read of what it replaces. A configured destination (source <c>config</c>) is not changed: <c>ReadOnly</c> is
    /// returned with it. Its C-ECHO results are kept.
    /// </summary>
    public Task<SeededChange<Destination>> UpsertFromApiAsync(Destination destination, CancellationToken cancellationToken) =>
        _destinations.UpsertFromApiAsync(
            destination.AeTitle,
            new { destination.Host, destination.Port, destination.Tls, destination.Kinds, destination.AllReports, destination.Enabled },
            cancellationToken);

    /// <summary>Disables a destination administered through the api; the row stays (its deliveries keep their history).</summary>
    public Task<SeededChange<Destination>> DisableFromApiAsync(string aeTitle, CancellationToken cancellationToken) =>
        _destinations.DisableFromApiAsync(aeTitle, cancellationToken);

    /// <summary>Records the outcome of a C-ECHO.</summary>
    public async Task RecordEchoAsync(string aeTitle, DateTimeOffset at, ushort? status, string? error, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE pacs_destinations SET last_echo_at = @At, last_echo_status = @Status, last_echo_error = @Error WHERE ae_title = @AeTitle",
            new { AeTitle = aeTitle, At = at, Status = (long?)status, Error = error }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
