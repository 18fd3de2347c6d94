namespace RadAI.Contracts.Senders;

/// <summary>
/// Request to dicom-ingest: stop accepting instances from a sender administered through the api. It is kept
/// (disabled): its next associations are still answered C-ECHO, their C-STOREs refused (0124). Answered with
/// <see cref="SenderChanged"/>, or <see cref="SenderRejected"/> (<c>not-found</c>, <c>read-only</c>).
/// </summary>
/// <param name="AeTitle">The sender.</param>
/// <param name="RequestedBy">Who asked, for dicom-ingest's log.</param>
public sealed record DisableSender(string AeTitle, string? RequestedBy = null);
