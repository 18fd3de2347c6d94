namespace RadAI.Contracts.Senders;

/// <summary>dicom-ingest's answer to <see cref="ListSenders"/>: every known sender, by AE title.</summary>
/// <param name="Senders">The senders, enabled or not.</param>
public sealed record SenderList(IReadOnlyList<SenderInfo> Senders);
