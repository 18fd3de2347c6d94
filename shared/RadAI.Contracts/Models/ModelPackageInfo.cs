namespace RadAI.Contracts.Models;

/// <summary>A model package as inference holds it: what its manifest says and whether it runs.</summary>
/// <param name="Id">Package id (the key).</param>
/// <param name="Version">Package version.</param>
/// <param name="Name">Display name.</param>
/// <param name="Status">Release status: <c>DEMO</c>, <c>RESEARCH</c> or <c>CLINICAL</c>.</param>
/// <param name="IntendedUse">Intended use, from the manifest.</param>
/// <param name="Modalities">Modalities its selection rules accept.</param>
/// <param name="Enabled">Does it run? False: routing records it as disabled and it never runs.</param>
/// <param name="Source">
/// Where <see cref="Enabled"/> comes from: <c>default</c> (enabled, nothing set), <c>config</c> (inference's
/// <c>Inference:DisabledPackages</c>, read-only through the api) or <c>api</c>.
/// </param>
/// <param name="Profiles">The routing profiles that name it (a profile naming no package takes every enabled package and is not listed here).</param>
public sealed record ModelPackageInfo(
    string Id,
    string Version,
    string Name,
    string Status,
    string IntendedUse,
    IReadOnlyList<string> Modalities,
    bool Enabled,
    string Source,
    IReadOnlyList<string> Profiles);
