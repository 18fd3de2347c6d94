namespace RadAI.Contracts.Destinations;

/// <summary>pacs-sender's answer to <see cref="ListDestinations"/>: every destination, by AE title.</summary>
/// <param name="Destinations">The destinations, enabled or not.</param>
public sealed record DestinationList(IReadOnlyList<DestinationInfo> Destinations);
