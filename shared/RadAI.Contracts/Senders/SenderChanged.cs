namespace RadAI.Contracts.Senders;

/// <summary>dicom-ingest's answer to <see cref="UpsertSender"/> or <see cref="DisableSender"/>: the change was stored.</summary>
/// <param name="Before">The sender before the change; null when it was created.</param>
/// <param name="After">The sender as stored now.</param>
public sealed record SenderChanged(SenderInfo? Before, SenderInfo After);
