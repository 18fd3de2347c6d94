namespace RadAI.Contracts.Models;

/// <summary>inference's answer to <see cref="ListModelPackages"/>: every loaded package, by id.</summary>
/// <param name="Packages">The packages, enabled or not.</param>
public sealed record ModelPackageList(IReadOnlyList<ModelPackageInfo> Packages);
