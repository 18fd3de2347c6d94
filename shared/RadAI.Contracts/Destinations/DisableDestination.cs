namespace RadAI.Contracts.Destinations;

/// <summary>
/// Request to pacs-sender: stop sending to a destination administered through the api. It is kept (disabled), so that
/// its deliveries keep their history. Answered with <see cref="DestinationChanged"/>, or <see cref="DestinationRejected"/>
/// (<c>not-found</c>, <c>read-only</c>).
/// </summary>
/// <param name="AeTitle">The destination.</param>
/// <param name="RequestedBy">Who asked, for pacs-sender's log.</param>
public sealed record DisableDestination(string AeTitle, string? RequestedBy = null);
