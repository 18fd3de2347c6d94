namespace RadAI.Contracts.Destinations;

/// <summary>pacs-sender's answer to <see cref="UpsertDestination"/> or <see cref="DisableDestination"/>: the change was stored.</summary>
/// <param name="Before">The destination before the change; null when it was created.</param>
/// <param name="After">The destination as stored now.</param>
public sealed record DestinationChanged(DestinationInfo? Before, DestinationInfo After);
