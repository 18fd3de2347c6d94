namespace RadAI.Contracts.Models;

/// <summary>inference's answer to <see cref="UpsertRoutingProfile"/>: the change was stored.</summary>
/// <param name="Before">The profile before the change; null when it was created.</param>
/// <param name="After">The profile as stored now.</param>
public sealed record RoutingProfileChanged(RoutingProfileInfo? Before, RoutingProfileInfo After);
