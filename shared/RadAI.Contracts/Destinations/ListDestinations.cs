namespace RadAI.Contracts.Destinations;

/// <summary>Request to pacs-sender: every destination. Answered with <see cref="DestinationList"/>.</summary>
/// <param name="RequestedAt">When it was asked (UTC).</param>
public sealed record ListDestinations(DateTimeOffset RequestedAt);
