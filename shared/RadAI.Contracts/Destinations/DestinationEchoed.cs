namespace RadAI.Contracts.Destinations;

/// <summary>pacs-sender's answer to <see cref="EchoDestination"/>.</summary>
/// <param name="AeTitle">The destination.</param>
/// <param name="At">When the C-ECHO ended (UTC).</param>
/// <param name="Status">DIMSE status of the C-ECHO response (0 = success); null when no association was made.</param>
/// <param name="Error">Why it failed (connection refused, association rejected, a non-success status); null on success.</param>
public sealed record DestinationEchoed(string AeTitle, DateTimeOffset At, int? Status, string? Error);
