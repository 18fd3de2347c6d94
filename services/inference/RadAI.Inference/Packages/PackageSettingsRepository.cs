using RadAI.Data;

namespace RadAI.Inference.Packages;

/// <summary>Whether a package runs, as stored (a row of <c>inference_packages</c>; a package without a row runs).</summary>
public sealed class PackageSetting : ISeededRow
{
    public string PackageId { get; set; } = "";

    public bool Enabled { get; set; }

    /// <summary><c>config</c> (seeded from <c>Inference:DisabledPackages</c>) or <c>api</c>.</summary>
    public string Source { get; set; } = "";

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A routing profile as stored (a row of <c>inference_routing_profiles</c>).</summary>
public sealed class RoutingProfile : ISeededRow
{
    public string Name { get; set; } = "";

    /// <summary>Comma-separated package ids; empty: every enabled package.</summary>
    public string Packages { get; set; } = "";

    /// <summary><c>config</c> (seeded from <c>Inference:Profiles</c>) or <c>api</c>.</summary>
    public string Source { get; set; } = "";

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The package ids it allows; empty: every enabled package.</summary>
    public IReadOnlyList<string> PackageIds => Packages.Split(',', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>What routing reads for one study: the package settings and the profiles, from one moment.</summary>
public sealed record PackageSettingsSnapshot(IReadOnlyDictionary<string, PackageSetting> Packages, IReadOnlyDictionary<string, RoutingProfile> Profiles);

/// <summary>
/// The package settings and routing profiles of inference (<c>inference_packages</c>, <c>inference_routing_profiles</c>):
/// seeded from configuration at each start, administered through the api, read for every study (the replicas share
/// the database, so a change answered by one replica is seen by all of them at their next study).
/// </summary>
public sealed class PackageSettingsRepository(IDbConnectionFactory connections, TimeProvider time)
{
    // Configured rows no longer configured are deleted: a package without a row runs, a profile without a row takes
    // every enabled package.
    private static readonly SeededTableSchema PackageSchema = new(
        table: "inference_packages",
        keyColumn: "package_id",
        columns: [new("enabled", "Enabled")],
        selectColumns: "package_id AS PackageId, enabled AS Enabled, source AS Source, updated_at AS UpdatedAt",
        unlisted: UnlistedConfiguredRows.Delete);

    private static readonly SeededTableSchema ProfileSchema = new(
        table: "inference_routing_profiles",
        keyColumn: "name",
        columns: [new("packages", "Packages")],
        selectColumns: "name AS Name, packages AS Packages, source AS Source, updated_at AS UpdatedAt",
        unlisted: UnlistedConfiguredRows.Delete);

    private readonly ConfigSeededTable<PackageSetting> _packages = new(connections, time, PackageSchema);
    private readonly ConfigSeededTable<RoutingProfile> _profiles = new(connections, time, ProfileSchema);

    /// <summary>Source of the settings seeded from configuration (read-only through the api).</summary>
    public const string ConfigSource = SeededSource.Config;

    /// <summary>Source of the settings administered through the api.</summary>
    public const string ApiSource = SeededSource.Api;

    /// <summary>
    /// Writes the configuration (source <c>config</c>) in one transaction: each package of <paramref name="disabledPackages"/>
    /// disabled, each profile of <paramref name="profiles"/> replaced, whatever the api had set for them (configuration
    /// wins). Configured rows no longer in the configuration are deleted (a package without a row runs; a profile without
    /// a row takes every enabled package). What the api set for the rest is kept.
    /// </summary>
    public async Task SeedAsync(IReadOnlyCollection<string> disabledPackages, IReadOnlyDictionary<string, IReadOnlyList<string>> profiles, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await _packages.SeedAsync(
            transaction,
            disabledPackages.Distinct(StringComparer.Ordinal).Select(id => new ConfiguredRow(id, new { Enabled = false })),
            cancellationToken).ConfigureAwait(false);
        await _profiles.SeedAsync(
            transaction,
            profiles.Select(profile => new ConfiguredRow(profile.Key, new { Packages = string.Join(',', profile.Value) })),
            cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every package setting and every profile, read in one transaction.</summary>
    public async Task<PackageSettingsSnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var packages = await _packages.ListAsync(transaction, cancellationToken).ConfigureAwait(false);
        var profiles = await _profiles.ListAsync(transaction, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new PackageSettingsSnapshot(
            packages.ToDictionary(p => p.PackageId, StringComparer.Ordinal),
            profiles.ToDictionary(p => p.Name, StringComparer.Ordinal));
    }

    /// <summary>
    /// Enables or disables a package through the api (source <c>api</c>). A package the configuration disables is not
    /// changed: <c>ReadOnly</c>. Returns its setting before (null: none, it ran) and after.
    /// </summary>
    public Task<SeededChange<PackageSetting>> SetEnabledFromApiAsync(string packageId, bool enabled, CancellationToken cancellationToken) =>
        _packages.UpsertFromApiAsync(packageId, new { Enabled = enabled }, cancellationToken);

    /// <summary>Every routing profile, by name.</summary>
    public Task<IReadOnlyList<RoutingProfile>> ListProfilesAsync(CancellationToken cancellationToken) => _profiles.ListAsync(cancellationToken);

    /// <summary>
    /// Creates or replaces a routing profile through the api (source <c>api</c>). A configured profile is not changed:
    /// <c>ReadOnly</c> is returned with it.
    /// </summary>
    public Task<SeededChange<RoutingProfile>> UpsertProfileFromApiAsync(string name, IReadOnlyList<string> packages, CancellationToken cancellationToken) =>
        _profiles.UpsertFromApiAsync(name, new { Packages = string.Join(',', packages) }, cancellationToken);
}
