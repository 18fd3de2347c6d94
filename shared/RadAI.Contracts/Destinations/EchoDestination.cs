namespace RadAI.Contracts.Destinations;

/// <summary>
/// Request to pacs-sender: C-ECHO a destination now (enabled or not) and record the answer on it. Answered with
/// <see cref="DestinationEchoed"/>, or <see cref="DestinationRejected"/> (<c>not-found</c>).
/// </summary>
/// <param name="AeTitle">The destination.</param>
public sealed record EchoDestination(string AeTitle);
