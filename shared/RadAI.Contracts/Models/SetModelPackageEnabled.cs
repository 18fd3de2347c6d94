namespace RadAI.Contracts.Models;

/// <summary>
/// Request to inference: enable or disable a model package (source <c>api</c>); the next study routed uses it.
/// Answered with <see cref="ModelPackageChanged"/>, or <see cref="ModelAdminRejected"/> (<c>not-found</c>,
/// <c>read-only</c> when <c>Inference:DisabledPackages</c> names it).
/// </summary>
/// <param name="Id">The package id.</param>
/// <param name="Enabled">Run it or not.</param>
/// <param name="RequestedBy">Who asked (an api actor such as <c>user:…</c>), for inference's log.</param>
public sealed record SetModelPackageEnabled(string Id, bool Enabled, string? RequestedBy = null);
