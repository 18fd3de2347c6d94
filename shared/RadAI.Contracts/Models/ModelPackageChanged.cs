namespace RadAI.Contracts.Models;

/// <summary>inference's answer to <see cref="SetModelPackageEnabled"/>: the change was stored.</summary>
/// <param name="Before">The package before the change.</param>
/// <param name="After">The package as it is now.</param>
public sealed record ModelPackageChanged(ModelPackageInfo Before, ModelPackageInfo After);
