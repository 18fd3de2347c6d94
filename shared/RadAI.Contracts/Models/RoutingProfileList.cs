namespace RadAI.Contracts.Models;

/// <summary>inference's answer to <see cref="ListRoutingProfiles"/>: every routing profile, by name.</summary>
/// <param name="Profiles">The profiles.</param>
public sealed record RoutingProfileList(IReadOnlyList<RoutingProfileInfo> Profiles);
