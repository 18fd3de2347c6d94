namespace RadAI.Contracts.Models;

/// <summary>Request to inference: every model package it loaded. Answered with <see cref="ModelPackageList"/>.</summary>
/// <param name="RequestedAt">When it was asked (UTC).</param>
public sealed record ListModelPackages(DateTimeOffset RequestedAt);
