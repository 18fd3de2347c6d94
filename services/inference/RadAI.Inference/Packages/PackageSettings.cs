using RadAI.Contracts.Models;

namespace RadAI.Inference.Packages;

/// <summary>The packages a routing profile names, split into those that run and those that are disabled.</summary>
/// <param name="Runnable">Enabled packages the profile allows.</param>
/// <param name="Disabled">Disabled packages the profile would allow (routing records them as such).</param>
public sealed record ProfilePackages(IReadOnlyList<ModelPackage> Runnable, IReadOnlyList<ModelPackage> Disabled);

/// <summary>
/// The loaded packages (<see cref="ModelCatalog"/>) seen through their settings in the database: which are enabled, which
/// a routing profile allows. Read at each call (each study), never cached: every replica sees a change at its next study.
/// </summary>
public sealed class PackageSettings(ModelCatalog catalog, PackageSettingsRepository repository)
{
    /// <summary>Source of a package without a setting (enabled).</summary>
    public const string DefaultSource = "default";

    /// <summary>The enabled packages.</summary>
    public async Task<IReadOnlyList<ModelPackage>> EnabledAsync(CancellationToken cancellationToken)
    {
        var snapshot = await repository.SnapshotAsync(cancellationToken).ConfigureAwait(false);
        return [.. catalog.All.Where(p => IsEnabled(snapshot, p.Id))];
    }

    /// <summary>
    /// The packages of a routing profile: those it names (every package when it names none, or when no such profile
    /// exists), enabled or disabled.
    /// </summary>
    public async Task<ProfilePackages> ForProfileAsync(string profile, CancellationToken cancellationToken)
    {
        var snapshot = await repository.SnapshotAsync(cancellationToken).ConfigureAwait(false);
        var named = snapshot.Profiles.TryGetValue(profile, out var row) ? row.PackageIds : [];
        var candidates = named.Count == 0 ? catalog.All : [.. catalog.All.Where(p => named.Contains(p.Id, StringComparer.Ordinal))];
        return new ProfilePackages(
            [.. candidates.Where(p => IsEnabled(snapshot, p.Id))],
            [.. candidates.Where(p => !IsEnabled(snapshot, p.Id))]);
    }

    /// <summary>Every loaded package as the api shows it: manifest, enabled, where that comes from, the profiles that name it.</summary>
    public async Task<IReadOnlyList<ModelPackageInfo>> ListAsync(CancellationToken cancellationToken)
    {
        var snapshot = await repository.SnapshotAsync(cancellationToken).ConfigureAwait(false);
        return [.. catalog.All.OrderBy(p => p.Id, StringComparer.Ordinal).Select(p => InfoOf(p, snapshot))];
    }

    /// <summary>One loaded package as the api shows it, or null when no package has this id.</summary>
    public async Task<ModelPackageInfo?> FindAsync(string packageId, CancellationToken cancellationToken)
    {
        var package = catalog.All.FirstOrDefault(p => p.Id == packageId);
        return package is null ? null : InfoOf(package, await repository.SnapshotAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Is a package with this id loaded?</summary>
    public bool IsLoaded(string packageId) => catalog.All.Any(p => p.Id == packageId);

    private static bool IsEnabled(PackageSettingsSnapshot snapshot, string packageId) =>
        !snapshot.Packages.TryGetValue(packageId, out var setting) || setting.Enabled;

    private static ModelPackageInfo InfoOf(ModelPackage package, PackageSettingsSnapshot snapshot)
    {
        var manifest = package.Manifest;
        snapshot.Packages.TryGetValue(package.Id, out var setting);
        return new ModelPackageInfo(
            manifest.Id,
            manifest.Version,
            manifest.Name,
            manifest.Status.ToString(),
            manifest.IntendedUse,
            manifest.Select.Modalities,
            setting?.Enabled ?? true,
            setting?.Source ?? DefaultSource,
            [.. snapshot.Profiles.Values.Where(r => r.PackageIds.Contains(package.Id, StringComparer.Ordinal)).Select(r => r.Name).Order(StringComparer.Ordinal)]);
    }
}
