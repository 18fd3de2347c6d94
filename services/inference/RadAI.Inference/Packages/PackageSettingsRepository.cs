using System.Data.Common;
using Dapper;
using RadAI.Data;

namespace RadAI.Inference.Packages;

/// <summary>Whether a package runs, as stored (a row of <c>inference_packages</c>; a package without a row runs).</summary>
public sealed class PackageSetting
{
    public string PackageId { get; set; } = "";

    public bool Enabled { get; set; }

    /// <summary><c>config</c> (seeded from <c>Inference:DisabledPackages</c>) or <c>api</c>.</summary>
    public string Source { get; set; } = "";

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A routing profile as stored (a row of <c>inference_routing_profiles</c>).</summary>
public sealed class RoutingProfile
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
    private const string PackageColumns = "package_id AS PackageId, enabled AS Enabled, source AS Source, updated_at AS UpdatedAt";
    private const string ProfileColumns = "name AS Name, packages AS Packages, source AS Source, updated_at AS UpdatedAt";

    /// <summary>Source of the settings seeded from configuration (read-only through the api).</summary>
    public const string ConfigSource = "config";

    /// <summary>Source of the settings administered through the api.</summary>
    public const string ApiSource = "api";

    /// <summary>
    /// Writes the configuration (source <c>config</c>): each package of <paramref name="disabledPackages"/> disabled, each
    /// profile of <paramref name="profiles"/> replaced, whatever the api had set for them (configuration wins). Configured
    /// rows no longer in the configuration are deleted (a package without a row runs; a profile without a row takes every
    /// enabled package). What the api set for the rest is kept.
    /// </summary>
    public async Task SeedAsync(IReadOnlyCollection<string> disabledPackages, IReadOnlyDictionary<string, IReadOnlyList<string>> profiles, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var id in disabledPackages.Distinct(StringComparer.Ordinal))
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO inference_packages (package_id, enabled, source, updated_at) VALUES (@Id, @Enabled, 'config', @Now)
                ON CONFLICT (package_id) DO UPDATE SET enabled = excluded.enabled, source = 'config', updated_at = excluded.updated_at
                """, new { Id = id, Enabled = false, Now = now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        foreach (var (name, packages) in profiles)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO inference_routing_profiles (name, packages, source, updated_at) VALUES (@Name, @Packages, 'config', @Now)
                ON CONFLICT (name) DO UPDATE SET packages = excluded.packages, source = 'config', updated_at = excluded.updated_at
                """, new { Name = name, Packages = string.Join(',', packages), Now = now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        var disabled = disabledPackages.ToHashSet(StringComparer.Ordinal);
        foreach (var id in (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT package_id FROM inference_packages WHERE source = 'config'", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).Where(id => !disabled.Contains(id)).ToList())
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM inference_packages WHERE package_id = @Id AND source = 'config'", new { Id = id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        foreach (var name in (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT name FROM inference_routing_profiles WHERE source = 'config'", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).Where(n => !profiles.ContainsKey(n)).ToList())
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM inference_routing_profiles WHERE name = @Name AND source = 'config'", new { Name = name }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every package setting and every profile, read in one transaction.</summary>
    public async Task<PackageSettingsSnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var packages = await connection.QueryAsync<PackageSetting>(new CommandDefinition(
            $"SELECT {PackageColumns} FROM inference_packages", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var profiles = await connection.QueryAsync<RoutingProfile>(new CommandDefinition(
            $"SELECT {ProfileColumns} FROM inference_routing_profiles", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new PackageSettingsSnapshot(
            packages.ToDictionary(p => p.PackageId, StringComparer.Ordinal),
            profiles.ToDictionary(p => p.Name, StringComparer.Ordinal));
    }

    /// <summary>
    /// Enables or disables a package through the api (source <c>api</c>). A package the configuration disables is not
    /// changed: <c>ReadOnly</c>. Returns its setting before (null: none, it ran) and after.
    /// </summary>
    public async Task<(PackageSetting? Before, PackageSetting? After, bool ReadOnly)> SetEnabledFromApiAsync(string packageId, bool enabled, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var before = await FindPackageAsync(connection, transaction, packageId, cancellationToken).ConfigureAwait(false);
        if (before is { Source: ConfigSource })
        {
            return (before, null, true);
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO inference_packages (package_id, enabled, source, updated_at) VALUES (@Id, @Enabled, 'api', @Now)
            ON CONFLICT (package_id) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at
            WHERE inference_packages.source = 'api'
            """, new { Id = packageId, Enabled = enabled, Now = time.GetUtcNow() }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var after = await FindPackageAsync(connection, transaction, packageId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return after is { Source: ConfigSource } ? (after, null, true) : (before, after, false);
    }

    /// <summary>Every routing profile, by name.</summary>
    public async Task<IReadOnlyList<RoutingProfile>> ListProfilesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<RoutingProfile>(new CommandDefinition(
            $"SELECT {ProfileColumns} FROM inference_routing_profiles ORDER BY name", cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    /// <summary>
    /// Creates or replaces a routing profile through the api (source <c>api</c>). A configured profile is not changed:
    /// <c>ReadOnly</c> is returned with it.
    /// </summary>
    public async Task<(RoutingProfile? Before, RoutingProfile? After, bool ReadOnly)> UpsertProfileFromApiAsync(string name, IReadOnlyList<string> packages, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var before = await FindProfileAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false);
        if (before is { Source: ConfigSource })
        {
            return (before, null, true);
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO inference_routing_profiles (name, packages, source, updated_at) VALUES (@Name, @Packages, 'api', @Now)
            ON CONFLICT (name) DO UPDATE SET packages = excluded.packages, updated_at = excluded.updated_at
            WHERE inference_routing_profiles.source = 'api'
            """, new { Name = name, Packages = string.Join(',', packages), Now = time.GetUtcNow() }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var after = await FindProfileAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return after is { Source: ConfigSource } ? (after, null, true) : (before, after, false);
    }

    private static Task<PackageSetting?> FindPackageAsync(DbConnection connection, DbTransaction transaction, string packageId, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<PackageSetting>(new CommandDefinition(
            $"SELECT {PackageColumns} FROM inference_packages WHERE package_id = @Id", new { Id = packageId }, transaction, cancellationToken: cancellationToken));

    private static Task<RoutingProfile?> FindProfileAsync(DbConnection connection, DbTransaction transaction, string name, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<RoutingProfile>(new CommandDefinition(
            $"SELECT {ProfileColumns} FROM inference_routing_profiles WHERE name = @Name", new { Name = name }, transaction, cancellationToken: cancellationToken));
}
