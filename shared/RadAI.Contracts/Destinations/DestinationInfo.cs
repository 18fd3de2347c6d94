namespace RadAI.Contracts.Destinations;

/// <summary>A PACS destination as pacs-sender holds it (a row of its <c>pacs_destinations</c>); no secrets.</summary>
/// <param name="AeTitle">Its AE title (the called AE title); the key.</param>
/// <param name="Host">Host name or address.</param>
/// <param name="Port">TCP port.</param>
/// <param name="Tls">Whether it is reached over DICOM TLS (certificates are pacs-sender's configuration).</param>
/// <param name="Kinds">The report object kinds it takes (SR, SEG, PDF, KEY-IMAGE).</param>
/// <param name="AllReports">Receives every report, not only those of the studies it sent.</param>
/// <param name="Enabled">False: kept, but nothing is sent to it.</param>
/// <param name="Source"><c>config</c> (from pacs-sender's configuration, read-only through the api) or <c>api</c>.</param>
/// <param name="UpdatedAt">Last change (UTC).</param>
/// <param name="LastEchoAt">When it was last C-ECHOed (UTC), if ever.</param>
/// <param name="LastEchoStatus">DIMSE status of that C-ECHO; null when no association was made.</param>
/// <param name="LastEchoError">Why that C-ECHO failed, when it did.</param>
public sealed record DestinationInfo(
    string AeTitle,
    string Host,
    int Port,
    bool Tls,
    IReadOnlyList<string> Kinds,
    bool AllReports,
    bool Enabled,
    string Source,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastEchoAt,
    int? LastEchoStatus,
    string? LastEchoError);
