namespace RadAI.Contracts.Destinations;

/// <summary>
/// Request to pacs-sender: create or replace a destination administered through the api (source <c>api</c>); the next
/// delivery uses it. Answered with <see cref="DestinationChanged"/>, or <see cref="DestinationRejected"/> when invalid
/// (<c>invalid</c>) or configured (<c>read-only</c>).
/// </summary>
/// <param name="AeTitle">Its AE title (1–16 characters, no backslash, no leading or trailing space).</param>
/// <param name="Host">Host name or address.</param>
/// <param name="Port">TCP port, 1–65535.</param>
/// <param name="Tls">Reach it over DICOM TLS.</param>
/// <param name="Kinds">Report object kinds it takes; empty: all of them.</param>
/// <param name="AllReports">Receives every report, not only those of the studies it sent.</param>
/// <param name="Enabled">False: kept, nothing sent to it.</param>
/// <param name="RequestedBy">Who asked (an api actor such as <c>user:…</c>), for pacs-sender's log.</param>
public sealed record UpsertDestination(
    string AeTitle,
    string Host,
    int Port,
    bool Tls,
    IReadOnlyList<string> Kinds,
    bool AllReports,
    bool Enabled,
    string? RequestedBy = null);
