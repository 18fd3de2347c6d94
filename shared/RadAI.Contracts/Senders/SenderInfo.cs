namespace RadAI.Contracts.Senders;

/// <summary>A known sender (calling AE) as dicom-ingest holds it (a row of its <c>ingest_senders</c>).</summary>
/// <param name="AeTitle">Its calling AE title; the key.</param>
/// <param name="Host">Host name or address it must connect from; null: any.</param>
/// <param name="Allowed">May it send? False: its associations are accepted (C-ECHO answers), its C-STOREs refused (0124).</param>
/// <param name="RoutingProfile">Routing profile of its studies (which models run); null: dicom-ingest's default profile.</param>
/// <param name="StableTimeout">Its stable-study timeout; null: dicom-ingest's default.</param>
/// <param name="Source"><c>config</c> (from dicom-ingest's configuration, read-only through the api) or <c>api</c>.</param>
/// <param name="Enabled">False: kept, but treated as a sender that may not send (C-STOREs refused, 0124).</param>
/// <param name="UpdatedAt">Last change (UTC).</param>
public sealed record SenderInfo(
    string AeTitle,
    string? Host,
    bool Allowed,
    string? RoutingProfile,
    TimeSpan? StableTimeout,
    string Source,
    bool Enabled,
    DateTimeOffset UpdatedAt);
