namespace RadAI.Contracts.Models;

/// <summary>Request to inference: every routing profile. Answered with <see cref="RoutingProfileList"/>.</summary>
/// <param name="RequestedAt">When it was asked (UTC).</param>
public sealed record ListRoutingProfiles(DateTimeOffset RequestedAt);
