namespace RadAI.Contracts.Senders;

/// <summary>Request to dicom-ingest: every known sender. Answered with <see cref="SenderList"/>.</summary>
/// <param name="RequestedAt">When it was asked (UTC).</param>
public sealed record ListSenders(DateTimeOffset RequestedAt);
