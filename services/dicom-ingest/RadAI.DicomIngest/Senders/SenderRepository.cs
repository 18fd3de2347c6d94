using RadAI.Data;

namespace RadAI.DicomIngest.Senders;

/// <summary>A known sender as stored (a row of <c>ingest_senders</c>).</summary>
public sealed class Sender : ISeededRow
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
    private static readonly SeededTableSchema Schema = new(
        table: "ingest_senders",
        keyColumn: "ae_title",
        columns: [new("host", "Host"), new("allowed", "Allowed"), new("routing_profile", "RoutingProfile"), new("stable_timeout_ms", "StableTimeoutMs"), new("enabled", "Enabled")],
        selectColumns: """
            ae_title AS AeTitle, host AS Host, allowed AS Allowed, routing_profile AS RoutingProfile, stable_timeout_ms AS StableTimeoutMs,
            enabled AS Enabled, source AS Source, updated_at AS UpdatedAt
            """,
        // A configured sender no longer listed: its AE title is unknown again, as before the table existed.
        unlisted: UnlistedConfiguredRows.Delete);

    private readonly ConfigSeededTable<Sender> _senders = new(connections, time, Schema);

    /// <summary>Source of the senders seeded from configuration (read-only through the api).</summary>
    public const string ConfigSource = SeededSource.Config;

    /// <summary>Source of the senders administered through the api.</summary>
    public const string ApiSource = SeededSource.Api;

    /// <summary>
    /// Writes the configured senders (source <c>config</c>): new ones inserted, existing ones (from any source) replaced.
    /// Configured senders no longer listed are deleted: their AE title is unknown again, as before the table existed.
    /// Senders administered through the api and not configured are left alone.
    /// </summary>
    public Task SeedAsync(IReadOnlyList<SenderOptions> configured, CancellationToken cancellationToken) =>
        _senders.SeedAsync(
            configured.Select(sender => new ConfiguredRow(sender.AeTitle, new
            {
                Host = Blank(sender.Host),
                sender.Allowed,
                RoutingProfile = Blank(sender.RoutingProfile),
                StableTimeoutMs = Milliseconds(sender.StableTimeout),
                Enabled = true,
            })),
            cancellationToken);

    /// <summary>Every sender, by AE title.</summary>
    public Task<IReadOnlyList<Sender>> ListAsync(CancellationToken cancellationToken) => _senders.ListAsync(cancellationToken);

    /// <summary>One sender, or null for an unknown AE title.</summary>
    public Task<Sender?> FindAsync(string aeTitle, CancellationToken cancellationToken) => _senders.FindAsync(aeTitle, cancellationToken);

    /// <summary>
    /// Creates or replaces a sender administered through the api (source <c>api</c>), in one transaction with the read
    /// of what it replaces. A configured sender is not changed: <c>ReadOnly</c> is returned with it.
    /// </summary>
    public Task<SeededChange<Sender>> UpsertFromApiAsync(Sender sender, CancellationToken cancellationToken) =>
        _senders.UpsertFromApiAsync(
            sender.AeTitle,
            new
            {
                Host = Blank(sender.Host),
                sender.Allowed,
                RoutingProfile = Blank(sender.RoutingProfile),
                sender.StableTimeoutMs,
                sender.Enabled,
            },
            cancellationToken);

    /// <summary>Disables a sender administered through the api; the row stays (its C-STOREs are refused).</summary>
    public Task<SeededChange<Sender>> DisableFromApiAsync(string aeTitle, CancellationToken cancellationToken) =>
        _senders.DisableFromApiAsync(aeTitle, cancellationToken);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>A timeout as whole milliseconds (the column), null kept.</summary>
    public static long? Milliseconds(TimeSpan? value) => value is { } t ? (long)t.TotalMilliseconds : null;
}
